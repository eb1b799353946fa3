/**
 * Returns a deep copy of a table: nested tables and buffers are copied, other values are shared. Keys are not copied
 * (table keys keep their identity). **Cyclic tables overflow the stack; save data must be a tree anyway.**
 *
 * @example
 * const backup = TableDeepCopy(ls.SaveData);
 */
export function TableDeepCopy<T>(Table: T): T {
	// Buffers are mutable and storable, so a backup that shared one would change with the data it backs up.
	if (typeIs(Table, "buffer")) {
		const copy = buffer.create(buffer.len(Table));
		buffer.copy(copy, 0, Table);
		return copy as unknown as T;
	}
	if (!typeIs(Table, "table")) return Table;
	const copy: { [key: string]: unknown } = {};
	for (const [k, v] of pairs(Table as unknown as { [key: string]: unknown })) {
		copy[k] = typeIs(v, "table") || typeIs(v, "buffer") ? TableDeepCopy(v) : v;
	}
	return copy as unknown as T;
}
