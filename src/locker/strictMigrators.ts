import type { LockerState } from "./LockerState";
import { SaveDataMigrator, SaveDataMigrators, SaveDataPatcher, SaveDataPatchers } from "../protocol/migrate";
import { callUser } from "../util/callUser";
import { strict } from "./reporting";

/** @internal */
export function migratorsForTransform(
	ls: LockerState,
): LuaTuple<[SaveDataMigrators | undefined, SaveDataPatchers | undefined]> {
	const migrators = ls.LockerSpec.SaveDataMigrators;
	const patchers = ls.LockerSpec.SaveDataPatchers;
	if (!strict(ls)) return $tuple(migrators, patchers);
	// Strict mode: a yielding migrator is stopped and reported instead of erroring somewhere in the engine.
	const strictMigrators: SaveDataMigrators = {};
	const strictPatchers: SaveDataPatchers = {};
	if (migrators !== undefined) {
		for (const [v, m] of pairs(migrators)) {
			const fn = m as SaveDataMigrator;
			strictMigrators[v] = data => {
				const outcome = callUser(true, fn, data);
				if (!outcome.Ok) error(outcome.Yielded ? `migrator from ${v} yielded` : outcome.Error, 0);
				return outcome.Value as number;
			};
		}
	}
	if (patchers !== undefined) {
		for (const [v, p] of pairs(patchers)) {
			const fn = p as SaveDataPatcher;
			strictPatchers[v] = (data, patch) => {
				const outcome = callUser(true, fn, data, patch);
				if (!outcome.Ok) error(outcome.Yielded ? `patcher for ${v} yielded` : outcome.Error, 0);
				return outcome.Value as number;
			};
		}
	}
	return $tuple(strictMigrators, strictPatchers);
}
