import { heartbeatKey } from "./heartbeatKey";
import { HeartbeatMapLike, Liveness } from "./types";

/**
 * Turns the outcome of one heartbeat read into a liveness answer: a failed read is `"unknown"`, never `"dead"`.
 *
 * @example
 * const [ok, value] = pcall(() => map.GetAsync(key));
 * livenessFromRead(ok, value); // "alive" | "dead" | "unknown"
 */
export function livenessFromRead(ok: boolean, value: unknown): Liveness {
	if (!ok) return "unknown";
	return value === undefined ? "dead" : "alive";
}

/**
 * Reads the heartbeat entry of the server with JobId `holderJobId` (yields for one MemoryStore request) and says
 * whether that lock holder is alive. **Only `"dead"` may justify taking its lock; on `"unknown"` wait for the expiry
 * on the DataStore clock.**
 *
 * @example
 * if (checkHolderLiveness(map, "", holderJobId) === "dead") takeLockNow();
 */
export function checkHolderLiveness(map: HeartbeatMapLike, keyPrefix: string, holderJobId: string): Liveness {
	const [ok, value] = pcall(() => map.GetAsync(heartbeatKey(keyPrefix, holderJobId)));
	return livenessFromRead(ok, value);
}
