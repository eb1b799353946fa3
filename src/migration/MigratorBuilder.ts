import { SaveDataMigrator, SaveDataMigrators, SaveDataPatcher, SaveDataPatchers } from "../protocol/migrate";

/**
 * Collects migrators and patchers, checks them against the server's save-data version, and builds the tables a
 * LockerSpec takes.
 *
 * @example
 * const builder = MigratorBuilderCreate();
 * builder.AddMigratorFrom(1, (data) => { data.Diamonds = 0; return 0; });
 * builder.AddPatcherFor(2, (data, patch) => { if (patch === 0) data.Gold = (data.Gold as number) - 1000; return 1; });
 * builder.CheckVersion(2);
 * const [Migrators, Patchers] = builder.Build();
 */
export class MigratorBuilder {
	/** @hidden */ readonly migrators: SaveDataMigrators = {};
	/** @hidden */ readonly patchers: SaveDataPatchers = {};
	/** @hidden */ maxVersion = 0;

	/**
	 * Registers the migrator from `FromVersion` to `FromVersion + 1`, and optionally the patcher of the new
	 * version. Errors on duplicates. **The migrator returns the new VersionPatch; never set Version yourself.**
	 *
	 * @example
	 * builder.AddMigratorFrom(1, (data) => {
	 * 	data.Diamonds = 0;
	 * 	return 0;
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
	 * Registers the patcher of data already at `ForVersion`. Errors on duplicates.
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
