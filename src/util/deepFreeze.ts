/** Freezes a table and every table inside it, so that a mutation raises "attempt to modify a readonly table". */
export function deepFreeze<T>(value: T): T {
	if (!typeIs(value, "table") || table.isfrozen(value)) return value;
	for (const [, v] of pairs(value as unknown as { [key: string]: unknown })) deepFreeze(v);
	table.freeze(value);
	return value;
}
