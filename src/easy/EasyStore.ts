import { LockerCreate } from "../locker/LockerCreate";
import type { LifecycleReason, LifecycleStatus, LockerSpec } from "../locker/LockerSpec";
import type { LockerState } from "../locker/LockerState";
import { DefaultGateway } from "../gateway/RequestGateway";
import type { DataStoreLike } from "../gateway/types";
import type { SaveData, SD_RemoteChange_Base } from "../protocol/format";
import type { SaveDataMigrators, SaveDataPatchers } from "../protocol/migrate";
import type { ProductProcessFunction, ReceiptInfo } from "../purchases/types";
import {
	RemoteChangeListener,
	RemoteChangeListenerCreate,
	RemoteChangeProcessorCreate,
} from "../remote/RemoteChangeReceiver";
import { RemoteChangeSend, RemoteChangeSender, RemoteChangeSenderCreate } from "../remote/RemoteChangeSender";
import { LogPrefixCreate } from "../util/log";
import {
	DrivenStore,
	EASY_SHUTDOWN_BUDGET,
	easyDriver,
	easyDriverAdd,
	easyDriverClosing,
	easyPurchaser,
	EasyRunService,
	EasyServices,
} from "./EasyDriver";
import { EasyProfile, EasyProfileOwner } from "./EasyProfile";
import { ReleaseAnnouncer } from "./ReleaseAnnouncer";
import { StudioDataStore } from "./StudioDataStore";

/** Fields the library manages; a CreateSaveData that sets them is warned about (they are overwritten). */
const RESERVED_FIELDS = ["Version", "VersionPatch", "Session", "Purchases", "ProductCredit", "RemoteChanges"];

/**
 * The settings of `EasyStoreCreate` that the v13 positional form passes as its last argument, all optional.
 *
 * @example
 * const settings: EasyStoreSettings = { BindToClose: false, StudioKeyPrefix: "Studio_" };
 */
export interface EasyStoreSettings<T extends SaveData = SaveData> {
	/** Register `EasyShutdown` with BindToClose (default true). Only the first store's setting matters. */
	BindToClose?: boolean;
	/** Inject RunService, Players, BindToClose or the clock (default: the real services). */
	Services?: Partial<EasyServices>;
	/**
	 * Keep Studio off production data: in Studio with API access on, every key is prefixed with this (for example
	 * `"Studio_"`). Keys stay within the 50-character limit only if prefix + key does. Ignored on live servers.
	 */
	StudioKeyPrefix?: string;
	/** In Studio, never touch real DataStores: run on an in-memory store (default false). */
	StudioInMemory?: boolean;
	/**
	 * LockerSpec settings passed through: every setting of the configuration table (timings, `VerifyAwaitedSaves`,
	 * `StrictMode`, ...), the error reporter, the gateway, the merge of offline edits and `LoadStatusChanged`. The
	 * fields the store sets itself (the DataStore, version, creator, migrators, callbacks it relies on) are left out.
	 */
	Config?: EasyStoreConfig<T>;
}

/**
 * Everything `EasyStoreCreate(DataStore, CreateSaveData, Options)` accepts, all optional: the save data version,
 * migrators and patchers, the remote-change processor, test data, and the settings of `EasyStoreSettings`.
 * **An unknown field is an error, so a misspelt option never silently falls back to its default.**
 *
 * @example
 * const [migrators, patchers] = builder.Build();
 * const store = EasyStoreCreate<PlayerData>(DataStoreService.GetDataStore("PlayerData"), () => ({ Coins: 0 }), {
 * 	SaveDataVersion: 2,
 * 	Migrators: migrators,
 * 	Patchers: patchers,
 * 	StudioKeyPrefix: "Studio_",
 * });
 */
export interface EasyStoreOptions<T extends SaveData = SaveData> extends EasyStoreSettings<T> {
	/** The version new and migrated data is saved with (default 1). */
	SaveDataVersion?: number;
	/** The patch of that version new data is created with (default 0). */
	SaveDataVersionPatch?: number;
	/** Migrators from `MigratorBuilder.Build()`: run inside the load, for data of an older version. */
	Migrators?: SaveDataMigrators;
	/** Patchers from `MigratorBuilder.Build()`: run inside the load, for data of an older patch. */
	Patchers?: SaveDataPatchers;
	/**
	 * Applies one change sent with `SendRemoteChanges` to the loaded data; return true when applied. Runs exactly
	 * once per change.
	 */
	ProcessRemoteChange?: (SaveData: T, RemoteChange: SD_RemoteChange_Base) => boolean;
	/** Run every session on an in-memory copy of this value instead of the DataStore (tests, Studio). */
	DataStoreTestData?: unknown;
}

/** The field types `EasyStoreCreate` checks in an options table; any other field is an error. */
const OPTION_TYPES: { readonly [K in keyof EasyStoreOptions]-?: keyof CheckableTypes } = {
	SaveDataVersion: "number",
	SaveDataVersionPatch: "number",
	Migrators: "table",
	Patchers: "table",
	ProcessRemoteChange: "function",
	DataStoreTestData: "nil",
	BindToClose: "boolean",
	Services: "table",
	StudioKeyPrefix: "string",
	StudioInMemory: "boolean",
	Config: "table",
};

/** The fields the positional form takes as arguments: its last argument must not set them as well. */
const POSITIONAL_FIELDS = [
	"SaveDataVersion",
	"SaveDataVersionPatch",
	"Migrators",
	"Patchers",
	"ProcessRemoteChange",
	"DataStoreTestData",
];

function optionsError(message: string): never {
	error(`[SessionLocker] EasyStoreCreate: ${message}`, 4);
}

/** Checks an options table: every field known and of its type (`DataStoreTestData` may be anything). */
function checkOptions(options: object, positional: boolean): void {
	for (const [field, value] of pairs(options as { [field: string]: unknown })) {
		const expected = typeIs(field, "string") ? (OPTION_TYPES as { [f: string]: string })[field] : undefined;
		if (expected === undefined || (positional && POSITIONAL_FIELDS.includes(field as string))) {
			const known = positional
				? "BindToClose, Services, StudioKeyPrefix, StudioInMemory, Config (the other settings are arguments)"
				: "SaveDataVersion, SaveDataVersionPatch, Migrators, Patchers, ProcessRemoteChange, DataStoreTestData, BindToClose, Services, StudioKeyPrefix, StudioInMemory, Config";
			optionsError(`unknown option "${tostring(field)}"; the options are ${known}`);
		}
		if (expected !== "nil" && typeOf(value) !== expected) {
			optionsError(`option ${field} must be a ${expected}, got ${typeOf(value)}`);
		}
	}
}

/**
 * The LockerSpec fields `EasyStoreCreate` accepts in `Options.Config`: all of them except those the store sets from
 * its own arguments. Derived by omission, so every setting added to LockerSpec is accepted here too.
 */
export type EasyStoreConfig<T extends SaveData = SaveData> = Partial<
	Omit<
		LockerSpec<T>,
		| "DataStore"
		| "SaveDataVersion"
		| "SaveDataCreator"
		| "SaveDataMigrators"
		| "SaveDataPatchers"
		| "ProcessRemoteChange"
		| "DataStoreTestData"
		| "Lifecycle"
		| "ProductCreditChanged"
	>
>;

/** @internal what the store keeps per locker */
interface LockerEntry<T extends SaveData> {
	Locker: LockerState<T>;
	/** Profiles holding the locker: they receive its events. */
	Active: Array<EasyProfile<T>>;
	/** Ended profiles waiting for `Finished`. */
	Ended: Array<EasyProfile<T>>;
	/** Loaded since its last release: its next release is announced to the other servers. */
	WasLoaded: boolean;
}

// One store per DataStore object on this server.
const storesByDataStore = new Map<unknown, EasyStore<SaveData>>();

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
		const ids = userIds ?? [];
		const prefix =
			logPrefix ?? (ids.size() === 1 ? LogPrefixCreate(true, ids[0], key) : `[SessionLocker]:[${key}]`);
		const locker = LockerCreate(this.LockerSpec, key, ids, prefix, disableAPIs);
		const entry: LockerEntry<T> = { Locker: locker, Active: [], Ended: [], WasLoaded: false };
		this.lockers.set(locker, entry);
		this.entries.push(entry);
		let list = this.byKey.get(key);
		if (list === undefined) {
			list = [];
			this.byKey.set(key, list);
		}
		list.push(locker);
		return locker;
	}

	/** @internal */
	attach(locker: LockerState<T>): EasyProfile<T> {
		const entry = this.lockers.get(locker) as LockerEntry<T>;
		const profile = new EasyProfile<T>(this, locker);
		if (easyDriverClosing()) {
			// The server is closing: no new holds. The profile is born ended and finishes with its locker.
			warn(`[SessionLocker] StartSession(${locker.DataStoreKey}) during shutdown: the profile is ended at once`);
			profile.IsActive = false;
			entry.Ended.push(profile);
			task.defer(() => profile.resumeLoadWaiters(undefined));
			return profile;
		}
		if (entry.Ended.size() > 0) {
			// Handover (a reconnection): the ended profiles' session continues in this one, so they are done.
			const ended = table.clone(entry.Ended);
			entry.Ended.clear();
			for (const previous of ended) previous.onFinished();
		}
		entry.Active.push(profile);
		locker.MarkShouldAcquire(profile);
		if (locker.LoadStatus === "loaded" && locker.Session !== undefined) {
			// Reused session: the data is already here. Tell the new profile as if it had just loaded.
			profile.IsLoaded = true;
			task.defer(() => {
				if (profile.IsActive && profile.IsLoaded && locker.LoadStatus === "loaded") {
					profile.IsLoaded = false;
					profile.onLifecycle("replaced", "r_loaded");
				}
			});
		}
		return profile;
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
		const entry = this.lockers.get(locker);
		if (entry === undefined) return;
		if (status === "replaced") {
			if (reason === "r_loaded") entry.WasLoaded = true;
			else if (reason === "r_released" && entry.WasLoaded) {
				entry.WasLoaded = false;
				this.ReleaseAnnouncer?.Announce(locker.DataStoreKey);
			} else if (reason === "r_lost") entry.WasLoaded = false;
		}
		if (status === "deleted") {
			const ended = table.clone(entry.Ended);
			entry.Ended.clear();
			for (const profile of ended) profile.onFinished();
			return;
		}
		// Ended profiles keep hearing their locker until it is deleted, so the final Saved and Released reach them.
		for (const profile of table.clone(entry.Active)) profile.onLifecycle(status, reason);
		for (const profile of table.clone(entry.Ended)) profile.onLifecycle(status, reason);
	}

	/** @internal the LockerSpec's ProductCreditChanged callback */
	onCreditChanged(locker: LockerState<T>, productId: number, delta: number, userData: unknown): void {
		const entry = this.lockers.get(locker);
		if (entry === undefined) return;
		for (const profile of entry.Active) profile.ProductCreditChanged.Fire(productId, delta, userData);
	}

	/** @internal DrivenStore: one Heartbeat step */
	update(now: number, closing: boolean): void {
		if (closing && !this.closingStarted) this.beginClosing();
		let deleted: Array<LockerState<T>> | undefined;
		// A snapshot: under Immediate SignalBehavior a handler may start a session (insert) during this loop.
		for (const entry of table.clone(this.entries)) {
			const locker = entry.Locker;
			if (locker.IsDeleted) continue;
			if (closing && entry.Active.size() > 0) {
				for (const profile of table.clone(entry.Active)) profile.EndSession();
			}
			const idle = locker.SessionUpdate(now);
			// B4: the original never deleted idle lockers, so Finished never fired and waiters hung.
			if (idle && locker.InUse.size() === 0) {
				locker.MarkDeleted();
				if (deleted === undefined) deleted = [];
				deleted.push(locker);
			}
		}
		if (deleted !== undefined) for (const locker of deleted) this.forget(locker);
		this.RemoteChangeSender.Update();
	}

	/**
	 * @internal
	 * The shutdown window is EASY_SHUTDOWN_BUDGET seconds from now (the driver's wait started at most a frame ago).
	 * Saves retry briefly and plan their last attempt inside it; remote sends fail a second before it, so the
	 * driver's wait ends on the sessions, never on a send that cannot succeed.
	 */
	beginClosing(): void {
		this.closingStarted = true;
		const gateway = this.LockerSpec.Gateway ?? DefaultGateway();
		gateway.BeginClosing(gateway.clock() + EASY_SHUTDOWN_BUDGET);
		const sender = this.RemoteChangeSender;
		sender.BeginClosing(sender.clock() + EASY_SHUTDOWN_BUDGET - 1);
	}

	/** @internal */
	forget(locker: LockerState<T>): void {
		const entry = this.lockers.get(locker);
		this.lockers.delete(locker);
		if (entry !== undefined) {
			const at = this.entries.indexOf(entry);
			if (at >= 0) this.entries.remove(at);
		}
		const list = this.byKey.get(locker.DataStoreKey);
		if (list === undefined) return;
		const index = list.indexOf(locker);
		if (index >= 0) list.remove(index);
		if (list.size() === 0) this.byKey.delete(locker.DataStoreKey);
	}

	/**
	 * @internal
	 * What keeps this store busy, for a shutdown warning that names it: sessions not yet released (with their keys
	 * and states) and remote changes not yet confirmed. Empty when idle.
	 */
	describePending(): string {
		const parts = new Array<string>();
		const sessions = new Array<string>();
		for (const { Locker: locker } of this.entries) {
			if (sessions.size() < 10) sessions.push(`${locker.DataStoreKey} (${locker.State})`);
		}
		if (this.lockers.size() > 0) {
			const more = this.lockers.size() > sessions.size() ? ", ..." : "";
			parts.push(`${this.lockers.size()} session(s) not released: ${sessions.join(", ")}${more}`);
		}
		const sends = this.RemoteChangeSender.DescribePending();
		if (sends !== "") parts.push(`remote changes not confirmed: ${sends}`);
		return parts.join("; ");
	}

	/** @internal DrivenStore */
	isBusy(): boolean {
		return this.lockers.size() > 0 || this.RemoteChangeSender.IsSending();
	}
}

/**
 * Creates the EasyStore of a DataStore (one per DataStore object: a second call warns and returns the first).
 * `CreateSaveData` returns a new table of your fields; the library adds `Version`, `VersionPatch`, `Purchases` and
 * `ProductCredit`. `Options` holds everything else (version, migrators, patchers, remote-change processor, test data,
 * Studio, services, LockerSpec settings). Connects the shared Heartbeat driver and, by default, registers the
 * shutdown with BindToClose. In Studio without DataStore access it runs on an in-memory store (warned once).
 * **Server only: errors on the client. CreateSaveData must return a new table on every call. An unknown option is an
 * error.**
 *
 * @example
 * interface PlayerData extends SaveData { Coins: number }
 * const store = EasyStoreCreate<PlayerData>(DataStoreService.GetDataStore("PlayerData"), () => ({ Coins: 0 }), {
 * 	SaveDataVersion: 1,
 * 	StudioKeyPrefix: "Studio_",
 * });
 */
export function EasyStoreCreate<T extends SaveData = SaveData>(
	DataStore: DataStore | DataStoreLike,
	CreateSaveData: () => Omit<T, keyof SaveData> | T,
	Options?: EasyStoreOptions<T>,
): EasyStore<T>;
/**
 * The SessionLocker v13 positional form, kept for existing Luau code: the version, patch, migrators, patchers,
 * remote-change processor and test data as arguments, then the remaining settings. Detected by the third argument
 * being a number or nil. **Prefer the options object: it names every value.**
 *
 * @example
 * const store = EasyStoreCreate(DataStoreService.GetDataStore("PlayerData"), () => ({ Coins: 0 }), 2, 0, migrators);
 */
export function EasyStoreCreate<T extends SaveData = SaveData>(
	DataStore: DataStore | DataStoreLike,
	CreateSaveData: () => Omit<T, keyof SaveData> | T,
	SaveDataVersion: number | undefined,
	SaveDataVersionPatch?: number,
	Migrators?: SaveDataMigrators,
	Patchers?: SaveDataPatchers,
	ProcessRemoteChange?: (SaveData: T, RemoteChange: SD_RemoteChange_Base) => boolean,
	DataStoreTestData?: unknown,
	Settings?: EasyStoreSettings<T>,
): EasyStore<T>;
export function EasyStoreCreate<T extends SaveData = SaveData>(
	DataStore: DataStore | DataStoreLike,
	CreateSaveData: () => Omit<T, keyof SaveData> | T,
	third?: EasyStoreOptions<T> | number,
	SaveDataVersionPatch?: number,
	Migrators?: SaveDataMigrators,
	Patchers?: SaveDataPatchers,
	ProcessRemoteChange?: (SaveData: T, RemoteChange: SD_RemoteChange_Base) => boolean,
	DataStoreTestData?: unknown,
	Settings?: EasyStoreSettings<T>,
): EasyStore<T> {
	let Options: EasyStoreOptions<T>;
	if (typeIs(third, "table")) {
		const trailing = [SaveDataVersionPatch, Migrators, Patchers, ProcessRemoteChange, DataStoreTestData, Settings];
		for (const value of trailing) {
			if (value !== undefined) {
				optionsError("an options table as third argument takes no further arguments; put them in the table");
			}
		}
		checkOptions(third, false);
		Options = third;
	} else if (third === undefined || typeIs(third, "number")) {
		const positional: Array<[string, unknown, keyof CheckableTypes]> = [
			["SaveDataVersionPatch", SaveDataVersionPatch, "number"],
			["Migrators", Migrators, "table"],
			["Patchers", Patchers, "table"],
			["ProcessRemoteChange", ProcessRemoteChange, "function"],
			["Settings", Settings, "table"],
		];
		for (const [name, value, expected] of positional) {
			if (value !== undefined && typeOf(value) !== expected) {
				optionsError(`${name} (positional form) must be a ${expected} or nil, got ${typeOf(value)}`);
			}
		}
		if (Settings !== undefined) checkOptions(Settings, true);
		Options = {
			...Settings,
			SaveDataVersion: third,
			SaveDataVersionPatch,
			Migrators,
			Patchers,
			ProcessRemoteChange,
			DataStoreTestData,
		};
	} else {
		optionsError(
			`the third argument must be an options table (or, in the v13 positional form, the SaveDataVersion number), got ${typeOf(third)}`,
		);
	}
	const { SaveDataVersion, DataStoreTestData: testData } = Options;
	const services = Options.Services;
	const runService: EasyRunService = services?.RunService ?? game.GetService("RunService");
	if (runService.IsClient()) {
		error("[SessionLocker] EasyStoreCreate can only be called on the server (it was called on a client)", 2);
	}
	assert(DataStore !== undefined, "[SessionLocker] EasyStoreCreate: DataStore is required");
	assert(typeIs(CreateSaveData, "function"), "[SessionLocker] EasyStoreCreate: CreateSaveData must be a function");
	const existing = storesByDataStore.get(DataStore);
	if (existing !== undefined) {
		warn("[SessionLocker] EasyStoreCreate: this DataStore already has an EasyStore; returning it");
		return existing as unknown as EasyStore<T>;
	}
	const version = SaveDataVersion ?? 1;
	const versionPatch = Options.SaveDataVersionPatch ?? 0;
	const sample = CreateSaveData() as unknown;
	assert(typeIs(sample, "table"), "[SessionLocker] EasyStoreCreate: CreateSaveData must return a table");
	for (const field of RESERVED_FIELDS) {
		if ((sample as { [k: string]: unknown })[field] !== undefined) {
			warn(
				`[SessionLocker] EasyStoreCreate: CreateSaveData sets the reserved field "${field}"; it is overwritten`,
			);
		}
	}

	let studio: StudioDataStore | undefined;
	let store: DataStore | DataStoreLike = DataStore;
	if (runService.IsStudio() && testData === undefined) {
		studio = new StudioDataStore(
			DataStore as DataStoreLike,
			Options.StudioKeyPrefix,
			Options.StudioInMemory === true,
		);
		store = studio;
	}

	// The spec's callbacks need the store, which needs the spec.
	const holder: { store?: EasyStore<T> } = {};
	const config = Options.Config ?? {};
	const spec: LockerSpec<T> = {
		...config,
		// Studio play tests are one server: no heartbeat, so none mixes with production's.
		MemoryStoreService: studio !== undefined ? false : (services?.MemoryStoreService ?? config.MemoryStoreService),
		DataStore: store,
		SaveDataVersion: version,
		SaveDataCreator: () => {
			const data = CreateSaveData() as unknown as { [k: string]: unknown };
			data.Version = version;
			data.VersionPatch = versionPatch;
			data.Purchases = [];
			data.ProductCredit = [];
			data.Session = undefined;
			data.RemoteChanges = undefined;
			return data as unknown as T;
		},
		SaveDataMigrators: Options.Migrators,
		SaveDataPatchers: Options.Patchers,
		// Exactly once: the change's idempotency key is recorded in the same save as its effect.
		ProcessRemoteChange:
			Options.ProcessRemoteChange !== undefined
				? RemoteChangeProcessorCreate(Options.ProcessRemoteChange)
				: undefined,
		DataStoreTestData: testData,
		Lifecycle: (ls, status, reason) => holder.store?.onLifecycle(ls, status, reason),
		ProductCreditChanged: (ls, _sd, productId, amount, userData) =>
			holder.store?.onCreditChanged(ls, productId, amount, userData),
	};
	// The topic names the real DataStore, also when Studio wraps it.
	const topic = typeIs(DataStore, "Instance") ? `SessionLocker_RC_${DataStore.Name}`.sub(1, 80) : undefined;
	// Studio play tests are one server, and their keys may be in memory or prefixed: nobody waits on them.
	const releaseTopic =
		typeIs(DataStore, "Instance") && studio === undefined
			? `SessionLocker_RL_${DataStore.Name}`.sub(1, 80)
			: undefined;
	const easy = EasyStore.make<T>(DataStore, spec, studio, topic, releaseTopic);
	holder.store = easy;
	storesByDataStore.set(DataStore, easy as unknown as EasyStore<SaveData>);
	const driver = easyDriver(services);
	easyDriverAdd(driver, easy, Options.BindToClose !== false);
	return easy;
}
