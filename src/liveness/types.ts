/**
 * The part of a MemoryStore hash map the liveness module uses. `MemoryStoreHashMap` satisfies it; specs and Studio
 * may pass anything with the same behaviour. Every method may yield and may throw.
 *
 * @example
 * const map: HeartbeatMapLike = game.GetService("MemoryStoreService").GetHashMap(HEARTBEAT_MAP_NAME);
 */
export interface HeartbeatMapLike {
	GetAsync(key: string): unknown;
	SetAsync(key: string, value: unknown, expiration: number): boolean;
	RemoveAsync(key: string): void;
}

/**
 * What a heartbeat read says about a lock holder:
 * - `"alive"`: its heartbeat entry exists;
 * - `"dead"`: the read succeeded and found no entry, so the holder has not refreshed it for a whole TTL;
 * - `"unknown"`: the read failed. **Never treat `"unknown"` as `"dead"`: fall back to the expiry on the DataStore
 *   clock.**
 */
export type Liveness = "alive" | "dead" | "unknown";
