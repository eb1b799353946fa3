export { HEARTBEAT_MAP_NAME, heartbeatKey } from "./heartbeatKey";
export { checkHolderLiveness, livenessFromRead } from "./checkHolderLiveness";
export { ServerHeartbeat, ServerHeartbeatOptions } from "./ServerHeartbeat";
export { HeartbeatMapLike, Liveness } from "./types";
