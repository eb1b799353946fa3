import type { LockerSpec } from "../locker/LockerSpec";
import type { SaveData, SD_RemoteChange_Base } from "../protocol/format";
import type { SaveDataMigrators, SaveDataPatchers } from "../protocol/migrate";
import type { EasyServices } from "./EasyServices";

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

/**
 * @internal
 * Raises an EasyStoreCreate argument error at the caller of EasyStoreCreate: level 4 counts this function, the
 * argument parser and EasyStoreCreate, so call it only from `easyStoreArguments`.
 */
export function optionsError(message: string): never {
	error(`[SessionLocker] EasyStoreCreate: ${message}`, 4);
}

/**
 * @internal
 * Checks an options table: every field known and of its type (`DataStoreTestData` may be anything). Returns what is
 * wrong, or undefined; the caller raises it, so the error points at the game's call.
 */
export function checkOptions(options: object, positional: boolean): string | undefined {
	for (const [field, value] of pairs(options as { [field: string]: unknown })) {
		const expected = typeIs(field, "string") ? (OPTION_TYPES as { [f: string]: string })[field] : undefined;
		if (expected === undefined || (positional && POSITIONAL_FIELDS.includes(field as string))) {
			const known = positional
				? "BindToClose, Services, StudioKeyPrefix, StudioInMemory, Config (the other settings are arguments)"
				: "SaveDataVersion, SaveDataVersionPatch, Migrators, Patchers, ProcessRemoteChange, DataStoreTestData, BindToClose, Services, StudioKeyPrefix, StudioInMemory, Config";
			return `unknown option "${tostring(field)}"; the options are ${known}`;
		}
		if (expected !== "nil" && typeOf(value) !== expected) {
			return `option ${field} must be a ${expected}, got ${typeOf(value)}`;
		}
	}
	return undefined;
}
