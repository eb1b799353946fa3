/**
 * What a DataStore can store, checked by a pure walk before any request. Roblox serializes values to JSON and
 * loses data silently in several cases instead of failing (see https://create.roblox.com/docs/cloud-services/data-stores
 * and HttpService:JSONEncode): a mixed table keeps its array part and drops its string keys, a sparse array comes
 * back with string keys, and NaN or ±inf break JSON readers. Functions, Instances and other userdata fail only once
 * the request is sent, with an opaque `104: Cannot store Dictionary`. The walk names the offending value instead.
 */

/** The first value a DataStore cannot store faithfully, and where it is. */
export interface UnstorableValue {
	/** Path from the root, such as `Inventory.Slots[3]`; `(root)` for the value itself. */
	readonly Path: string;
	/** What is wrong, such as `a function` or `a hole in an array (index 4 follows)`. */
	readonly Problem: string;
}

const IDENTIFIER = "^[%a_][%w_]*$";

function childPath(parent: string, key: string | number): string {
	if (typeIs(key, "number")) return `${parent}[${key}]`;
	if (key.match(IDENTIFIER)[0] !== undefined) return parent === "" ? key : `${parent}.${key}`;
	return `${parent}[${string.format("%q", key)}]`;
}

function numberProblem(value: number): string | undefined {
	if (value !== value) return "NaN";
	if (value === math.huge || value === -math.huge) return `an infinite number (${tostring(value)})`;
	return undefined;
}

function describe(kind: string): string {
	const vowel = kind.sub(1, 1).match("^[AEIOUaeiou]")[0] !== undefined;
	return `${vowel ? "an" : "a"} ${kind}`;
}

/** Classifies a table's keys: undefined when it is an array (1..n) or a string-keyed dictionary. */
function tableShapeProblem(t: object, path: string): UnstorableValue | undefined {
	let count = 0;
	let maxIndex = 0;
	let firstString: string | undefined;
	let firstNumber: number | undefined;
	for (const [key] of pairs(t)) {
		if (typeIs(key, "string")) {
			if (utf8.len(key)[0] === undefined) return { Path: path, Problem: "a key that is not valid UTF-8" };
			if (firstString === undefined) firstString = key;
		} else if (typeIs(key, "number")) {
			if (key !== key || key % 1 !== 0 || key < 1) {
				return {
					Path: path,
					Problem: `a numeric key ${tostring(key)} that is not an array index (1, 2, 3...)`,
				};
			}
			count += 1;
			if (key > maxIndex) maxIndex = key;
			if (firstNumber === undefined || key < firstNumber) firstNumber = key;
		} else {
			return { Path: path, Problem: `a key that is ${describe(typeOf(key))} (only strings and array indices)` };
		}
	}
	if (count > 0 && firstString !== undefined) {
		return {
			Path: path,
			Problem: `a mixed table: array items and the string key "${firstString}" (the string keys would be dropped)`,
		};
	}
	if (count > 0 && maxIndex !== count) {
		// The first missing index is the offending place: everything after it would be stored with string keys.
		let missing = 1;
		const indexed = t as { [index: number]: unknown };
		while (indexed[missing] !== undefined) missing += 1;
		let following = missing + 1;
		while (indexed[following] === undefined) following += 1;
		return {
			Path: childPath(path, missing),
			Problem: `a hole in an array (index ${following} follows); arrays must run 1, 2, 3... without gaps`,
		};
	}
	return undefined;
}

function walk(value: unknown, path: string, onPath: Set<object>, buffers: Array<buffer>): UnstorableValue | undefined {
	const kind = typeOf(value);
	if (kind === "buffer") {
		buffers.push(value as buffer);
		return undefined;
	}
	if (kind === "boolean" || kind === "nil") return undefined;
	if (kind === "number") {
		const problem = numberProblem(value as number);
		return problem !== undefined ? { Path: path, Problem: problem } : undefined;
	}
	if (kind === "string") {
		return utf8.len(value as string)[0] === undefined
			? { Path: path, Problem: "a string that is not valid UTF-8" }
			: undefined;
	}
	if (kind !== "table") return { Path: path, Problem: describe(kind) };
	const t = value as object;
	if (onPath.has(t)) return { Path: path, Problem: "a table that contains itself (a cycle)" };
	const shape = tableShapeProblem(t, path);
	if (shape !== undefined) return shape;
	onPath.add(t);
	for (const [key, child] of pairs(t)) {
		const found = walk(child, childPath(path, key as string | number), onPath, buffers);
		if (found !== undefined) {
			onPath.delete(t);
			return found;
		}
	}
	onPath.delete(t);
	return undefined;
}

/**
 * The first value under `value` that a DataStore cannot store faithfully, or undefined when all of it can:
 * booleans, finite numbers, valid UTF-8 strings, buffers, and tables that are either arrays (keys 1..n without
 * holes) or dictionaries with string keys. Pure: it reads `value` and nothing else; the buffers it meets are
 * added to `buffers` when given (for the size check).
 *
 * @example
 * const found = findUnstorableValue({ Inventory: { Slots: ["sword", "shield", undefined, "bow"] } });
 * // found.Path === "Inventory.Slots[3]"
 */
export function findUnstorableValue(value: unknown, buffers?: Array<buffer>): UnstorableValue | undefined {
	const found = walk(value, "", new Set(), buffers ?? []);
	if (found === undefined) return undefined;
	return found.Path === "" ? { Path: "(root)", Problem: found.Problem } : found;
}

/** `Inventory.Slots[3] is a function`: the walk's finding as one phrase for messages. */
export function describeUnstorableValue(found: UnstorableValue): string {
	return `${found.Path} is ${found.Problem}`;
}

/**
 * Upper bound of the JSON characters a buffer adds to a stored value: Roblox stores it as uncompressed or
 * compressed base64 inside a small tagged object, and the uncompressed form is the longer one.
 *
 * @example
 * bufferEncodedSize(buffer.create(3)); // 4 characters of base64 plus the tag
 */
export function bufferEncodedSize(value: buffer): number {
	const base64 = math.ceil(buffer.len(value) / 3) * 4;
	// {"m":null,"t":"buffer","base64":"..."}
	return base64 + 36;
}

/**
 * A copy of `value` in which every buffer is a string exactly as long as the buffer's stored form, so that any JSON
 * encoder measures the value as the DataStore stores it (an encoder without buffer support writes `null`).
 * Only tables on the way to a buffer are copied.
 *
 * @example
 * const [ok, json] = pcall(() => HttpService.JSONEncode(withBufferPlaceholders(data)));
 */
export function withBufferPlaceholders(value: unknown): unknown {
	if (typeIs(value, "buffer")) return string.rep("b", bufferEncodedSize(value) - 2);
	if (!typeIs(value, "table")) return value;
	let copy: { [key: string]: unknown } | undefined;
	for (const [key, child] of pairs(value as { [key: string]: unknown })) {
		const replaced = withBufferPlaceholders(child);
		if (replaced !== child) {
			if (copy === undefined) copy = table.clone(value as { [key: string]: unknown });
			copy[key] = replaced;
		}
	}
	return copy ?? value;
}
