import { RawSaveData } from "./format";

/** Migrates save data from version v to v+1 in place and returns the new VersionPatch. Must not yield or throw. */
export type SaveDataMigrator = (SaveData: RawSaveData) => number;
/** Repairs save data already at version v in place; gets the current VersionPatch and returns the new one. */
export type SaveDataPatcher = (SaveData: RawSaveData, VersionPatch: number) => number;

export type SaveDataMigrators = { [FromVersion: number]: SaveDataMigrator | undefined };
export type SaveDataPatchers = { [ForVersion: number]: SaveDataPatcher | undefined };

export interface MigrationOutcome {
	Status: "ok" | "invalid_version" | "failed";
	/** Set with invalid_version: the first server version able to load this data. */
	MinimumServerVersion?: number;
	/** The stored version as found, for messages. */
	StoredVersion: unknown;
	Error?: string;
	Changed: boolean;
}

/** Runs one migrator or patcher under pcall: its new VersionPatch, or the failed outcome to return. */
function runStep(label: string, step: () => unknown, storedVersion: unknown): number | MigrationOutcome {
	const [ok, result] = pcall(step);
	if (!ok) return { Status: "failed", StoredVersion: storedVersion, Error: tostring(result), Changed: false };
	if (!typeIs(result, "number")) {
		return {
			Status: "failed",
			StoredVersion: storedVersion,
			Error: `${label} returned ${typeOf(result)}, not a VersionPatch number`,
			Changed: false,
		};
	}
	return result;
}

/**
 * Patches and migrates `data` in place to `serverVersion`: the patcher of the stored version once, then the
 * migrators in order, the library setting Version and VersionPatch itself. Every user function runs under pcall; on
 * any failure the caller must discard `data` (the transform got a fresh copy and writes nothing).
 */
export function applyMigrations(
	data: RawSaveData,
	serverVersion: number,
	migrators: SaveDataMigrators | undefined,
	patchers: SaveDataPatchers | undefined,
): MigrationOutcome {
	const storedVersion = data.Version;
	const version = storedVersion === undefined ? 0 : storedVersion;
	const patch = data.VersionPatch === undefined ? 0 : data.VersionPatch;
	if (!typeIs(version, "number") || !typeIs(patch, "number") || version % 1 !== 0 || version < 0) {
		return { Status: "invalid_version", StoredVersion: storedVersion, Changed: false };
	}
	if (version > serverVersion) {
		return {
			Status: "invalid_version",
			MinimumServerVersion: version,
			StoredVersion: storedVersion,
			Changed: false,
		};
	}
	let current = version;
	let currentPatch = patch;
	let changed = false;
	const patcher = patchers?.[current];
	if (patcher !== undefined) {
		const result = runStep(`patcher for version ${current}`, () => patcher(data, currentPatch), storedVersion);
		if (!typeIs(result, "number")) return result;
		currentPatch = result;
		changed = true;
	}
	while (current < serverVersion) {
		const migrator = migrators?.[current];
		if (migrator === undefined) {
			return {
				Status: "invalid_version",
				MinimumServerVersion: current,
				StoredVersion: storedVersion,
				Changed: false,
			};
		}
		const result = runStep(`migrator from version ${current}`, () => migrator(data), storedVersion);
		if (!typeIs(result, "number")) return result;
		current += 1;
		currentPatch = result;
		changed = true;
	}
	data.Version = current;
	data.VersionPatch = currentPatch;
	return { Status: "ok", StoredVersion: storedVersion, Changed: changed };
}
