import { DataStoreService } from "@rbxts/services";
import { Defaults, QueryConfig } from "../config";
import { LockerError, LockerErrorCreate, LockerErrorForKey, LockerErrorKind, ErrorFields } from "../errors";
import { FakeDataStore, readOnlyBackendFor, ReadableDataStore, testDataBackendFor } from "../gateway/FakeDataStore";
import { DefaultGateway, GatewayResult, RequestGateway } from "../gateway/RequestGateway";
import { DataStoreLike } from "../gateway/types";
import {
	AcquireContext,
	acquireResultCreate,
	AcquireResult,
	acquireTransform,
	normalizeCreatedSaveData,
} from "../protocol/acquire";
import { isRawTable, RawSaveData, SaveData, SD_RemoteChange_Base, StoredSession } from "../protocol/format";
import { isSameLock } from "../protocol/ownership";
import { SaveDataMigrator, SaveDataMigrators, SaveDataPatcher, SaveDataPatchers } from "../protocol/migrate";
import {
	APPLIED_LEDGER_LIMIT,
	APPLIED_LEDGER_RETENTION,
	isRemoteChangeApplied,
	readRemoteChanges,
	recordRemoteChangeApplied,
} from "../protocol/remoteChanges";
import { checkCreditArguments } from "../purchases/creditAmount";
import { saveResultCreate, SaveResult, saveTransform } from "../protocol/save";
import { callUser, CallOutcome } from "../util/callUser";
import { deepFreeze } from "../util/deepFreeze";
import { TableDeepCopy } from "../util/TableDeepCopy";
import { TableRestoreBackup } from "../util/TableRestoreBackup";
import { LifecycleReason, LifecycleStatus, LoadStatus, LockerPhase, LockerSpec } from "./LockerSpec";
import { planAutosave } from "./savePlan";
import { SavedCallback, SavedConnection, SavedConnectionOwner } from "./SavedConnection";
import { heartbeatLeaseInDoubt, needsHeartbeatReconfirm } from "./heartbeatLease";
import { livenessHubFor, TakeoverWatch } from "./takeover";
import type { LivenessHub } from "../liveness/LivenessHub";

/** The hold key `MarkShouldAcquire`/`MarkShouldRelease` use when given none. */
/** The outcome used for a remote change whose idempotency key says it was applied already. */
const APPLIED_BEFORE: CallOutcome = { Ok: true, Yielded: false, Value: true, Error: "" };

export const DEFAULT_HOLD_KEY = "__SessionLocker";
/** A crashed job is retried after this many seconds. */
const CRASHED_JOB_RETRY = 10;

/**
 * True once this server's BindToClose callbacks started. While closing, a release is read back only once every
 * release of this server is written, and only with time left before the closing deadline: after a burst of joins the
 * budget left at shutdown covers the releases first, and a read-back must never hold up another locker's release.
 */
let serverClosing = false;
let closeWatched = false;
/** Lockers of this server whose release started but is not written yet: read-backs while closing wait for them. */
const releasesUnwritten = new Set<unknown>();
/** While closing: a release read-back starts only this long (s) before the closing deadline, or not at all. */
const CLOSING_READBACK_RESERVE = 3;
/** While closing: how often (s) a read-back waiting for the other releases looks again. */
const CLOSING_READBACK_POLL = 0.1;
/** Release read-backs of this server in flight while closing: each holds one unit of the UpdateAsync budget. */
let closingReadBacks = 0;

/** This server's UpdateAsync request budget now (0 when it cannot be read). */
function updateBudget(): number {
	const [ok, budget] = pcall(() =>
		DataStoreService.GetRequestBudgetForRequestType(Enum.DataStoreRequestType.UpdateAsync),
	);
	return ok && typeIs(budget, "number") ? budget : 0;
}

function watchServerClose(): void {
	if (closeWatched) return;
	closeWatched = true;
	// Returns at once, so it never delays the shutdown; pcall: BindToClose errors outside a running server.
	pcall(() =>
		game.BindToClose(() => {
			serverClosing = true;
		}),
	);
}

interface LoadJobResult {
	Request: GatewayResult;
	Acquire: AcquireResult;
	Session: StoredSession;
}

interface SaveJobResult {
	Request: GatewayResult | undefined;
	Save: SaveResult;
	/** ChangeId_Pending captured inside the transform that ran last. */
	ChangeId: number;
	/** ProcessedRemoteChanges captured inside the transform that ran last. */
	Processed: Set<number>;
	/** JSON length when the pre-request size check refused to send. */
	PreflightSize: number | undefined;
	PreflightError: string | undefined;
	/** False when the read-back after the write did not find it (a write reported as done that never landed). */
	Verified: boolean;
	/** True when a read-back ran and found the write (waiters may be told "saved" under VerifyAwaitedSaves). */
	ReadBack: boolean;
	VerifyDetail: string;
	/**
	 * A release's read-back: "released" when the key no longer holds our lock, "ours" when it still does (the
	 * release was reported as done but never landed), "unknown" when the read failed.
	 */
	ReleaseCheck: "released" | "ours" | "unknown" | undefined;
}

interface Job {
	Kind: "load" | "save" | "cleanup";
	Thread: thread | undefined;
	Done: boolean;
	Load: LoadJobResult | undefined;
	SaveResult: SaveJobResult | undefined;
	Cleanup: GatewayResult | undefined;
}

function isValidKey(key: unknown): LuaTuple<[boolean, string]> {
	if (!typeIs(key, "string")) return $tuple(false, `not a string but a ${typeOf(key)}`);
	if (key.size() === 0) return $tuple(false, "empty");
	if (key.size() > 50) return $tuple(false, `${key.size()} bytes long`);
	return $tuple(true, "");
}

/**
 * Session-locked save data for one DataStore key: an explicit state machine (idle → loading → held → releasing →
 * idle → deleted) that you advance with `SessionUpdate(now)` every Heartbeat. Requests run in their own threads
 * through the server's RequestGateway; their results are applied on the next `SessionUpdate`.
 *
 * @example
 * const ls = LockerCreatePlayer(spec, player);
 * ls.MarkShouldAcquire();
 * RunService.Heartbeat.Connect(() => {
 * 	if (ls.SessionUpdate(os.clock()) && leaving) ls.MarkDeleted();
 * });
 */
export class LockerState<T extends SaveData = SaveData> implements SavedConnectionOwner {
	readonly LockerSpec: LockerSpec<T>;
	readonly DataStoreKey: string;
	readonly AssociatedUserIds: Array<number>;
	readonly LogPrefix: string;
	/** No DataStore requests at all: loads succeed with the local data and saves pretend to succeed. */
	readonly DisableAPIs: boolean;

	/**
	 * The save data: always present (offline defaults until loaded and after a reset) and always the same table,
	 * overwritten in place. **Tables inside it are replaced on load; do not keep references to them.**
	 */
	readonly SaveData: T;
	LoadStatus: LoadStatus = "loading";
	/** With LoadStatus "invalid_version": the first server version able to load the stored data. */
	LoadMinimumServerVersion: number | undefined;
	/** The last error reported for this locker, with its kind; cleared by the next successful request. */
	LastError: LockerError | undefined;
	/** The explicit state. */
	State: LockerPhase = "idle";
	/** The lock this locker holds, or undefined. */
	Session: StoredSession | undefined;
	/** Set it to false while external state is not yet reflected in SaveData; `IsAvailable()` reads it. */
	IsSyncing = true;
	IsIdling = false;
	IsDeleted = false;
	/** The hold keys keeping the session alive (`MarkShouldAcquire`). */
	readonly InUse = new Set<unknown>();
	ChangeId_Pending = 0;
	ChangeId_PendingForce = 0;
	ChangeId_Saved = 0;
	readonly SavedConnections = new Array<SavedConnection>();
	/** Ids of remote changes applied locally but not yet removed from the key by a save. */
	readonly ProcessedRemoteChanges = new Set<number>();

	/** @internal */ readonly store: DataStoreLike | undefined;
	/** @internal */ readonly gateway: RequestGateway;
	/** @internal */ inUseCount = 0;
	/** @internal */ job: Job | undefined;
	/** @internal */ nextAttemptAt = 0;
	/** @internal */ autosaveAt = 0;
	/** @internal */ failures = 0;
	/** @internal */ loadBlocked = false;
	/** @internal */ fatalSaveBlocked = false;
	/** @internal the lock a load writes; kept across attempts so an ambiguous earlier write is recognised */
	pendingSession: StoredSession | undefined;
	/** @internal */ warnedDeleted = false;
	/** @internal a lock an abandoned load may have written (ambiguous write), to remove before going idle */
	orphanSession: StoredSession | undefined;
	/** @internal DataStore time (ms) of our last successful holder write, for IsSessionFresh */
	holderWriteMs: number | undefined;
	/**
	 * @internal
	 * Set when a release starts and kept until a write settles it: the release is confirmed (then the data resets),
	 * or a fenced holder write (or a read-back that still finds our lock) proves the key is ours. Meanwhile the
	 * locker is neither loaded nor available: its data may already be the next holder's.
	 */
	releasePending = false;
	/** @internal highest ChangeId covered by a save that a read-back found in the key */
	changeIdVerified = 0;
	/** @internal when the last holder write (load or save) started, on the SessionUpdate clock: the lease's age */
	lastWriteAt = 0;
	/** @internal the lock `lastWriteAt` belongs to; another one means a new load */
	leaseSession: StoredSession | undefined;
	/** @internal the SessionUpdate time at which the save in flight started */
	saveStartAt = 0;
	/** @internal the load merged offline data into SaveData (MergeOfflineSaveDataWithLoadedSaveData): not in the key yet */
	loadMerged = false;
	/** @internal this server's heartbeat hub (false: liveness off), resolved by the first load */
	livenessHub: LivenessHub | false | undefined;
	/** @internal the hub's lapse count when this locker's lock was written with the heartbeat marker */
	heartbeatEpoch = 0;
	/** @internal the heartbeat may have lapsed: a fenced write must confirm the lock before it is available again */
	heartbeatUnconfirmed = false;
	/** @internal watches the heartbeat of the server holding the key this locker loads */
	takeover: TakeoverWatch | undefined;

	constructor(
		spec: LockerSpec<T>,
		key: string,
		userIds: Array<number>,
		logPrefix: string | undefined,
		disableAPIs: boolean | undefined,
	) {
		const [validKey, why] = isValidKey(key);
		if (!validKey) error(LockerErrorCreate("invalid_key", "LockerCreate", { key, detail: why }).Message, 2);
		assert(typeIs(spec, "table"), "LockerCreate: LockerSpec must be a table");
		assert(typeIs(spec.SaveDataCreator, "function"), "LockerCreate: LockerSpec.SaveDataCreator must be a function");
		assert(
			typeIs(spec.SaveDataVersion, "number") && spec.SaveDataVersion >= 1 && spec.SaveDataVersion % 1 === 0,
			"LockerCreate: LockerSpec.SaveDataVersion must be an integer >= 1",
		);
		this.LockerSpec = spec;
		this.DataStoreKey = key;
		this.AssociatedUserIds = userIds;
		this.LogPrefix = logPrefix ?? `[SessionLocker]:[${key}]`;
		this.DisableAPIs = disableAPIs === true;

		let fake: FakeDataStore | undefined;
		if (spec.DataStoreTestData !== undefined) {
			fake = testDataBackendFor(spec, spec.DataStoreTestData);
		} else if (QueryConfig(spec.ReadOnlyDataStores, Defaults.ReadOnlyDataStores)) {
			fake = readOnlyBackendFor(spec.DataStore as unknown as ReadableDataStore);
		}
		this.store = fake ?? (spec.DataStore as unknown as DataStoreLike);
		this.gateway = fake !== undefined ? fake.Gateway : (spec.Gateway ?? DefaultGateway());

		if (!this.DisableAPIs) watchServerClose();
		// Validate the creator now, loudly: a bad creator would otherwise only surface inside a transform.
		const created = this.createOffline(true);
		this.SaveData = created as unknown as T;
		this.resetTo("r_released", true);
	}

	// ---------------------------------------------------------------- public API

	/**
	 * Asks for the session to be held, under `HoldKey` (default "__SessionLocker"). The session is kept while any
	 * hold key is in use; ProductPurchaser uses its own key so a purchase can finish before release.
	 *
	 * @example
	 * ls.MarkShouldAcquire(); // on PlayerAdded
	 * ls.MarkShouldAcquire(purchaser); // a second, independent hold
	 */
	MarkShouldAcquire(HoldKey?: unknown): void {
		if (this.IsDeleted) {
			this.misuse("used_after_delete", "MarkShouldAcquire");
			return;
		}
		const holdKey = HoldKey ?? DEFAULT_HOLD_KEY;
		if (this.InUse.has(holdKey)) return;
		this.InUse.add(holdKey);
		this.inUseCount += 1;
		this.IsIdling = false;
	}

	/**
	 * Drops the hold `HoldKey` (default "__SessionLocker"); when none is left, the session is released (a final save
	 * with `Session = nil`). A `MarkShouldAcquire` before that save's transform runs cancels the release.
	 *
	 * @example
	 * Players.PlayerRemoving.Connect((player) => lockers.get(player)?.MarkShouldRelease());
	 */
	MarkShouldRelease(HoldKey?: unknown): void {
		const holdKey = HoldKey ?? DEFAULT_HOLD_KEY;
		if (!this.InUse.has(holdKey)) return;
		this.InUse.delete(holdKey);
		this.inUseCount -= 1;
	}

	/**
	 * Drops every hold key at once (used by shutdown).
	 *
	 * @example
	 * for (const ls of lockers) ls.MarkShouldReleaseAll();
	 */
	MarkShouldReleaseAll(): void {
		this.InUse.clear();
		this.inUseCount = 0;
	}

	/**
	 * Records that SaveData changed; the change rides along with the next autosave or forced save. An autosave
	 * writes only when something was marked (or the lease needs refreshing), so **mark every change: an unmarked
	 * edit waits for the next write, at most `SessionExpiry / 2` away. Call it before waiting on `WhenChangesSaved`.**
	 *
	 * @example
	 * ls.SaveData.Gold += 1;
	 * ls.MarkShouldSave();
	 */
	MarkShouldSave(): void {
		this.ChangeId_Pending += 1;
		if (this.fatalSaveBlocked) {
			// The data changed since the fatal error, so a retry is no longer blind.
			this.fatalSaveBlocked = false;
			this.nextAttemptAt = 0;
		}
	}

	/**
	 * Records a change that must be saved as soon as possible (a save starts on the next SessionUpdate).
	 *
	 * @example
	 * ls.SaveData.Gems -= price;
	 * ls.MarkForceSave();
	 * const saved = ls.YieldUntilChangesSaved();
	 */
	MarkForceSave(): void {
		this.MarkShouldSave();
		this.ChangeId_PendingForce = this.ChangeId_Pending;
	}

	/**
	 * True when a session is held, LoadStatus is "loaded" and IsSyncing: edits made now are in the next save.
	 *
	 * @example
	 * if (ls.IsAvailable()) ls.SaveData.Gold += 10;
	 */
	IsAvailable(): boolean {
		return (
			this.Session !== undefined &&
			this.LoadStatus === "loaded" &&
			!this.releasePending &&
			this.IsSyncing &&
			this.IsSessionFresh() &&
			!this.heartbeatUnconfirmed &&
			!heartbeatLeaseInDoubt(this)
		);
	}

	/**
	 * Tries the load again on the next `SessionUpdate` instead of waiting out the retry cooldown, when the last
	 * attempt found the key locked and nothing is in flight. Call it when the holder says it has released the key
	 * (the Easy API does, through MessagingService), so a player moving between servers loads in one round trip.
	 * Returns whether a retry was scheduled.
	 *
	 * @example
	 * MessagingService.SubscribeAsync("released", message => lockersByKey.get(message.Data as string)?.RetryLoadNow());
	 */
	RetryLoadNow(): boolean {
		if (this.IsDeleted || this.Session !== undefined || this.job !== undefined || this.inUseCount === 0)
			return false;
		if (this.LoadStatus !== "session_is_locked") return false;
		this.nextAttemptAt = 0;
		return true;
	}

	/**
	 * False when, by this server's estimate of the DataStore's clock, our last successful write is older than the
	 * expiry: another server may have taken the lock while our saves failed, so edits made now might be fenced out.
	 * True when the age is unknown (no estimate yet, DisableAPIs) or the session is fresh.
	 *
	 * @example
	 * if (!ls.IsSessionFresh()) warn("saves have been failing for a long time");
	 */
	IsSessionFresh(): boolean {
		const written = this.holderWriteMs;
		if (written === undefined) return true;
		const now = this.gateway.BackendNow();
		if (now === undefined) return true;
		const expiry = QueryConfig(this.LockerSpec.SessionExpiry, Defaults.SessionExpiry);
		// BackendNow is a lower bound (early by up to a request's latency) while another server takes the lock only
		// once its own lower bound passes the expiry: stop a little early so the two never overlap.
		return now - written / 1000 <= expiry - math.min(expiry * 0.1, 60);
	}

	/**
	 * Marks an idle locker deleted (terminal): fires "deleted" and resolves remaining waiters with false.
	 * **Only legal when `SessionUpdate` returned true; otherwise it is refused (an error in strict mode).**
	 *
	 * @example
	 * if (ls.SessionUpdate(os.clock()) && playerLeft) ls.MarkDeleted();
	 */
	MarkDeleted(): void {
		if (this.IsDeleted) return;
		if (
			this.Session !== undefined ||
			this.job !== undefined ||
			this.inUseCount > 0 ||
			this.orphanSession !== undefined
		) {
			this.misuse("not_idle", "MarkDeleted");
			return;
		}
		this.IsDeleted = true;
		this.IsIdling = true;
		this.State = "deleted";
		this.failAllSavedConnections();
		this.fireLifecycle("deleted", "none");
	}

	/**
	 * Advances the state machine; call it every Heartbeat with a monotonic clock (`os.clock()`). Returns true when
	 * the locker is idle and may be deleted. Idle lockers return at once without allocating.
	 * **Pass one monotonic clock (`os.clock()`) to every call; never `os.time()`.**
	 *
	 * @example
	 * RunService.Heartbeat.Connect(() => {
	 * 	const now = os.clock();
	 * 	for (const ls of lockers) ls.SessionUpdate(now);
	 * });
	 */
	SessionUpdate(HeartbeatNow: number): boolean {
		if (this.IsDeleted) {
			if (!this.warnedDeleted) {
				this.warnedDeleted = true;
				this.misuse("used_after_delete", "SessionUpdate");
			}
			return true;
		}
		const job = this.job;
		if (job !== undefined) {
			if (job.Done) {
				this.job = undefined;
				if (job.Kind === "load") this.consumeLoad(job, HeartbeatNow);
				else if (job.Kind === "save") this.consumeSave(job, HeartbeatNow);
				else this.consumeCleanup(job, HeartbeatNow);
			} else if (job.Thread !== undefined && coroutine.status(job.Thread) === "dead") {
				this.job = undefined;
				this.nextAttemptAt = HeartbeatNow + CRASHED_JOB_RETRY;
				const operation =
					job.Kind === "load"
						? "UpdateAsync_Load"
						: job.Kind === "save"
							? "UpdateAsync_Save"
							: "UpdateAsync_ReleaseOrphan";
				this.report("job_crashed", operation, { delay: CRASHED_JOB_RETRY });
			} else {
				return false;
			}
		}
		// A retry planned before closing began (a 10 or 20 s backoff) must not outlive the shutdown window. A blocked
		// fatal save keeps its period: retrying it would fail the same way.
		if (!this.fatalSaveBlocked)
			this.nextAttemptAt = this.gateway.CapRetryWhileClosing(this.nextAttemptAt, HeartbeatNow);
		if (this.Session === undefined) {
			if (this.inUseCount > 0) {
				this.State = "loading";
				if (HeartbeatNow >= this.nextAttemptAt && !this.loadBlocked) this.startLoad();
				return false;
			}
			if (this.orphanSession !== undefined) {
				// A load whose write may have landed was abandoned: free the key before going idle.
				this.State = "releasing";
				if (HeartbeatNow >= this.nextAttemptAt) this.startCleanup(this.orphanSession);
				return false;
			}
			if (!this.IsIdling) this.enterIdle();
			return true;
		}
		// A save started below begins now: a successful one dates the lease from here (consumeSave).
		this.saveStartAt = HeartbeatNow;
		if (this.inUseCount === 0) {
			this.State = "releasing";
			if (HeartbeatNow >= this.nextAttemptAt) this.startSave();
		} else {
			this.State = "held";
			this.trackLease(HeartbeatNow);
			if (HeartbeatNow >= this.nextAttemptAt) {
				if (
					this.ChangeId_PendingForce > this.ChangeId_Saved ||
					this.releasePending ||
					this.hasUnverifiedWaiter() ||
					needsHeartbeatReconfirm(this)
				) {
					this.startSave();
				} else if (HeartbeatNow >= this.autosaveAt) {
					this.autosaveCheck(HeartbeatNow);
				}
			}
		}
		return false;
	}

	/**
	 * Credit stored for a product (0 when none).
	 *
	 * @example
	 * const credits = ls.ProductCreditQuery(SKIP_LEVEL_PRODUCT);
	 */
	ProductCreditQuery(ProductId: number): number {
		const list = this.SaveData.ProductCredit;
		if (list === undefined) return 0;
		for (const entry of list) if (entry[0] === ProductId) return entry[1];
		return 0;
	}

	/**
	 * Adds credit for a product, fires ProductCreditChanged and marks a save.
	 * **`Amount` must be a positive whole number; anything else raises `invalid_credit_amount` and changes nothing.**
	 *
	 * @example
	 * ls.ProductCreditGive(SKIP_LEVEL_PRODUCT, 1);
	 */
	ProductCreditGive(ProductId: number, Amount: number, UserData?: unknown): void {
		checkCreditArguments("ProductCreditGive", ProductId, Amount, 2);
		let list = this.SaveData.ProductCredit;
		if (list === undefined) {
			list = [];
			this.SaveData.ProductCredit = list;
		}
		let found = false;
		for (const entry of list) {
			if (entry[0] === ProductId) {
				entry[1] += Amount;
				found = true;
				break;
			}
		}
		if (!found) list.push([ProductId, Amount]);
		this.MarkShouldSave();
		this.fireCreditChanged(ProductId, Amount, UserData);
	}

	/**
	 * Uses credit if at least `Amount` is stored: subtracts it, fires ProductCreditChanged, marks a save and
	 * returns true. With too little credit nothing changes and nothing fires (v13 fired anyway).
	 * **`Amount` must be a positive whole number; anything else raises `invalid_credit_amount` and changes nothing.**
	 *
	 * @example
	 * if (ls.ProductCreditUse(SKIP_LEVEL_PRODUCT, 1)) skipLevel(player);
	 */
	ProductCreditUse(ProductId: number, Amount: number, UserData?: unknown): boolean {
		checkCreditArguments("ProductCreditUse", ProductId, Amount, 2);
		const list = this.SaveData.ProductCredit;
		if (list === undefined) return false;
		for (let i = 0; i < list.size(); i++) {
			const entry = list[i];
			if (entry[0] !== ProductId) continue;
			if (entry[1] < Amount) return false;
			entry[1] -= Amount;
			if (entry[1] <= 0) list.remove(i);
			this.MarkShouldSave();
			this.fireCreditChanged(ProductId, -Amount, UserData);
			return true;
		}
		return false;
	}

	/**
	 * Waits for the changes marked so far (`MarkShouldSave`/`MarkForceSave`) to be saved. The callback (or thread)
	 * gets true once a save covers them, false if the data is replaced first. Resolved at once when nothing is
	 * pending (true) or no session is held (false).
	 * **Mark the change before calling this, or it resolves true immediately.**
	 *
	 * @example
	 * ls.SaveData.Gold += 100;
	 * ls.MarkForceSave();
	 * ls.WhenChangesSaved((saved) => print(saved ? "safe" : "discarded"));
	 */
	WhenChangesSaved(Callback?: SavedCallback | thread, ...UserData: Array<unknown>): SavedConnection {
		const connection = new SavedConnection(this, this.ChangeId_Pending, Callback, UserData);
		if (this.Session === undefined) connection.Trigger(false);
		else if (this.ChangeId_Pending <= this.acknowledgedChangeId()) connection.Trigger(true);
		else this.SavedConnections.push(connection);
		return connection;
	}

	/**
	 * Yields until the changes marked so far are saved (true) or discarded (false). **Yields; do not call it inside
	 * a callback of the LockerSpec.**
	 *
	 * @example
	 * ls.MarkForceSave();
	 * if (ls.YieldUntilChangesSaved()) return Enum.ProductPurchaseDecision.PurchaseGranted;
	 */
	YieldUntilChangesSaved(): boolean {
		if (this.Session === undefined) return false;
		if (this.ChangeId_Pending <= this.acknowledgedChangeId()) return true;
		this.WhenChangesSaved(coroutine.running());
		const [wasSaved] = coroutine.yield() as LuaTuple<[boolean]>;
		return wasSaved === true;
	}

	// ---------------------------------------------------------------- hooks for ProductPurchaser / RemoteChangeSender

	/** @internal */
	forgetSavedConnection(connection: SavedConnection): void {
		const index = this.SavedConnections.indexOf(connection);
		if (index >= 0) this.SavedConnections.unorderedRemove(index);
	}

	/**
	 * Applies the remote changes in SaveData through `ProcessRemoteChange`; consumed ones are removed locally and
	 * remembered until a save removes them from the key. Runs after a load (v13's B2 skipped changes present at
	 * load) and after each save. Call it yourself after changing `ProcessRemoteChange`'s inputs.
	 *
	 * @example
	 * ls.ProcessRemoteChanges();
	 */
	ProcessRemoteChanges(): void {
		const process = this.LockerSpec.ProcessRemoteChange;
		const list = this.SaveData.RemoteChanges;
		if (process === undefined || list === undefined || list.size() === 0) return;
		const kept = new Array<SD_RemoteChange_Base>();
		const data = this.SaveData as unknown as RawSaveData;
		let consumed = 0;
		for (const change of list) {
			const id = change.I;
			if (id !== undefined && this.ProcessedRemoteChanges.has(id)) continue;
			// A change with an idempotency key is applied at most once per key, whatever ProcessRemoteChange does:
			// its key is recorded in the same save as its effect, so a save that reported success without landing
			// (and so re-imports the change) cannot apply it twice.
			const ik = (change as { IK?: unknown }).IK;
			const alreadyApplied = typeIs(ik, "string") && isRemoteChangeApplied(data, ik);
			const outcome: CallOutcome = alreadyApplied
				? APPLIED_BEFORE
				: callUser(this.strict(), process, this.SaveData, change);
			if (!outcome.Ok) this.reportCallback("ProcessRemoteChange", outcome.Yielded, outcome.Error);
			if (outcome.Ok && outcome.Value === true) {
				consumed += 1;
				if (id !== undefined) this.ProcessedRemoteChanges.add(id);
				if (typeIs(ik, "string") && !alreadyApplied && !isRemoteChangeApplied(data, ik)) {
					recordRemoteChangeApplied(data, ik, os.time(), APPLIED_LEDGER_LIMIT, APPLIED_LEDGER_RETENTION);
				}
			} else {
				kept.push(change);
			}
		}
		this.SaveData.RemoteChanges = kept.size() > 0 ? kept : undefined;
		if (consumed > 0) this.MarkShouldSave();
	}

	// ---------------------------------------------------------------- internals

	/**
	 * @internal
	 * The user ids every write passes: UpdateAsync clears the key's user ids when given none, so a locker created
	 * without user ids keeps whatever the key already has instead of wiping it.
	 */
	userIdsForWrite(): Array<number> | undefined {
		return this.AssociatedUserIds.size() > 0 ? this.AssociatedUserIds : undefined;
	}

	/** @internal */
	strict(): boolean {
		return QueryConfig(this.LockerSpec.StrictMode, Defaults.StrictMode);
	}

	/** @internal */
	report(kind: LockerErrorKind, operation: string, fields: ErrorFields, request?: GatewayResult): LockerError {
		const err = LockerErrorForKey(kind, operation, this.DataStoreKey, fields, request);
		this.LastError = err;
		const reporter = this.LockerSpec.ReportDataStoreError;
		if (reporter !== undefined) {
			const [ok, problem] = pcall(reporter, this, operation, err.Message, err);
			if (!ok) warn(`${this.LogPrefix} ReportDataStoreError threw: ${tostring(problem)}`);
		} else {
			const [ok, problem] = pcall(Defaults.LockerSpec_ReportDataStoreError, this, operation, err.Message, err);
			if (!ok) warn(`${this.LogPrefix} default ReportDataStoreError threw: ${tostring(problem)}`);
		}
		return err;
	}

	/** @internal misuse of the API: reported, and an error in strict mode */
	misuse(kind: LockerErrorKind, operation: string): void {
		const err = this.report(kind, operation, {});
		if (this.strict()) error(`${this.LogPrefix} ${err.Message}`, 3);
	}

	/** @internal */
	reportCallback(operation: string, yielded: boolean, message: string): void {
		const err = yielded
			? this.report("callback_yielded", operation, {})
			: this.report("callback_failed", operation, { detail: message });
		// Strict mode: also a real script error, in its own thread so the state machine carries on.
		if (this.strict()) task.spawn(error, `${this.LogPrefix} ${err.Message}`, 0);
	}

	/** @internal */
	fireLifecycle(status: LifecycleStatus, reason: LifecycleReason): void {
		const lifecycle = this.LockerSpec.Lifecycle;
		if (lifecycle === undefined) return;
		const outcome = callUser(this.strict(), lifecycle, this, status, reason);
		if (!outcome.Ok) this.reportCallback(`Lifecycle(${status})`, outcome.Yielded, outcome.Error);
	}

	/** @internal */
	fireCreditChanged(productId: number, delta: number, userData: unknown): void {
		const callback = this.LockerSpec.ProductCreditChanged;
		if (callback === undefined) return;
		const outcome = callUser(this.strict(), callback, this, this.SaveData, productId, delta, userData);
		if (!outcome.Ok) this.reportCallback("ProductCreditChanged", outcome.Yielded, outcome.Error);
	}

	/** @internal runs the creator; `loud` turns a bad creator into an error (LockerCreate) instead of a report */
	createOffline(loud: boolean): RawSaveData {
		const outcome = callUser(this.strict(), this.LockerSpec.SaveDataCreator, this);
		let detail: string | undefined;
		let data: RawSaveData | string = "nil";
		if (!outcome.Ok) {
			detail = outcome.Yielded ? "the creator yielded" : `the creator threw: ${outcome.Error}`;
		} else {
			data = normalizeCreatedSaveData(outcome.Value, this.LockerSpec.SaveDataVersion);
			if (typeIs(data, "string")) detail = data;
		}
		if (detail === undefined && !typeIs(data, "string")) return data;
		const err = LockerErrorCreate("invalid_save_data", "SaveDataCreator", { detail });
		if (loud) error(`${this.LogPrefix} ${err.Message}`, 3);
		this.report("invalid_save_data", "SaveDataCreator", { detail });
		return {
			Version: this.LockerSpec.SaveDataVersion,
			VersionPatch: 0,
			Purchases: [],
			ProductCredit: [],
		};
	}

	/** @internal the creator as called inside the load transform */
	creatorForTransform(): unknown {
		const outcome = callUser(this.strict(), this.LockerSpec.SaveDataCreator, this);
		if (!outcome.Ok) error(outcome.Yielded ? "SaveDataCreator yielded" : outcome.Error, 0);
		return outcome.Value;
	}

	/** @internal */
	setLoadStatus(status: LoadStatus): void {
		if (this.LoadStatus === status) return;
		this.LoadStatus = status;
		const changed = this.LockerSpec.LoadStatusChanged;
		if (changed === undefined) return;
		const outcome = callUser(this.strict(), changed, this);
		if (!outcome.Ok) this.reportCallback("LoadStatusChanged", outcome.Yielded, outcome.Error);
	}

	/** @internal resolves every waiter with false (the data they waited on is gone) */
	failAllSavedConnections(): void {
		const list = this.SavedConnections;
		if (list.size() === 0) return;
		const pending = table.clone(list);
		list.clear();
		for (const connection of pending) connection.Trigger(false);
	}

	/** @internal resolves waiters covered by ChangeId_Saved; the others stay queued (v13's B3 dropped them) */
	triggerCoveredSavedConnections(): void {
		const list = this.SavedConnections;
		if (list.size() === 0) return;
		const covered = new Array<SavedConnection>();
		const saved = this.acknowledgedChangeId();
		for (let i = list.size() - 1; i >= 0; i--) {
			const connection = list[i];
			if (!connection.Connected) list.unorderedRemove(i);
			else if (connection.ChangeId <= saved) {
				covered.push(connection);
				list.unorderedRemove(i);
			}
		}
		for (const connection of covered) connection.Trigger(true);
	}

	/** @internal SessionReset: drop the session and go back to fresh offline data */
	resetTo(reason: LifecycleReason, initial?: boolean): void {
		this.Session = undefined;
		this.holderWriteMs = undefined;
		this.pendingSession = undefined;
		if (initial !== true) TableRestoreBackup(this.SaveData as unknown as RawSaveData, this.createOffline(false));
		this.ChangeId_Pending = 0;
		this.ChangeId_PendingForce = 0;
		this.ChangeId_Saved = 0;
		this.changeIdVerified = 0;
		this.releasePending = false;
		this.heartbeatUnconfirmed = false;
		this.ProcessedRemoteChanges.clear();
		this.fatalSaveBlocked = false;
		this.failAllSavedConnections();
		this.fireLifecycle("replaced", reason);
		if (initial === true) {
			const changed = this.LockerSpec.LoadStatusChanged;
			if (changed !== undefined) {
				const outcome = callUser(this.strict(), changed, this);
				if (!outcome.Ok) this.reportCallback("LoadStatusChanged", outcome.Yielded, outcome.Error);
			}
		} else {
			this.setLoadStatus("loading");
		}
	}

	/** @internal */
	enterIdle(): void {
		this.IsIdling = true;
		this.State = "idle";
		this.nextAttemptAt = 0;
		this.failures = 0;
		this.loadBlocked = false;
		this.pendingSession = undefined;
		// Fired once per entry into idle (v13 fired it on every idle tick).
		this.fireLifecycle("idling", "none");
	}

	/** @internal */
	spawnJob(kind: "load" | "save" | "cleanup", body: (job: Job) => void): void {
		const job: Job = {
			Kind: kind,
			Thread: undefined,
			Done: false,
			Load: undefined,
			SaveResult: undefined,
			Cleanup: undefined,
		};
		this.job = job;
		const thread = coroutine.create(body);
		job.Thread = thread;
		task.spawn(thread, job);
	}

	/** @internal */
	migratorsForTransform(): LuaTuple<[SaveDataMigrators | undefined, SaveDataPatchers | undefined]> {
		const migrators = this.LockerSpec.SaveDataMigrators;
		const patchers = this.LockerSpec.SaveDataPatchers;
		if (!this.strict()) return $tuple(migrators, patchers);
		// Strict mode: a yielding migrator is stopped and reported instead of erroring somewhere in the engine.
		const strictMigrators: SaveDataMigrators = {};
		const strictPatchers: SaveDataPatchers = {};
		if (migrators !== undefined) {
			for (const [v, m] of pairs(migrators)) {
				const fn = m as SaveDataMigrator;
				strictMigrators[v] = data => {
					const outcome = callUser(true, fn, data);
					if (!outcome.Ok) error(outcome.Yielded ? `migrator from ${v} yielded` : outcome.Error, 0);
					return outcome.Value as number;
				};
			}
		}
		if (patchers !== undefined) {
			for (const [v, p] of pairs(patchers)) {
				const fn = p as SaveDataPatcher;
				strictPatchers[v] = (data, patch) => {
					const outcome = callUser(true, fn, data, patch);
					if (!outcome.Ok) error(outcome.Yielded ? `patcher for ${v} yielded` : outcome.Error, 0);
					return outcome.Value as number;
				};
			}
		}
		return $tuple(strictMigrators, strictPatchers);
	}

	/** @internal */
	startLoad(): void {
		let session = this.pendingSession;
		if (session === undefined) {
			session = {
				PlaceId: this.gateway.PlaceId,
				JobId: this.gateway.JobId,
				LockId: this.gateway.NewLockId(),
				UpdatedAt: os.time(),
			};
			this.pendingSession = session;
		}
		const lock = session;
		this.spawnJob("load", job => this.runLoadJob(job, lock));
	}

	/** @internal the load job, in its own thread */
	runLoadJob(job: Job, session: StoredSession): void {
		const acquire = acquireResultCreate();
		if (this.DisableAPIs) {
			acquire.Status = "loaded";
			acquire.Value = TableDeepCopy(this.SaveData as unknown as RawSaveData);
			acquire.Value.Session = session;
			job.Load = {
				Request: {
					Outcome: "written",
					Value: acquire.Value,
					KeyInfo: undefined,
					ErrorMessage: "",
					Class: undefined,
					Size: 0,
				},
				Acquire: acquire,
				Session: session,
			};
			job.Done = true;
			return;
		}
		session.UpdatedAt = os.time();
		session.Heartbeat = this.heartbeatMarker();
		const [migrators, patchers] = this.migratorsForTransform();
		const context: { -readonly [K in keyof AcquireContext]: AcquireContext[K] } = {
			NewSession: session,
			Version: this.LockerSpec.SaveDataVersion,
			Expiry: QueryConfig(this.LockerSpec.SessionExpiry, Defaults.SessionExpiry),
			BackendNow: this.gateway.BackendNow(),
			CreateSaveData: () => this.creatorForTransform(),
			Migrators: migrators,
			Patchers: patchers,
			TakeDeadHolder: this.takeover?.DeadHolder(),
		};
		const store = this.store as DataStoreLike;
		const transform = (value: unknown, keyInfo: { UpdatedTime: number } | undefined) =>
			acquireTransform(value, keyInfo, context, acquire);
		let request = this.gateway.Update(
			store,
			this.DataStoreKey,
			transform,
			this.userIdsForWrite(),
			"UpdateAsync_Load",
		);
		if (request.Outcome === "not_written" && acquire.Status === "need_clock") {
			const probe = this.gateway.ProbeClock(store);
			context.BackendNow = this.gateway.BackendNow();
			if (probe.Outcome === "request_error") {
				request = probe;
			} else if (context.BackendNow !== undefined) {
				request = this.gateway.Update(
					store,
					this.DataStoreKey,
					transform,
					this.userIdsForWrite(),
					"UpdateAsync_Load",
				);
			}
		}
		job.Load = { Request: request, Acquire: acquire, Session: session };
		job.Done = true;
	}

	/**
	 * @internal 1 when this load's lock may advertise a heartbeat: liveness is on and this server's entry is written
	 * and fresh. Starts the shared heartbeat on first use and waits (briefly) for its first write. Yields.
	 */
	heartbeatMarker(): 1 | undefined {
		if (this.livenessHub === undefined) this.livenessHub = livenessHubFor(this.LockerSpec, this.gateway) ?? false;
		const hub = this.livenessHub;
		if (hub === false) return undefined;
		hub.Start(this);
		hub.AwaitFirstAttempt();
		// A lapse after this point makes the new lock's marker doubtful (heartbeatLease.ts).
		this.heartbeatEpoch = hub.LapseCount();
		return hub.IsEstablished() ? 1 : undefined;
	}

	/** @internal the takeover watch, created with the first "locked" load when liveness is on */
	takeoverWatch(): TakeoverWatch | undefined {
		const hub = this.livenessHub;
		if (hub === undefined || hub === false) return undefined;
		if (this.takeover === undefined) {
			this.takeover = new TakeoverWatch(hub, this.gateway.JobId, () => this.RetryLoadNow());
		}
		return this.takeover;
	}

	/**
	 * @internal true while this locker holds a lock or a load that may write one is in flight: this server's
	 * heartbeat entry must outlive it
	 */
	HoldsLock(): boolean {
		return (
			this.Session !== undefined ||
			this.orphanSession !== undefined ||
			(this.job !== undefined && this.job.Kind === "load")
		);
	}

	/** @internal */
	retryLater(now: number): number {
		this.failures += 1;
		const base = QueryConfig(this.LockerSpec.SessionRetryCooldown, Defaults.SessionRetryCooldown);
		const delay = this.gateway.RetryDelay(base, this.failures);
		this.nextAttemptAt = now + delay;
		return math.floor(delay * 10 + 0.5) / 10;
	}

	/** @internal */
	consumeLoad(job: Job, now: number): void {
		const result = job.Load as LoadJobResult;
		const request = result.Request;
		const acquire = result.Acquire;
		const operation = "UpdateAsync_Load";
		if (request.Outcome === "written" && acquire.Status === "loaded" && acquire.Value !== undefined) {
			this.takeover?.Cancel();
			this.holderWriteMs = request.KeyInfo !== undefined ? request.KeyInfo.UpdatedTime : undefined;
			this.onLoaded(acquire.Value, result.Session, now);
			return;
		}
		if (request.Outcome === "request_error") {
			this.setLoadStatus("data_store_request_fail");
			// The transform produced our lock before the error: the write may have committed (an ambiguous write).
			// A retry recognises the lock as ours; if the locker is released first, the lock must be cleaned up.
			if (acquire.Status === "loaded") this.orphanSession = result.Session;
			if (request.Class !== undefined && request.Class.Retry === "fatal") {
				this.loadBlocked = true;
				this.report("request_fatal", operation, { detail: request.ErrorMessage, delay: "∞" }, request);
			} else {
				const delay = this.retryLater(now);
				this.report("request_failed", operation, { detail: request.ErrorMessage, delay }, request);
			}
			return;
		}
		if (request.Outcome === "transform_threw" || request.Outcome === "incomplete") {
			this.setLoadStatus("data_store_request_fail");
			this.retryLater(now);
			this.report("transform_failed", operation, { detail: request.ErrorMessage });
			return;
		}
		if (request.Outcome === "too_large") {
			this.setLoadStatus("data_store_request_fail");
			this.loadBlocked = true;
			this.report("value_too_large", operation, { size: request.Size, limit: this.gateway.SizeLimit });
			return;
		}
		if (request.Outcome === "not_serializable") {
			this.setLoadStatus("data_store_request_fail");
			this.loadBlocked = true;
			this.report("value_not_serializable", operation, { detail: request.ErrorMessage });
			return;
		}
		// Not written: the transform decided.
		const status = acquire.Status;
		if (status === "locked") {
			this.setLoadStatus("session_is_locked");
			const base = QueryConfig(this.LockerSpec.SessionRetryCooldown, Defaults.SessionRetryCooldown);
			this.nextAttemptAt = now + this.gateway.RetryDelay(base, 1);
			// A holder whose heartbeat a read found gone is taken at once (fenced on its exact lock).
			if (this.takeoverWatch()?.OnLocked(acquire.Holder) === true) this.nextAttemptAt = now;
		} else if (status === "invalid_version") {
			this.LoadMinimumServerVersion = acquire.MinimumServerVersion;
			this.loadBlocked = true;
			this.setLoadStatus("invalid_version");
			this.report("invalid_version", operation, {
				detail: acquire.Detail,
				version: this.LockerSpec.SaveDataVersion,
				minimum: acquire.MinimumServerVersion,
			});
		} else if (status === "migration_failed") {
			// Migrators are deterministic: retrying cannot help; a server with a fixed migrator can.
			this.LoadMinimumServerVersion = this.LockerSpec.SaveDataVersion + 1;
			this.loadBlocked = true;
			this.setLoadStatus("invalid_version");
			this.report("migration_failed", operation, { detail: acquire.Detail });
		} else if (status === "invalid_data") {
			this.loadBlocked = true;
			this.setLoadStatus("invalid_data");
			this.report("invalid_stored_data", operation, { detail: acquire.Detail });
		} else if (status === "invalid_save_data") {
			this.loadBlocked = true;
			this.setLoadStatus("data_store_request_fail");
			this.report("invalid_save_data", operation, { detail: acquire.Detail });
		} else {
			// need_clock without a usable probe, or a transform that never decided.
			this.setLoadStatus("data_store_request_fail");
			const delay = this.retryLater(now);
			this.report("request_failed", operation, { detail: `load could not complete (${status})`, delay });
		}
	}

	/** @internal */
	onLoaded(value: RawSaveData, session: StoredSession, now: number): void {
		this.Session = session;
		this.pendingSession = undefined;
		this.orphanSession = undefined;
		this.failures = 0;
		this.nextAttemptAt = 0;
		this.LastError = undefined;
		this.autosaveAt = now + QueryConfig(this.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod);
		const merge = this.LockerSpec.MergeOfflineSaveDataWithLoadedSaveData;
		let offline: T | undefined;
		if (merge !== undefined) {
			offline = TableDeepCopy(this.SaveData);
			if (this.strict()) deepFreeze(offline);
		}
		TableRestoreBackup(this.SaveData as unknown as RawSaveData, value);
		this.ChangeId_Pending = 0;
		this.ChangeId_PendingForce = 0;
		this.ChangeId_Saved = 0;
		this.changeIdVerified = 0;
		this.releasePending = false;
		this.heartbeatUnconfirmed = false;
		this.ProcessedRemoteChanges.clear();
		this.failAllSavedConnections();
		this.LoadStatus = "loaded";
		this.State = this.inUseCount > 0 ? "held" : "releasing";
		if (merge !== undefined && offline !== undefined) {
			const outcome = callUser(this.strict(), merge, this, offline, this.SaveData);
			if (!outcome.Ok)
				this.reportCallback("MergeOfflineSaveDataWithLoadedSaveData", outcome.Yielded, outcome.Error);
		}
		this.ProcessRemoteChanges();
		this.fireLifecycle("replaced", "r_loaded");
		const changed = this.LockerSpec.LoadStatusChanged;
		if (changed !== undefined) {
			const outcome = callUser(this.strict(), changed, this);
			if (!outcome.Ok) this.reportCallback("LoadStatusChanged", outcome.Yielded, outcome.Error);
		}
	}

	/**
	 * @internal
	 * Dates the lease of a newly loaded lock. A load is consumed earlier in the same SessionUpdate, so `now` is when
	 * its result arrived: later than its write by one request, which the lease margin covers.
	 */
	trackLease(now: number): void {
		if (this.leaseSession === this.Session) return;
		this.leaseSession = this.Session;
		this.lastWriteAt = now;
		this.loadMerged = this.LockerSpec.MergeOfflineSaveDataWithLoadedSaveData !== undefined;
	}

	/**
	 * @internal
	 * True when something is in SaveData but not in the key: a marked change (purchases and product credits mark
	 * one), a remote change applied but still listed in the key, or offline data merged on load.
	 */
	hasUnsavedChanges(): boolean {
		return this.ChangeId_Pending > this.ChangeId_Saved || this.ProcessedRemoteChanges.size() > 0 || this.loadMerged;
	}

	/** @internal an autosave check: write only what changed, or the lease when it is due (savePlan) */
	autosaveCheck(now: number): void {
		const plan = planAutosave({
			Now: now,
			Period: QueryConfig(this.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod),
			Expiry: QueryConfig(this.LockerSpec.SessionExpiry, Defaults.SessionExpiry),
			LastWriteAt: this.lastWriteAt,
			Dirty: this.hasUnsavedChanges(),
		});
		if (plan.Write === "none") this.autosaveAt = plan.NextCheckAt;
		else this.startSave();
	}

	/** @internal */
	startSave(): void {
		const session = this.Session as StoredSession;
		if (this.inUseCount === 0 && !this.releasePending) {
			// From here until a write settles it, the data may become the next holder's at any moment: nothing new
			// may rely on it (a purchase, a reused profile), so the locker stops being loaded and available.
			this.releasePending = true;
			this.setLoadStatus("loading");
		}
		if (this.inUseCount === 0) releasesUnwritten.add(this);
		this.spawnJob("save", job => this.runSaveJob(job, session));
	}

	/** @internal */
	verifiesAwaitedSaves(): boolean {
		return QueryConfig(this.LockerSpec.VerifyAwaitedSaves, Defaults.VerifyAwaitedSaves);
	}

	/** @internal the ChangeId up to which waiters may be told "saved": read back when verification is on */
	acknowledgedChangeId(): number {
		return this.verifiesAwaitedSaves() ? this.changeIdVerified : this.ChangeId_Saved;
	}

	/**
	 * @internal
	 * A waiter that arrived after the save covering its changes returned unverified: only a verified save may
	 * answer it, so one is due now rather than at the next autosave.
	 */
	hasUnverifiedWaiter(): boolean {
		if (this.changeIdVerified >= this.ChangeId_Saved || !this.verifiesAwaitedSaves()) return false;
		for (const connection of this.SavedConnections) {
			if (connection.Connected && connection.ChangeId <= this.ChangeId_Saved) return true;
		}
		return false;
	}

	/**
	 * @internal
	 * A fenced write (or a read-back) proved the key still holds our lock after a release that did not land: the
	 * session goes on, and SaveData (kept in memory all along) is loaded again.
	 */
	confirmSession(): void {
		if (!this.releasePending) return;
		this.releasePending = false;
		if (this.LoadStatus === "loaded") return;
		this.LoadStatus = "loaded";
		this.fireLifecycle("replaced", "r_loaded");
		const changed = this.LockerSpec.LoadStatusChanged;
		if (changed !== undefined) {
			const outcome = callUser(this.strict(), changed, this);
			if (!outcome.Ok) this.reportCallback("LoadStatusChanged", outcome.Yielded, outcome.Error);
		}
	}

	/** @internal the save job, in its own thread */
	runSaveJob(job: Job, session: StoredSession): void {
		this.fireLifecycle("before_save", "none");
		const save = saveResultCreate();
		const result: SaveJobResult = {
			Request: undefined,
			Save: save,
			ChangeId: 0,
			Processed: new Set(),
			PreflightSize: undefined,
			PreflightError: undefined,
			Verified: true,
			ReadBack: false,
			VerifyDetail: "",
			ReleaseCheck: undefined,
		};
		if (this.DisableAPIs) {
			result.ChangeId = this.ChangeId_Pending;
			result.ReadBack = true; // nothing is stored anywhere, so there is nothing to read back
			save.Status = "saved";
			save.Release = this.inUseCount === 0;
			save.WrittenSession = save.Release ? undefined : session;
			save.WrittenRemoteChanges = this.SaveData.RemoteChanges;
			job.SaveResult = result;
			job.Done = true;
			return;
		}
		// Size check before the request: an oversized value is never sent, truncated or dropped.
		const [measured, size] = this.gateway.Measure(this.SaveData);
		if (!measured) {
			result.PreflightError = size as string;
		} else if ((size as number) > this.gateway.SizeLimit) {
			result.PreflightSize = size as number;
		}
		if (result.PreflightError !== undefined || result.PreflightSize !== undefined) {
			job.SaveResult = result;
			job.Done = true;
			return;
		}
		const version = this.LockerSpec.SaveDataVersion;
		const operation = this.inUseCount === 0 ? "UpdateAsync_Release" : "UpdateAsync_Save";
		result.Request = this.gateway.Update(
			this.store as DataStoreLike,
			this.DataStoreKey,
			value => {
				this.fireLifecycle("before_save_transform", "none");
				result.ChangeId = this.ChangeId_Pending;
				const processed = new Set<number>();
				for (const id of this.ProcessedRemoteChanges) processed.add(id);
				result.Processed = processed;
				return saveTransform(
					value,
					{
						Session: session,
						Version: version,
						// Read here, not at job start: a re-acquire that lands before the transform cancels the release.
						Release: this.inUseCount === 0,
						Snapshot: TableDeepCopy(this.SaveData as unknown as RawSaveData),
						ProcessedRemoteIds: processed,
						UpdatedAtLabel: os.time(),
					},
					save,
				);
			},
			this.userIdsForWrite(),
			operation,
		);
		if (result.Request.Outcome === "written" || save.Status === "lost") releasesUnwritten.delete(this);
		if (result.Request.Outcome === "written" && save.Status === "saved") {
			// A release is read back: it is the session's last write, and one reported as done that never landed
			// would lose the session's last changes and leave the key locked until it expires.
			const readBack = save.Release ? this.releaseReadBack() : "skip";
			if (readBack !== "skip") {
				this.checkRelease(result, session);
				if (readBack === "reserved") closingReadBacks -= 1;
			} else if (this.hasWaitersUpTo(result.ChangeId)) this.verifyWrite(result);
		}
		job.SaveResult = result;
		job.Done = true;
	}

	/**
	 * @internal
	 * Whether a written release is read back: always outside shutdown ("always"). While closing ("reserved", or
	 * "skip"): only once no other release of this server is still unwritten, so the read never queues ahead of one;
	 * only if it can start CLOSING_READBACK_RESERVE before the deadline; and only with a unit of UpdateAsync budget
	 * left for it, so it never waits in the request queue. Yields.
	 */
	releaseReadBack(): "always" | "reserved" | "skip" {
		if (!serverClosing) return "always";
		const deadline = this.gateway.closingDeadline;
		if (deadline === undefined) return "skip";
		while (releasesUnwritten.size() > 0) {
			if (this.gateway.clock() >= deadline - CLOSING_READBACK_RESERVE) return "skip";
			task.wait(CLOSING_READBACK_POLL);
		}
		if (this.gateway.clock() >= deadline - CLOSING_READBACK_RESERVE) return "skip";
		if (updateBudget() - closingReadBacks < 1) return "skip";
		closingReadBacks += 1;
		return "reserved";
	}

	/** @internal reads the key back after a release: does it still hold our lock? */
	checkRelease(result: SaveJobResult, session: StoredSession): void {
		let ours = false;
		const check = this.gateway.Update(
			this.store as DataStoreLike,
			this.DataStoreKey,
			value => {
				ours = isRawTable(value) && isSameLock(value.Session, session);
				return undefined;
			},
			this.userIdsForWrite(),
			"UpdateAsync_VerifyRelease",
		);
		if (check.Outcome !== "not_written") {
			result.ReleaseCheck = "unknown";
			result.VerifyDetail = `the read-back failed: ${check.ErrorMessage}`;
		} else if (ours) {
			result.ReleaseCheck = "ours";
			result.VerifyDetail = "the key still holds our lock";
		} else {
			result.ReleaseCheck = "released";
		}
	}

	/** @internal true when a waiter would be resolved by a save covering `changeId` */
	hasWaitersUpTo(changeId: number): boolean {
		if (!this.verifiesAwaitedSaves()) return false;
		for (const connection of this.SavedConnections) {
			if (connection.Connected && connection.ChangeId <= changeId) return true;
		}
		return false;
	}

	/**
	 * @internal
	 * A write can be reported as done without landing. Before waiters (purchases!) are told "saved", read the key
	 * back with a write-less UpdateAsync and check that its version is the one our write returned.
	 */
	verifyWrite(result: SaveJobResult): void {
		const request = result.Request as GatewayResult;
		const expected = request.KeyInfo !== undefined ? request.KeyInfo.Version : undefined;
		let seen: string | undefined;
		const check = this.gateway.Update(
			this.store as DataStoreLike,
			this.DataStoreKey,
			(_value, keyInfo) => {
				seen = keyInfo !== undefined ? keyInfo.Version : undefined;
				return undefined;
			},
			this.userIdsForWrite(),
			"UpdateAsync_Verify",
		);
		if (check.Outcome === "request_error") {
			result.Verified = false;
			result.VerifyDetail = `the read-back failed: ${check.ErrorMessage}`;
		} else if (expected === undefined || seen !== expected) {
			result.Verified = false;
			result.VerifyDetail = `the key's version is ${tostring(seen)}, not the ${tostring(expected)} our write returned`;
		} else {
			result.ReadBack = true;
		}
	}

	/** @internal removes a lock an abandoned load may have written, if (and only if) it is still exactly ours */
	startCleanup(lock: StoredSession): void {
		this.spawnJob("cleanup", job => {
			job.Cleanup = this.gateway.Update(
				this.store as DataStoreLike,
				this.DataStoreKey,
				value => {
					if (!isRawTable(value) || !isSameLock(value.Session, lock)) return undefined;
					value.Session = undefined;
					return value;
				},
				this.userIdsForWrite(),
				"UpdateAsync_ReleaseOrphan",
			);
			job.Done = true;
		});
	}

	/** @internal */
	consumeCleanup(job: Job, now: number): void {
		const request = job.Cleanup as GatewayResult;
		if (request.Outcome === "written" || request.Outcome === "not_written") {
			this.orphanSession = undefined;
			this.nextAttemptAt = 0;
			return;
		}
		if (request.Outcome === "request_error" && request.Class !== undefined && request.Class.Retry === "fatal") {
			// Nothing more can be done from here; the lock expires on its own.
			this.orphanSession = undefined;
			this.report(
				"request_fatal",
				"UpdateAsync_ReleaseOrphan",
				{ detail: request.ErrorMessage, delay: "∞" },
				request,
			);
			return;
		}
		const delay = this.retryLater(now);
		this.report("request_failed", "UpdateAsync_ReleaseOrphan", { detail: request.ErrorMessage, delay }, request);
	}

	/** @internal a fatal save problem: keep everything, retry only after the data changes or a maintain period */
	blockSaves(now: number): number {
		const period = QueryConfig(this.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod);
		// Not retried before the period: read-backs while closing must not wait for it.
		releasesUnwritten.delete(this);
		this.fatalSaveBlocked = true;
		this.nextAttemptAt = now + period;
		return period;
	}

	/** @internal reports a fatal error unless the same one is already the last error ("reported once") */
	reportOnce(kind: LockerErrorKind, operation: string, fields: ErrorFields, request?: GatewayResult): void {
		const last = this.LastError;
		if (last !== undefined && last.Kind === kind) {
			const message = request !== undefined ? request.ErrorMessage : undefined;
			if (message === last.RequestMessage) return;
		}
		this.report(kind, operation, fields, request);
	}

	/** @internal */
	consumeSave(job: Job, now: number): void {
		// Held again (re-acquired while releasing): no release of this locker is waiting to be written.
		if (this.inUseCount > 0) releasesUnwritten.delete(this);
		const result = job.SaveResult as SaveJobResult;
		const save = result.Save;
		const request = result.Request;
		const operation = save.Release || this.inUseCount === 0 ? "UpdateAsync_Release" : "UpdateAsync_Save";
		if (result.PreflightSize !== undefined) {
			const delay = this.blockSaves(now);
			this.reportOnce("value_too_large", operation, {
				size: result.PreflightSize,
				limit: this.gateway.SizeLimit,
				delay,
			});
			return;
		}
		if (result.PreflightError !== undefined) {
			this.blockSaves(now);
			this.reportOnce("value_not_serializable", operation, { detail: result.PreflightError });
			return;
		}
		if (!this.DisableAPIs) {
			const r = request as GatewayResult;
			if (r.Outcome === "request_error") {
				if (r.Class !== undefined && r.Class.Retry === "fatal") {
					const delay = this.blockSaves(now);
					this.reportOnce("request_fatal", operation, { detail: r.ErrorMessage, delay }, r);
				} else {
					const delay = this.retryLater(now);
					this.report("request_failed", operation, { detail: r.ErrorMessage, delay }, r);
				}
				return;
			}
			if (r.Outcome === "too_large") {
				const delay = this.blockSaves(now);
				this.reportOnce("value_too_large", operation, { size: r.Size, limit: this.gateway.SizeLimit, delay });
				return;
			}
			if (r.Outcome === "not_serializable") {
				this.blockSaves(now);
				this.reportOnce("value_not_serializable", operation, { detail: r.ErrorMessage });
				return;
			}
			if (r.Outcome === "transform_threw" || r.Outcome === "incomplete") {
				// Not a lost lock: nothing says another server owns the key. Keep data and session; retry.
				this.retryLater(now);
				this.report("transform_failed", operation, { detail: r.ErrorMessage });
				return;
			}
			if (save.Status === "lost") {
				releasesUnwritten.delete(this);
				this.report("lock_lost", operation, { detail: save.LostDetail ?? save.LostReason });
				this.resetTo("r_lost");
				this.nextAttemptAt = 0;
				this.failures = 0;
				return;
			}
			if (r.Outcome !== "written" || save.Status !== "saved") {
				this.retryLater(now);
				this.report("transform_failed", operation, { detail: `unexpected save outcome ${r.Outcome}` });
				return;
			}
		}
		if (save.Release && result.ReleaseCheck !== undefined && result.ReleaseCheck !== "released") {
			// Reported as done, but not found. "ours": it never landed, the key still holds our lock and older data,
			// so the session goes on (a player who came back keeps it) or the release is written again. "unknown":
			// it may have landed; the next fenced write tells.
			if (result.ReleaseCheck === "ours" && this.inUseCount > 0) {
				this.confirmSession();
				this.autosaveAt = now; // the dropped release's changes are not in the key yet
			}
			const delay = this.retryLater(now);
			this.report("write_unconfirmed", operation, { detail: result.VerifyDetail, delay });
			return;
		}
		// A fenced holder write landed, so the key still held our lock: an earlier release did not land.
		if (!save.Release) this.confirmSession();
		if (!result.Verified) {
			// Treat it as a failed save: waiters stay queued, nothing counts as saved, the next save writes it all.
			const delay = this.retryLater(now);
			this.report("write_unconfirmed", operation, { detail: result.VerifyDetail, delay });
			return;
		}
		this.failures = 0;
		this.fatalSaveBlocked = false;
		this.nextAttemptAt = 0;
		this.LastError = undefined;
		for (const id of result.Processed) this.ProcessedRemoteChanges.delete(id);
		if (result.ChangeId > this.ChangeId_Saved) this.ChangeId_Saved = result.ChangeId;
		if (save.Release || result.ReadBack) {
			if (result.ChangeId > this.changeIdVerified) this.changeIdVerified = result.ChangeId;
		}
		if (save.Release) {
			releasesUnwritten.delete(this);
			this.fireLifecycle("saved", "none");
			this.triggerCoveredSavedConnections();
			this.resetTo("r_released");
			return;
		}
		if (save.WrittenSession !== undefined) this.Session = save.WrittenSession;
		// A holder write stamped UpdatedAt (after this save started) and carried everything merged on load.
		this.heartbeatUnconfirmed = false;
		this.leaseSession = this.Session;
		this.lastWriteAt = this.saveStartAt;
		this.loadMerged = false;
		const written = request !== undefined ? request.KeyInfo : undefined;
		if (written !== undefined) this.holderWriteMs = written.UpdatedTime;
		this.autosaveAt = now + QueryConfig(this.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod);
		this.importRemoteChanges(save.WrittenRemoteChanges);
		this.fireLifecycle("saved", "none");
		this.triggerCoveredSavedConnections();
	}

	/** @internal merges remote changes this save saw in the key (by id) into SaveData and processes them */
	importRemoteChanges(written: Array<SD_RemoteChange_Base> | undefined): void {
		if (written === undefined || written.size() === 0) return;
		const merged = readRemoteChanges(this.SaveData);
		const known = new Set<number>();
		for (const change of merged) if (change.I !== undefined) known.add(change.I);
		let added = false;
		for (const change of written) {
			const id = change.I;
			if (id === undefined || known.has(id) || this.ProcessedRemoteChanges.has(id)) continue;
			merged.push(TableDeepCopy(change));
			known.add(id);
			added = true;
		}
		if (!added) return;
		this.SaveData.RemoteChanges = merged;
		this.ProcessRemoteChanges();
	}
}
