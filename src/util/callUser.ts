/**
 * Outcome of running a user callback: `Ok` with its return value, or the reason it failed. Reused by the caller on
 * hot paths, so it is a plain mutable record.
 */
export interface CallOutcome {
	Ok: boolean;
	Yielded: boolean;
	Value: unknown;
	Error: string;
}

/**
 * Runs a user callback without letting it break the caller: errors are caught, and in strict mode a yield is caught
 * too (the callback runs in its own coroutine; if it suspends, it is cancelled and reported). Outside strict mode
 * the callback runs in the caller's thread, as in the original, so a yield only delays the caller — except inside
 * UpdateAsync transforms, where Roblox itself errors.
 */
export function callUser<A extends Array<unknown>>(
	strict: boolean,
	fn: (...args: A) => unknown,
	...args: A
): CallOutcome {
	if (!strict) {
		const [ok, value] = pcall(fn, ...args);
		return { Ok: ok, Yielded: false, Value: ok ? value : undefined, Error: ok ? "" : tostring(value) };
	}
	const thread = coroutine.create(fn);
	const [ok, value] = coroutine.resume(thread, ...args);
	if (coroutine.status(thread) !== "dead") {
		// The scheduler may hold a wake-up for it; cancel, not close, so that wake-up is dropped too.
		task.cancel(thread);
		return { Ok: false, Yielded: true, Value: undefined, Error: "callback yielded" };
	}
	return { Ok: ok, Yielded: false, Value: ok ? value : undefined, Error: ok ? "" : tostring(value) };
}
