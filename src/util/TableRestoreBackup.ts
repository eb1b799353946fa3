/**
 * Overwrites `Table` in place so that it holds exactly the keys of `Backup` (shallow: the values of `Backup` are
 * assigned, not copied). This keeps references to `Table` valid, which is how `LockerState.SaveData` stays a stable
 * object.
 *
 * @example
 * const backup = TableDeepCopy(ls.SaveData);
 * const [ok] = pcall(() => riskyEdit(ls.SaveData));
 * if (!ok) TableRestoreBackup(ls.SaveData, backup);
 */
export function TableRestoreBackup<T extends object>(Table: T, Backup: T): void {
	if (Table === Backup) return;
	table.clear(Table);
	const target = Table as unknown as { [key: string]: unknown };
	for (const [k, v] of pairs(Backup as unknown as { [key: string]: unknown })) target[k] = v;
}
