import { SaveDataMigrator, SaveDataMigrators, SaveDataPatcher, SaveDataPatchers } from "../protocol/migrate";

/**
 * Collects migrators and patchers, checks them against the server's save-data version, and builds the tables a
 * LockerSpec takes.
 *
 * The contract, in one place:
 * - `Version` is the shape of the data; `VersionPatch` counts the repairs applied to data of that shape.
 * - A **migrator from v** turns v data into v+1 data and returns the `VersionPatch` of what it produced: the
 *   **current** patch of v+1 (the number the v+1 patcher returns, and the `VersionPatch` your SaveDataCreator
 *   sets), because data made by today's migrator needs none of the old v+1 repairs. **Returning 0 marks the data as
 *   unrepaired, so the v+1 patcher runs on it at the next load.**
 * - A **patcher for v** gets data already at v with its `VersionPatch`, repairs what that patch level lacks, and
 *   returns the current patch. It runs once per load, on the stored version, before any migrator.
 * - The library sets `Version` and `VersionPatch` itself; never write them in a migrator or patcher.
 *
 * @example
 * // v2 added Diamonds; a bad v2 release (patch 0) gave everyone 1000 too many; patch 1 is the fix.
 * const builder = MigratorBuilderCreate();
 * builder.AddMigratorFrom(1, (data) => {
 * 	data.Diamonds = 0;
 * 	return 1; // the current v2 patch: this data needs no v2 repair
 * });
 * builder.AddPatcherFor(2, (data, patch) => {
 * 	if (patch === 0) data.Diamonds = math.max((data.Diamonds as number) - 1000, 0);
 * 	return 1;
 * });
 * builder.CheckVersion(2);
 * const [Migrators, Patchers] = builder.Build(); // SaveDataCreator returns VersionPatch 1 too
 */
export class MigratorBuilder {
	/** @internal */ readonly migrators: SaveDataMigrators = {};
	/** @internal */ readonly patchers: SaveDataPatchers = {};
	/** @internal */ maxVersion = 0;

	/**
	 * Registers the migrator from `FromVersion` to `FromVersion + 1`, and optionally the patcher of the new
	 * version. Errors on duplicates.
	 * **The migrator returns the current VersionPatch of `FromVersion + 1` (what that version's patcher returns),
	 * not 0: 0 makes the patcher "repair" freshly migrated data at the next load. Never set Version yourself.**
	 *
	 * @example
	 * builder.AddMigratorFrom(1, (data) => {
	 * 	data.Diamonds = 0;
	 * 	return 1; // v2 is at patch 1
	 * });
	 */
	AddMigratorFrom(FromVersion: number, Migrator: SaveDataMigrator, Patcher?: SaveDataPatcher): MigratorBuilder {
		assert(FromVersion % 1 === 0 && FromVersion >= 0, `AddMigratorFrom: FromVersion must be an integer >= 0`);
		assert(this.migrators[FromVersion] === undefined, `AddMigratorFrom: duplicate migrator from ${FromVersion}`);
		this.migrators[FromVersion] = Migrator;
		if (FromVersion > this.maxVersion) this.maxVersion = FromVersion;
		if (Patcher !== undefined) this.AddPatcherFor(FromVersion + 1, Patcher);
		return this;
	}

	/**
	 * Registers the patcher of data already at `ForVersion`: it gets the stored VersionPatch, repairs what that patch
	 * level lacks and returns the current patch. It runs once per load, before any migrator, only on data stored at
	 * `ForVersion`. Errors on duplicates.
	 * **Bump the migrator into `ForVersion` (and SaveDataCreator's VersionPatch) to the same current patch.**
	 *
	 * @example
	 * builder.AddPatcherFor(2, (data, patch) => (patch === 0 ? fixGold(data) : patch));
	 */
	AddPatcherFor(ForVersion: number, Patcher: SaveDataPatcher): MigratorBuilder {
		assert(ForVersion % 1 === 0 && ForVersion >= 0, `AddPatcherFor: ForVersion must be an integer >= 0`);
		assert(this.patchers[ForVersion] === undefined, `AddPatcherFor: duplicate patcher for ${ForVersion}`);
		this.patchers[ForVersion] = Patcher;
		return this;
	}

	/**
	 * Errors unless `CurrentVersion` fits the registered migrators: an integer >= 1, with a migrator from
	 * `CurrentVersion - 1` when above 1, and **no** migrator from `CurrentVersion` (which would mean the server's
	 * version is behind its own migrators; v13 checked `CurrentVersion + 1` here by mistake).
	 *
	 * @example
	 * builder.CheckVersion(SAVE_DATA_VERSION); // at startup: errors if the migrators do not fit
	 */
	CheckVersion(CurrentVersion: number): void {
		assert(
			typeIs(CurrentVersion, "number") && CurrentVersion % 1 === 0 && CurrentVersion >= 1,
			`CheckVersion: the save data version must be an integer >= 1, got ${tostring(CurrentVersion)}`,
		);
		if (CurrentVersion > 1) {
			assert(
				this.migrators[CurrentVersion - 1] !== undefined,
				`CheckVersion: version ${CurrentVersion} needs a migrator from ${CurrentVersion - 1}`,
			);
		}
		assert(
			this.migrators[CurrentVersion] === undefined,
			`CheckVersion: there is a migrator from ${CurrentVersion}, so the save data version should be at least ${CurrentVersion + 1}`,
		);
	}

	/**
	 * Returns copies of the migrator and patcher tables. Holes between 1 and the highest version are filled with
	 * no-op migrators returning VersionPatch 0 (with a warning); patchers beyond the last version are warned about.
	 *
	 * @example
	 * const [SaveDataMigrators, SaveDataPatchers] = builder.Build();
	 */
	Build(): LuaTuple<[SaveDataMigrators, SaveDataPatchers]> {
		const migrators: SaveDataMigrators = {};
		const patchers: SaveDataPatchers = {};
		for (const [v, m] of pairs(this.migrators)) migrators[v] = m;
		for (const [v, p] of pairs(this.patchers)) patchers[v] = p;
		for (let v = 1; v <= this.maxVersion; v++) {
			if (migrators[v] === undefined) {
				warn(`[SessionLocker] MigratorBuilder: no migrator from version ${v}; using a no-op that returns 0`);
				migrators[v] = () => 0;
			}
		}
		for (const [v] of pairs(patchers)) {
			if (v > this.maxVersion + 1) {
				warn(`[SessionLocker] MigratorBuilder: patcher for version ${v} is beyond the last version`);
			}
		}
		return $tuple(migrators, patchers);
	}
}

/**
 * Creates a MigratorBuilder.
 *
 * @example
 * const [Migrators, Patchers] = MigratorBuilderCreate().AddMigratorFrom(1, (d) => 0).Build();
 */
export function MigratorBuilderCreate(): MigratorBuilder {
	return new MigratorBuilder();
}
