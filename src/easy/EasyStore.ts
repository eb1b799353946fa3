import type { LifecycleReason, LifecycleStatus, LockerSpec } from "../locker/LockerSpec";
import type { LockerState } from "../locker/LockerState";
import type { DataStoreLike } from "../gateway/types";
import type { SaveData, SD_RemoteChange_Base } from "../protocol/format";
import type { ProductProcessFunction, ReceiptInfo } from "../purchases/types";
import { RemoteChangeListener, RemoteChangeListenerCreate } from "../remote/RemoteChangeReceiver";
import { RemoteChangeSend, RemoteChangeSender, RemoteChangeSenderCreate } from "../remote/RemoteChangeSender";
import { easyPurchaser } from "./EasyDriver";
import type { DrivenStore } from "./easySchedule";
import { EasyProfile } from "./EasyProfile";
import type { EasyProfileOwner } from "./EasyProfileOwner";
import { easyStoreBeginClosing, easyStoreDescribePending, easyStoreUpdate } from "./easyStoreDriving";
import {
	easyStoreAttach,
	easyStoreCreateLocker,
	easyStoreForget,
	easyStoreOnLifecycle,
	LockerEntry,
} from "./easyStoreSessions";
import { ReleaseAnnouncer } from "./ReleaseAnnouncer";
import type { StudioDataStore } from "./StudioDataStore";

// The EasyStore class. Its other concepts live next to it:
//   EasyStoreCreate.ts     EasyStoreCreate: checks the call, builds the store, registers it with the driver
//   easyStoreArguments.ts  the options object and the v13 positional form, parsed into one options table
//   EasyStoreOptions.ts    EasyStoreOptions, EasyStoreSettings, EasyStoreConfig and their validation
//   easyLockerSpec.ts      the LockerSpec built from the options (Studio wrapping, callbacks, topics)
//   easyStoreSessions.ts   the per-locker bookkeeping: entries by key, attaching profiles, lifecycle events
//   easyStoreDriving.ts    the driver hooks' bodies: one Heartbeat step, the start of a shutdown, what is pending

/**
 * Session-locked player data with the least code: create one per DataStore, start a session per player, end it
 * when they leave. The store drives its sessions from one shared Heartbeat connection, ends them all on shutdown,
 * and can send changes to keys another server holds.
 *
 * @example
 * const store = EasyStoreCreate(DataStoreService.GetDataStore("PlayerData"), () => ({ Coins: 0 }));
 * const profile = store.StartSessionReusable(tostring(player.UserId), [player.UserId]);
 */
export class EasyStore<T extends SaveData = SaveData> implements EasyProfileOwner, DrivenStore {
	/** The LockerSpec every session of this store uses. */
	readonly LockerSpec: LockerSpec<T>;
	/** The DataStore passed to EasyStoreCreate. */
	readonly DataStore: DataStore | DataStoreLike;
	/** In Studio: the wrapper deciding between real keys and memory; undefined on live servers. */
	readonly Studio: StudioDataStore | undefined;
	/** Sends `SendRemoteChanges` (creating missing keys); driven by the store's Heartbeat step. */
	readonly RemoteChangeSender: RemoteChangeSender;
	/** Applies remote changes at once when a sender nudges this server through MessagingService. */
	readonly RemoteChangeListener: RemoteChangeListener<T>;
	/** Announces this server's releases and retries loads that waited for another server's (faster server hops). */
	readonly ReleaseAnnouncer: ReleaseAnnouncer | undefined;
	/** @internal */ readonly lockers = new Map<LockerState<T>, LockerEntry<T>>();
	/**
	 * @internal The same entries in creation order. Iteration goes through this array, never the map: a map keyed by
	 * objects iterates in memory-address order, which would make the order of requests differ between runs.
	 */
	readonly entries = new Array<LockerEntry<T>>();
	/** @internal */ readonly byKey = new Map<string, Array<LockerState<T>>>();
	/** @internal the first closing step was taken: retries are short and sends fail at the deadline */
	closingStarted = false;

	/** @internal EasyStoreCreate's way in: the constructor is private so that `new EasyStore()` does not compile. */
	static make<T extends SaveData>(
		dataStore: DataStore | DataStoreLike,
		spec: LockerSpec<T>,
		studio: StudioDataStore | undefined,
		topic: string | undefined,
		releaseTopic?: string,
	): EasyStore<T> {
		return new EasyStore<T>(dataStore, spec, studio, topic, releaseTopic);
	}

	/** Use EasyStoreCreate. */
	private constructor(
		dataStore: DataStore | DataStoreLike,
		spec: LockerSpec<T>,
		studio: StudioDataStore | undefined,
		topic: string | undefined,
		releaseTopic?: string,
	) {
		this.DataStore = dataStore;
		this.LockerSpec = spec;
		this.Studio = studio;
		this.RemoteChangeSender = RemoteChangeSenderCreate(spec, true, undefined, undefined, { Topic: topic });
		this.RemoteChangeListener = RemoteChangeListenerCreate(spec, {
			Topic: topic,
			GetLockerState: key => this.loadedLocker(key),
		});
		this.ReleaseAnnouncer =
			releaseTopic !== undefined ? new ReleaseAnnouncer(releaseTopic, key => this.retryLoads(key)) : undefined;
	}

	/**
	 * Starts a new session for a key: a new LockerState that loads the data and holds the lock until
	 * `EndSession()`. **If this server still holds the key (a player who just left), the new session waits for that
	 * release like any other server would (about 10 s); use `StartSessionReusable` for players.**
	 *
	 * @example
	 * const profile = store.StartSession(`Guild_${guildId}`);
	 */
	StartSession(
		DataStoreKey: string,
		UserIds?: Array<number>,
		LogPrefix?: string,
		DisableAPIs?: boolean,
	): EasyProfile<T> {
		const locker = this.createLocker(DataStoreKey, UserIds, LogPrefix, DisableAPIs);
		return this.attach(locker);
	}

	/**
	 * Starts a session, reusing this server's LockerState for the key when there is one (preferring a loaded one):
	 * a player who rejoins before the release landed gets the same session back with no DataStore request and no
	 * lost change. Several profiles can share one locker; it is released when all of them ended. The optional
	 * arguments apply only when a new locker is created.
	 *
	 * @example
	 * Players.PlayerAdded.Connect((player) => {
	 * 	const profile = store.StartSessionReusable(tostring(player.UserId), [player.UserId]);
	 * });
	 */
	StartSessionReusable(
		DataStoreKey: string,
		UserIds?: Array<number>,
		LogPrefix?: string,
		DisableAPIs?: boolean,
	): EasyProfile<T> {
		let chosen: LockerState<T> | undefined;
		const candidates = this.byKey.get(DataStoreKey);
		if (candidates !== undefined) {
			for (const locker of candidates) {
				if (locker.IsDeleted) continue;
				if (chosen === undefined || (locker.LoadStatus === "loaded" && chosen.LoadStatus !== "loaded")) {
					chosen = locker;
				}
			}
		}
		if (chosen === undefined) chosen = this.createLocker(DataStoreKey, UserIds, LogPrefix, DisableAPIs);
		return this.attach(chosen);
	}

	/**
	 * Sends remote changes to a key, whichever server holds it (or none): they are appended to the key (created if
	 * missing) and applied exactly once by the holder's `ProcessRemoteChange`, at once when the holder is nudged
	 * through MessagingService, else on its next save or load. `Callback(sent)` runs once they are stored.
	 * **Never change the meaning of a kind `K`; add "gift_v2" instead.**
	 *
	 * @example
	 * store.SendRemoteChanges(tostring(friendId), [{ K: "gift_coins", Amount: 50 }]);
	 */
	SendRemoteChanges(
		DataStoreKey: string,
		RemoteChanges: Array<SD_RemoteChange_Base & { [field: string]: unknown }>,
		Callback?: (Sent: boolean, Send: RemoteChangeSend) => void,
	): RemoteChangeSend {
		return this.RemoteChangeSender.Send(DataStoreKey, RemoteChanges, Callback);
	}

	/**
	 * Profiles that are active for a key on this server.
	 *
	 * @example
	 * const [profile] = store.GetActiveProfiles(tostring(userId));
	 */
	GetActiveProfiles(DataStoreKey: string): Array<EasyProfile<T>> {
		const found = new Array<EasyProfile<T>>();
		const lockers = this.byKey.get(DataStoreKey);
		if (lockers === undefined) return found;
		for (const locker of lockers) {
			const entry = this.lockers.get(locker);
			if (entry !== undefined) for (const profile of entry.Active) found.push(profile);
		}
		return found;
	}

	/**
	 * Number of LockerStates this store still drives (held, loading or releasing); 0 once everything is released.
	 *
	 * @example
	 * print(`${store.GetLockerCount()} sessions open`);
	 */
	GetLockerCount(): number {
		return this.lockers.size();
	}

	// ---------------------------------------------------------------- internals

	/** @internal */
	createLocker(
		key: string,
		userIds: Array<number> | undefined,
		logPrefix: string | undefined,
		disableAPIs: boolean | undefined,
	): LockerState<T> {
		return easyStoreCreateLocker(this, key, userIds, logPrefix, disableAPIs);
	}

	/** @internal */
	attach(locker: LockerState<T>): EasyProfile<T> {
		return easyStoreAttach(this, locker);
	}

	/** @internal EasyProfileOwner */
	endProfile(profile: EasyProfile<never>): void {
		const p = profile as unknown as EasyProfile<T>;
		const entry = this.lockers.get(p.ELS);
		if (entry === undefined) return;
		const index = entry.Active.indexOf(p);
		if (index >= 0) entry.Active.remove(index);
		entry.Ended.push(p);
		p.ELS.MarkShouldRelease(p);
	}

	/** @internal EasyProfileOwner: runs a purchase through the server's shared ProductPurchaser */
	purchaseFor(
		profile: EasyProfile<never>,
		processFunction: unknown,
		receiptInfo: unknown,
		callback: ((granted: boolean) => void) | undefined,
		userData: unknown,
	): boolean | undefined {
		const p = profile as unknown as EasyProfile<T>;
		const purchaser = easyPurchaser();
		const pf = processFunction as ProductProcessFunction<T>;
		const receipt = receiptInfo as ReceiptInfo;
		const data = userData as object | undefined;
		if (callback !== undefined) {
			purchaser.CallWhenProductIsProcessedAndSaved(p.ELS, pf, receipt, callback, data);
			return undefined;
		}
		return purchaser.YieldUntilProductIsProcessedAndSaved(p.ELS, pf, receipt, data);
	}

	/** @internal the loaded locker of a key, for remote-change nudges */
	loadedLocker(key: string): LockerState<T> | undefined {
		const list = this.byKey.get(key);
		if (list === undefined) return undefined;
		for (const locker of list) if (!locker.IsDeleted && locker.IsAvailable()) return locker;
		return undefined;
	}

	/** @internal another server released `key`: loads here that found it locked retry now */
	retryLoads(key: string): void {
		const list = this.byKey.get(key);
		if (list !== undefined) for (const locker of list) locker.RetryLoadNow();
	}

	/** @internal the LockerSpec's Lifecycle callback */
	onLifecycle(locker: LockerState<T>, status: LifecycleStatus, reason: LifecycleReason): void {
		easyStoreOnLifecycle(this, locker, status, reason);
	}

	/** @internal the LockerSpec's ProductCreditChanged callback */
	onCreditChanged(locker: LockerState<T>, productId: number, delta: number, userData: unknown): void {
		const entry = this.lockers.get(locker);
		if (entry === undefined) return;
		for (const profile of entry.Active) profile.ProductCreditChanged.Fire(productId, delta, userData);
	}

	/** @internal the LockerSpec's LoadStatusChanged callback: the watchers of the locker's profiles hear it */
	onLoadStatusChanged(locker: LockerState<T>): void {
		const entry = this.lockers.get(locker);
		if (entry === undefined) return;
		for (const profile of entry.Active) profile.watcher?.loadStatusChanged();
	}

	/** @internal DrivenStore: one Heartbeat step (sessions, deletions, remote sends) */
	update(now: number, closing: boolean): void {
		easyStoreUpdate(this, now, closing);
	}

	/** @internal the first closing step: shortens retries and sets the remote sends' deadline */
	beginClosing(): void {
		easyStoreBeginClosing(this);
	}

	/** @internal */
	forget(locker: LockerState<T>): void {
		easyStoreForget(this, locker);
	}

	/** @internal DrivenStore: what keeps this store busy, for the shutdown warning; empty when idle */
	describePending(): string {
		return easyStoreDescribePending(this);
	}

	/** @internal DrivenStore */
	isBusy(): boolean {
		return this.lockers.size() > 0 || this.RemoteChangeSender.IsSending();
	}
}
