import type { LifecycleReason, LifecycleStatus, LockerSpec } from "../locker/LockerSpec";
import type { LockerState } from "../locker/LockerState";
import type { DataStoreLike } from "../gateway/types";
import type { SaveData } from "../protocol/format";
import { RemoteChangeProcessorCreate } from "../remote/RemoteChangeReceiver";
import type { EasyStoreOptions } from "./EasyStoreOptions";
import { StudioDataStore } from "./StudioDataStore";

/** @internal the store's side of the LockerSpec callbacks */
export interface EasyLockerEvents<T extends SaveData> {
	onLifecycle(locker: LockerState<T>, status: LifecycleStatus, reason: LifecycleReason): void;
	onCreditChanged(locker: LockerState<T>, productId: number, delta: number, userData: unknown): void;
	onLoadStatusChanged(locker: LockerState<T>): void;
}

/** @internal everything an EasyStore is built from */
export interface EasyLockerSetup<T extends SaveData> {
	/** The LockerSpec every session of the store uses. */
	spec: LockerSpec<T>;
	/** In Studio: the wrapper deciding between real keys and memory. */
	studio: StudioDataStore | undefined;
	/** MessagingService topic of remote-change nudges; undefined for a DataStore that is not an Instance. */
	topic: string | undefined;
	/** MessagingService topic of release announcements; undefined in Studio and for non-Instance DataStores. */
	releaseTopic: string | undefined;
}

/**
 * @internal
 * Builds the LockerSpec of an EasyStore from EasyStoreCreate's options, in one place: the Studio wrapping of the
 * DataStore, every spec field, and the MessagingService topics. `events` is filled in once the store exists: the
 * spec's callbacks need the store, which needs the spec.
 */
export function easyLockerSpec<T extends SaveData>(
	DataStore: DataStore | DataStoreLike,
	CreateSaveData: () => unknown,
	Options: EasyStoreOptions<T>,
	isStudio: boolean,
	events: { store?: EasyLockerEvents<T> },
): EasyLockerSetup<T> {
	const testData = Options.DataStoreTestData;
	const version = Options.SaveDataVersion ?? 1;
	const versionPatch = Options.SaveDataVersionPatch ?? 0;

	let studio: StudioDataStore | undefined;
	let store: DataStore | DataStoreLike = DataStore;
	if (isStudio && testData === undefined) {
		studio = new StudioDataStore(
			DataStore as DataStoreLike,
			Options.StudioKeyPrefix,
			Options.StudioInMemory === true,
		);
		store = studio;
	}

	// The topic names the real DataStore, also when Studio wraps it.
	const topic = typeIs(DataStore, "Instance") ? `SessionLocker_RC_${DataStore.Name}`.sub(1, 80) : undefined;
	// Studio play tests are one server, and their keys may be in memory or prefixed: nobody waits on them.
	const releaseTopic =
		typeIs(DataStore, "Instance") && studio === undefined
			? `SessionLocker_RL_${DataStore.Name}`.sub(1, 80)
			: undefined;

	const config = Options.Config ?? {};
	const gameLoadStatusChanged = config.LoadStatusChanged;
	const services = Options.Services;
	const spec: LockerSpec<T> = {
		...config,
		// Studio play tests are one server: no heartbeat, so none mixes with production's.
		MemoryStoreService: studio !== undefined ? false : (services?.MemoryStoreService ?? config.MemoryStoreService),
		DataStore: store,
		SaveDataVersion: version,
		SaveDataCreator: () => {
			const data = CreateSaveData() as { [k: string]: unknown };
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
		Lifecycle: (ls, status, reason) => events.store?.onLifecycle(ls, status, reason),
		ProductCreditChanged: (ls, _sd, productId, amount, userData) =>
			events.store?.onCreditChanged(ls, productId, amount, userData),
		// The store's profiles hear it first (PlayerProfiles' KickOnLoadFailure), then the game's own callback, if any.
		LoadStatusChanged: ls => {
			events.store?.onLoadStatusChanged(ls);
			gameLoadStatusChanged?.(ls);
		},
		// With a release topic, a server that still finds a released lock can ask for the release again, so
		// releases need no read-back (docs/lock-protocol-v2.md); without one, they are read back.
		// The store sets ReleaseAsk once it exists (EasyStoreCreate): it needs the store's ReleaseAnnouncer.
		ReleaseCheck: releaseTopic !== undefined ? "on-request" : "read-back",
	};

	return { spec, studio, topic, releaseTopic };
}
