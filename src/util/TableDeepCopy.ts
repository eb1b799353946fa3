/**
 * Returns a deep copy of a table: nested tables are copied, other values are shared. Keys are not copied (table
 * keys keep their identity). **Cyclic tables overflow the stack; save data must be a tree anyway.**
 *
 * @example
 * const backup = TableDeepCopy(ls.SaveData);
 */
export function TableDeepCopy<T>(Table: T): T {
	if (!typeIs(Table, "table")) return Table;
	const copy: { [key: string]: unknown } = {};
	for (const [k, v] of pairs(Table as unknown as { [key: string]: unknown })) {
		copy[k] = typeIs(v, "table") ? TableDeepCopy(v) : v;
	}
	return copy as unknown as T;
}
