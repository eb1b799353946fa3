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

/** One heartbeat read with what the entry says about its lapse time. */
export interface HolderHeartbeatRead {
	readonly Liveness: Liveness;
	/** The DataStore-clock stamp of the holder's last write (seconds), when the entry carries one. */
	readonly Stamp: number | undefined;
	/** The entry's TTL in seconds, when the entry says. */
	readonly Ttl: number | undefined;
}

/**
 * Like `checkHolderLiveness`, but also returns the entry's stamp and TTL, so a reader that found the holder alive
 * can read again right when the entry must lapse if the holder stopped refreshing it.
 *
 * @example
 * const read = readHolderHeartbeat(map, "", holderJobId);
 * if (read.Liveness === "alive" && read.Stamp !== undefined) print(`lapses near ${read.Stamp + (read.Ttl ?? 17)}`);
 */
export function readHolderHeartbeat(
	map: HeartbeatMapLike,
	keyPrefix: string,
	holderJobId: string,
): HolderHeartbeatRead {
	const [ok, value] = pcall(() => map.GetAsync(heartbeatKey(keyPrefix, holderJobId)));
	const liveness = livenessFromRead(ok, value);
	let stamp: number | undefined;
	let ttl: number | undefined;
	if (liveness === "alive" && typeIs(value, "table")) {
		const entry = value as { T?: unknown; L?: unknown };
		if (typeIs(entry.T, "number")) stamp = entry.T;
		if (typeIs(entry.L, "number")) ttl = entry.L;
	}
	return { Liveness: liveness, Stamp: stamp, Ttl: ttl };
}
