import type { LockerError } from "../errors";
import type { RequestGateway } from "../gateway/RequestGateway";
import type { DataStoreLike } from "../gateway/types";
import type { SaveData, SD_RemoteChange_Base, StoredSession } from "../protocol/format";
import type { SaveDataMigrators, SaveDataPatchers } from "../protocol/migrate";
import type { LockerState } from "./LockerState";

/**
 * `"loading"` (initial, after any reset), `"data_store_request_fail"`, `"session_is_locked"`, `"invalid_version"`
 * (see `LoadMinimumServerVersion`), `"invalid_data"` (the stored value is not save data; it is never overwritten),
 * or `"loaded"` (SaveData is the real persistent data).
 */
export type LoadStatus =
	"loading" | "data_store_request_fail" | "session_is_locked" | "invalid_version" | "invalid_data" | "loaded";

export type LifecycleStatus =
	"replaced" | "before_save" | "before_save_transform" | "saved" | "idling" | "deleted" | "destroyed";

export type LifecycleReason = "r_loaded" | "r_released" | "r_lost" | "none";

/** The explicit state of a LockerState. */
export type LockerPhase = "idle" | "loading" | "held" | "releasing" | "deleted";

/**
 * Configuration shared by LockerStates (and RemoteChangeSenders). Every optional config falls back to `Defaults`
 * at use time.
 * Callbacks are declared as `this: void` methods: they are called as plain functions (`spec.Lifecycle(ls, ...)`,
 * as in Luau), and a `LockerState<MyData>` stays assignable to `LockerState<SaveData>`.
 * **Callbacks run synchronously, some inside UpdateAsync transforms: they must not yield and should not throw.**
 *
 * @example
 * interface PlayerData extends SaveData { Gold: number }
 * const spec: LockerSpec<PlayerData> = {
 * 	DataStore: DataStoreService.GetDataStore("Players"),
 * 	SaveDataVersion: 1,
 * 	SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
 * };
 */
export interface LockerSpec<T extends SaveData = SaveData> {
	/** The DataStore (or any object with a compatible UpdateAsync, such as FakeDataStore). */
	DataStore: DataStore | DataStoreLike;
	/** The current save data version, starting at 1. */
	SaveDataVersion: number;
	/** Makes fresh save data. Runs inside the load transform for a new key. **Must return a new table each call.** */
	SaveDataCreator(this: void, LS: LockerState<T>): T;
	SaveDataMigrators?: SaveDataMigrators;
	SaveDataPatchers?: SaveDataPatchers;
	/** Lifecycle events; "before_save_transform" runs inside the transform and may run more than once per save. */
	Lifecycle?(this: void, LS: LockerState<T>, Status: LifecycleStatus, Reason: LifecycleReason): void;
	LoadStatusChanged?(this: void, LS: LockerState<T>): void;
	/** Moves edits made on the offline data into the loaded data; mark a save yourself if you change anything. */
	MergeOfflineSaveDataWithLoadedSaveData?(
		this: void,
		LS: LockerState<T>,
		OfflineSaveData: T,
		LoadedSaveData: T,
	): void;
	/** Applies one remote change to the holder's data; true consumes it, false keeps it for later. */
	ProcessRemoteChange?(this: void, SaveData: T, RemoteChange: SD_RemoteChange_Base): boolean;
	ProductCreditChanged?(
		this: void,
		LS: LockerState<T>,
		SaveData: T,
		ProductId: number,
		ChangeAmount: number,
		UserData?: unknown,
	): void;
	/** Error reporter; `Defaults.LockerSpec_ReportDataStoreError` when absent. */
	ReportDataStoreError?(this: void, LS: LockerState<T>, Operation: string, Message: string, Err: LockerError): void;
	/** A fixed initial remote value for every key, fed through an in-memory backend (no real writes). */
	DataStoreTestData?: unknown;
	/** The request gateway; `DefaultGateway()` when absent. */
	Gateway?: RequestGateway;
	/**
	 * Fast takeover from a crashed server (lock protocol v2): this server keeps one heartbeat entry in this
	 * MemoryStoreService, and a load that finds the key locked by a server whose entry is gone takes the lock within
	 * seconds instead of waiting out `SessionExpiry`. Default: the game's MemoryStoreService on live servers with a
	 * real DataStore; off in Studio, with `DataStoreTestData`, read-only DataStores or a DataStoreLike stand-in.
	 * `false` turns it off (locks are then taken only after the expiry, as in v13).
	 * **Every server of a game must use the same MemoryStore (the default does): a server that reads another
	 * universe's or a mock's heartbeats would find live holders "dead".**
	 *
	 * @example
	 * const spec: LockerSpec<PlayerData> = { ...base, MemoryStoreService: game.GetService("MemoryStoreService") };
	 */
	MemoryStoreService?: MemoryStoreService | false;

	/** Also prints each move of the locker's phase (docs/lifecycle.md); falls back to `Defaults.VerboseLogs`. */
	VerboseLogs?: boolean;
	ReadOnlyDataStores?: boolean;
	MaintainSessionPeriod?: number;
	SessionExpiry?: number;
	SessionRetryCooldown?: number;
	PurchaseHistoryLimit?: number;
	StrictMode?: boolean;
	VerifyAwaitedSaves?: boolean;
	/**
	 * @internal
	 * How a release reported as written is confirmed. "read-back" (default): read the key back at once (one more
	 * UpdateAsync). "on-request": not read back; this server keeps a record of the release and writes it again if a
	 * server that still finds the released lock asks (`ReleaseAsk`), or a load on this server meets it. Releases
	 * with waiters, and releases while the server closes, are read back either way (docs/lock-protocol-v2.md).
	 */
	ReleaseCheck?: "read-back" | "on-request";
	/**
	 * @internal
	 * With "on-request": called when a load finds the key locked by another server's lock `Holder`; the Easy API
	 * asks that server, through MessagingService, to confirm its release. (An announcement heard while the load was
	 * in flight already makes it retry at once: `RetryLoadNow`.) Must not yield.
	 */
	ReleaseAsk?(this: void, LS: LockerState<T>, Holder: StoredSession): void;
}
