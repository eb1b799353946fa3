import type { LockerError } from "./errors";
import { replacePlain } from "./util/replacePlain";

/** What a default reporter needs to know about the locker that failed. */
export interface ReportedLocker {
	readonly LogPrefix: string;
	readonly DataStoreKey: string;
	readonly AssociatedUserIds: ReadonlyArray<number>;
}

/**
 * Default error reporter of LockerStates, used when a LockerSpec sets no `ReportDataStoreError`.
 *
 * Verbose: warns everything with the locker's prefix. Otherwise warns every error except DataStore errors of kind
 * "backend" (Roblox's own hiccups, retried quietly), with the key replaced by `{datastorekey}` so Roblox's Error
 * Report groups them.
 *
 * @example
 * Defaults.LockerSpec_ReportDataStoreError = (ls, op, msg, err) => myAnalytics.log(op, msg);
 */
export function Default_LockerSpec_ReportDataStoreError(
	LS: ReportedLocker,
	Operation: string,
	Message: string,
	Err?: LockerError,
): void {
	if (Defaults.VerboseLogs) {
		warn(`${LS.LogPrefix} ${Operation}: ${Message}`);
		return;
	}
	if (Err?.RequestClass?.Kind === "backend") return;
	const text = Err !== undefined ? Err.GroupMessage : replacePlain(Message, LS.DataStoreKey, "{datastorekey}");
	warn(`[SessionLocker] ReportDataStoreError: ${Operation}: ${text}`);
}

/**
 * Default error reporter of RemoteChangeSenders; the same policy, filtering only the key.
 *
 * @example
 * Default_RemoteChangeSender_ReportDataStoreError(sender, "123", "UpdateAsync_SendRemoteChanges", "502: ...");
 */
export function Default_RemoteChangeSender_ReportDataStoreError(
	_RCS: unknown,
	DataStoreKey: string,
	Operation: string,
	Message: string,
	Err?: LockerError,
): void {
	if (Defaults.VerboseLogs) {
		warn(`[SessionLocker][RemoteChangeSender][${DataStoreKey}] ${Operation}: ${Message}`);
		return;
	}
	if (Err?.RequestClass?.Kind === "backend") return;
	const text = Err !== undefined ? Err.GroupMessage : replacePlain(Message, DataStoreKey, "{datastorekey}");
	warn(`[SessionLocker] RemoteChangeSender ReportDataStoreError: ${Operation}: ${text}`);
}

export interface DefaultsTable {
	/** Internal migration logs and unfiltered error logs. Default false. */
	VerboseLogs: boolean;
	/** Read real data once, then simulate every write in memory. Default false. */
	ReadOnlyDataStores: boolean;
	/**
	 * Seconds between autosave checks. A check writes when something changed, or refreshes the lease once the last
	 * write is `SessionExpiry` minus two periods old (at least half of it: 1,200 s by default); otherwise it writes
	 * nothing. Default 300.
	 */
	MaintainSessionPeriod: number;
	/** Seconds without a holder write (on the DataStore's clock) after which a lock may be taken. Default 1800. */
	SessionExpiry: number;
	/** Base wait in seconds after a failed or locked load or a failed save; backs off with jitter. Default 10. */
	SessionRetryCooldown: number;
	/** Maximum entries in SaveData.Purchases. Default 100. */
	PurchaseHistoryLimit: number;
	/** Turn misuse (yielding callbacks, mutating frozen snapshots, deleting busy lockers) into loud errors. */
	StrictMode: boolean;
	/**
	 * Before telling waiters (`WhenChangesSaved`, purchases) that a save landed, read the key back once (a write-less
	 * UpdateAsync: read budget only) and check the version. Saves nobody waits for are not verified. Default true:
	 * a write can be reported as done without landing, and an acknowledged change must never be lost. Releases are
	 * always read back, whatever this says.
	 */
	VerifyAwaitedSaves: boolean;
	LockerSpec_ReportDataStoreError: (
		LS: ReportedLocker,
		Operation: string,
		Message: string,
		Err?: LockerError,
	) => void;
	RemoteChangeSender_ReportDataStoreError: (
		RCS: unknown,
		DataStoreKey: string,
		Operation: string,
		Message: string,
		Err?: LockerError,
	) => void;
}

/**
 * The global configuration: the original's `Default_*` values as fields of one mutable table. Every use reads them
 * through `QueryConfig(spec.X, Defaults.X)`, so a LockerSpec field overrides a default and assigning a default at
 * runtime takes effect on the next use.
 *
 * @example
 * import { Defaults } from "@rbxts/session-locker";
 * Defaults.SessionRetryCooldown = 5; // Luau: SessionLocker.Defaults.SessionRetryCooldown = 5
 */
export const Defaults: DefaultsTable = {
	VerboseLogs: false,
	ReadOnlyDataStores: false,
	MaintainSessionPeriod: 300,
	SessionExpiry: 1800,
	SessionRetryCooldown: 10,
	PurchaseHistoryLimit: 100,
	StrictMode: false,
	VerifyAwaitedSaves: true,
	LockerSpec_ReportDataStoreError: Default_LockerSpec_ReportDataStoreError,
	RemoteChangeSender_ReportDataStoreError: Default_RemoteChangeSender_ReportDataStoreError,
};

/**
 * Picks the per-spec override when it is set, the default otherwise.
 *
 * @example
 * const expiry = QueryConfig(spec.SessionExpiry, Defaults.SessionExpiry);
 */
export function QueryConfig<T>(Override: T | undefined, Default: T): T {
	return Override !== undefined ? Override : Default;
}
