import type { DataStoreLike } from "../gateway/types";
import type { SaveData, SD_RemoteChange_Base } from "../protocol/format";
import type { SaveDataMigrators, SaveDataPatchers } from "../protocol/migrate";
import { easyDriver } from "./EasyDriver";
import { easyDriverAdd } from "./easyDriverAdd";
import type { EasyRunService } from "./EasyServices";
import { EasyStore } from "./EasyStore";
import { easyStoreArguments } from "./easyStoreArguments";
import type { EasyStoreOptions, EasyStoreSettings } from "./EasyStoreOptions";
import { easyLockerSpec } from "./easyLockerSpec";
import { easyStoreWireReleaseAsks } from "./easyStoreSessions";

/** Fields the library manages; a CreateSaveData that sets them is warned about (they are overwritten). */
const RESERVED_FIELDS = ["Version", "VersionPatch", "Session", "Purchases", "ProductCredit", "RemoteChanges"];

// One store per DataStore object on this server.
const storesByDataStore = new Map<unknown, EasyStore<SaveData>>();

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
	const Options = easyStoreArguments<T>(
		third,
		SaveDataVersionPatch,
		Migrators,
		Patchers,
		ProcessRemoteChange,
		DataStoreTestData,
		Settings,
	);
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
	const sample = CreateSaveData() as unknown;
	assert(typeIs(sample, "table"), "[SessionLocker] EasyStoreCreate: CreateSaveData must return a table");
	for (const field of RESERVED_FIELDS) {
		if ((sample as { [k: string]: unknown })[field] !== undefined) {
			warn(
				`[SessionLocker] EasyStoreCreate: CreateSaveData sets the reserved field "${field}"; it is overwritten`,
			);
		}
	}

	const events: { store?: EasyStore<T> } = {};
	const { spec, studio, topic, releaseTopic } = easyLockerSpec(
		DataStore,
		CreateSaveData,
		Options,
		runService.IsStudio(),
		events,
	);
	const easy = EasyStore.make<T>(DataStore, spec, studio, topic, releaseTopic);
	events.store = easy;
	easyStoreWireReleaseAsks(easy);
	storesByDataStore.set(DataStore, easy as unknown as EasyStore<SaveData>);
	const driver = easyDriver(services);
	easyDriverAdd(driver, easy, Options.BindToClose !== false);
	return easy;
}
