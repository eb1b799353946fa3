import { Defaults, QueryConfig } from "../config";
import { LockerError, LockerErrorCreate } from "../errors";
import { FakeDataStore, ReadableDataStore, readOnlyBackendFor, testDataBackendFor } from "../gateway/FakeDataStore";
import { DefaultGateway, RequestGateway } from "../gateway/RequestGateway";
import { DataStoreLike } from "../gateway/types";
import type { LivenessHub } from "../liveness/LivenessHub";
import { SaveData, StoredSession } from "../protocol/format";
import { checkCreditArguments } from "../purchases/creditAmount";
import { LoadStatus, LockerPhase, LockerSpec } from "./LockerSpec";
import { SavedCallback, SavedConnection, SavedConnectionOwner } from "./SavedConnection";
import { heartbeatLeaseInDoubt } from "./heartbeatLease";
import { Job } from "./jobs";
import { productCreditGive, productCreditQuery, productCreditUse } from "./productCredit";
import { watchServerClose } from "./release";
import { processRemoteChanges } from "./remoteChanges";
import { fireLifecycle, misuse } from "./reporting";
import { createOffline, resetTo } from "./reset";
import { acknowledgedChangeId, failAllSavedConnections } from "./savedWaiters";
import { sessionStep } from "./sessionStep";
import { TakeoverWatch } from "./takeover";
import { PHASES, Phase, transition } from "./transition";

/** The hold key `MarkShouldAcquire`/`MarkShouldRelease` use when given none. */
export const DEFAULT_HOLD_KEY = "__SessionLocker";

function isValidKey(key: unknown): LuaTuple<[boolean, string]> {
	if (!typeIs(key, "string")) return $tuple(false, `not a string but a ${typeOf(key)}`);
	if (key.size() === 0) return $tuple(false, "empty");
	if (key.size() > 50) return $tuple(false, `${key.size()} bytes long`);
	return $tuple(true, "");
}

/**
 * Session-locked save data for one DataStore key: an explicit state machine (idle → loading → held → releasing →
 * idle → deleted; docs/lifecycle.md has every phase and move) that you advance with `SessionUpdate(now)` every
 * Heartbeat. Requests run in their own threads through the server's RequestGateway; their results are applied on the
 * next `SessionUpdate`.
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
	/** @internal the phase; only `transition` changes it, and it keeps `State` and `IsDeleted` in step */
	phase: Phase = PHASES.idle;
	/** @internal */ nextAttemptAt = 0;
	/** @internal */ autosaveAt = 0;
	/** @internal */ failures = 0;
	/**
	 * @internal
	 * Called after a public method changed what the next SessionUpdate would do (a hold, a forced save, a waiter, a
	 * retry): a driver that steps lockers only when they are due (the Easy API's) looks at this one on its next frame.
	 */
	onPoke: ((ls: LockerState) => void) | undefined;
	/** @internal a release of this key was announced while a load was in flight (RetryLoadNow) */
	releaseHeard = false;
	/** @internal consecutive "locked" results of this load attempt: the first retries come sooner (loadJob) */
	lockedStreak = 0;
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
		const created = createOffline(this, true);
		this.SaveData = created as unknown as T;
		resetTo(this, "r_released", true);
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
			misuse(this, "used_after_delete", "MarkShouldAcquire");
			return;
		}
		const holdKey = HoldKey ?? DEFAULT_HOLD_KEY;
		if (this.InUse.has(holdKey)) return;
		this.InUse.add(holdKey);
		this.inUseCount += 1;
		this.IsIdling = false;
		this.onPoke?.(this);
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
		this.onPoke?.(this);
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
		this.onPoke?.(this);
	}

	/**
	 * Records that SaveData changed; the change rides along with the next autosave or forced save. An autosave
	 * writes only when something was marked (or the lease needs refreshing), so **mark every change: an unmarked
	 * edit waits for the next write, at most `SessionExpiry` minus two autosave periods away (1,200 s by default). Call it before waiting on `WhenChangesSaved`.**
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
			this.onPoke?.(this);
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
		this.onPoke?.(this);
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
		if (this.IsDeleted || this.Session !== undefined || this.inUseCount === 0) return false;
		if (this.job !== undefined) {
			// A load in flight may have read the key just before the release landed: if it comes back "locked",
			// it retries at once instead of after its cooldown.
			if (this.job.Kind !== "load") return false;
			this.releaseHeard = true;
			return true;
		}
		if (this.LoadStatus !== "session_is_locked") return false;
		this.nextAttemptAt = 0;
		this.onPoke?.(this);
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
			misuse(this, "not_idle", "MarkDeleted");
			return;
		}
		transition(this, PHASES.deleted, "delete", "MarkDeleted");
		this.IsIdling = true;
		failAllSavedConnections(this);
		fireLifecycle(this, "deleted", "none");
		this.onPoke?.(this);
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
				misuse(this, "used_after_delete", "SessionUpdate");
			}
			return true;
		}
		return sessionStep(this, HeartbeatNow);
	}

	/**
	 * Credit stored for a product (0 when none).
	 *
	 * @example
	 * const credits = ls.ProductCreditQuery(SKIP_LEVEL_PRODUCT);
	 */
	ProductCreditQuery(ProductId: number): number {
		return productCreditQuery(this, ProductId);
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
		productCreditGive(this, ProductId, Amount, UserData);
		this.onPoke?.(this);
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
		const used = productCreditUse(this, ProductId, Amount, UserData);
		this.onPoke?.(this);
		return used;
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
		else if (this.ChangeId_Pending <= acknowledgedChangeId(this)) connection.Trigger(true);
		else {
			this.SavedConnections.push(connection);
			this.onPoke?.(this);
		}
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
		if (this.ChangeId_Pending <= acknowledgedChangeId(this)) return true;
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
		processRemoteChanges(this);
		this.onPoke?.(this);
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
}
