export { HEARTBEAT_MAP_NAME, heartbeatKey } from "./heartbeatKey";
export { checkHolderLiveness, HolderHeartbeatRead, livenessFromRead, readHolderHeartbeat } from "./checkHolderLiveness";
export { HeartbeatEntry, ServerHeartbeat, ServerHeartbeatOptions, STALL_TOLERANCE } from "./ServerHeartbeat";
export { LivenessHub, LivenessHubOptions, LockHolder } from "./LivenessHub";
export { HeartbeatMapLike, Liveness } from "./types";
