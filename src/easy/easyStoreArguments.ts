import type { SaveData, SD_RemoteChange_Base } from "../protocol/format";
import type { SaveDataMigrators, SaveDataPatchers } from "../protocol/migrate";
import { checkOptions, EasyStoreOptions, EasyStoreSettings, optionsError } from "./EasyStoreOptions";

/**
 * @internal
 * Turns EasyStoreCreate's arguments after `CreateSaveData` into one options table: either the options object (then
 * nothing may follow it) or the SessionLocker v13 positional form (a version number or nil, then the other values,
 * then the settings). Errors, at the game's call, on an unknown or mistyped value or a mix of both forms.
 */
export function easyStoreArguments<T extends SaveData>(
	third: EasyStoreOptions<T> | number | undefined,
	SaveDataVersionPatch: number | undefined,
	Migrators: SaveDataMigrators | undefined,
	Patchers: SaveDataPatchers | undefined,
	ProcessRemoteChange: ((SaveData: T, RemoteChange: SD_RemoteChange_Base) => boolean) | undefined,
	DataStoreTestData: unknown,
	Settings: EasyStoreSettings<T> | undefined,
): EasyStoreOptions<T> {
	if (typeIs(third, "table")) {
		const trailing = [SaveDataVersionPatch, Migrators, Patchers, ProcessRemoteChange, DataStoreTestData, Settings];
		for (const value of trailing) {
			if (value !== undefined) {
				optionsError("an options table as third argument takes no further arguments; put them in the table");
			}
		}
		const problem = checkOptions(third, false);
		if (problem !== undefined) optionsError(problem);
		return third;
	}
	if (third === undefined || typeIs(third, "number")) {
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
		const problem = Settings !== undefined ? checkOptions(Settings, true) : undefined;
		if (problem !== undefined) optionsError(problem);
		return {
			...Settings,
			SaveDataVersion: third,
			SaveDataVersionPatch,
			Migrators,
			Patchers,
			ProcessRemoteChange,
			DataStoreTestData,
		};
	}
	optionsError(
		`the third argument must be an options table (or, in the v13 positional form, the SaveDataVersion number), got ${typeOf(third)}`,
	);
}
