/**
 * The stored format, compatible with SessionLocker v13: one table per key, the user's save data with the library's
 * fields at the top level. Tuples stay positional (1-based Luau arrays after compilation) so both libraries read
 * each other's keys.
 */

/**
 * The lock. `nil` (absent) means unlocked or released.
 *
 * `HolderWriteTime` is an addition the original ignores: the DataStore time (ms) of the holder's last write, set only
 * by non-holder writers (see `markForeignWrite`) so that their writes do not look like holder heartbeats.
 *
 * `Heartbeat` is another: 1 when the holder keeps a heartbeat entry in MemoryStore (lock protocol v2), so another
 * server may take the lock as soon as a read finds that entry gone. Without it (an old server, liveness off) the lock
 * is judged by the expiry only.
 */
export interface StoredSession {
	PlaceId: number;
	JobId: string;
	/** Random integer in [0, 2^32-1], new per acquisition. */
	LockId: number;
	/** os.time() of the holder's last write. A label only: staleness is judged on the DataStore's clock. */
	UpdatedAt: number;
	HolderWriteTime?: number;
	Heartbeat?: 1;
}

/** `[ProductId, PurchaseId, Timestamp (os.time), IncompleteMultiSave (1 or absent)]` */
export type PurchaseRecord = [ProductId: number, PurchaseId: string, Timestamp: number, IncompleteMultiSave?: 1];

/** `[ProductId, Count]`; an entry is removed when its count drops to 0 or below. */
export type ProductCreditRecord = [ProductId: number, Count: number];

/**
 * A change written into a key by a server that does not hold it. `K` is the kind (never change the meaning of a
 * kind; add "give_gold_v2" instead), `I` a random id unique among the key's changes, `A` the os.time() of sending.
 */
export interface SD_RemoteChange_Base {
	K: string;
	I?: number;
	A?: number;
}

/**
 * The base of every save-data type: extend it with your own fields.
 * **Game code and migrators must not touch `Version`, `VersionPatch` or `Session`.**
 *
 * @example
 * interface PlayerData extends SaveData { Gold: number }
 */
export interface SaveData {
	Version: number;
	VersionPatch: number;
	Session?: StoredSession;
	Purchases?: Array<PurchaseRecord>;
	ProductCredit?: Array<ProductCreditRecord>;
	RemoteChanges?: Array<SD_RemoteChange_Base>;
}

/** Save data seen as a plain table, as migrators and transforms handle it. */
export type RawSaveData = { [key: string]: unknown };

/** The subset of DataStoreKeyInfo the protocol reads. */
export interface KeyInfoView {
	/** Backend time of the key's last write, in milliseconds. */
	readonly UpdatedTime: number;
}

export function isRawTable(value: unknown): value is RawSaveData {
	return typeIs(value, "table");
}

/** True when `value` is a session table with the fields the fencing check compares. */
export function isStoredSession(value: unknown): value is StoredSession {
	if (!typeIs(value, "table")) return false;
	const s = value as { [key: string]: unknown };
	return typeIs(s.PlaceId, "number") && typeIs(s.JobId, "string") && typeIs(s.LockId, "number");
}
