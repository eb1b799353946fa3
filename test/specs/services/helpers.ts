// Shared helpers for the service conformance specs (DataStore, Marketplace, Messaging).
import { Kit, KitServer, KitUniverse, UniverseOptions } from "../../kit";

/** A universe with fixed latency so timings in assertions are exact. */
export function universeWith(options: UniverseOptions = {}): KitUniverse {
	return Kit.createUniverse({ seed: 1, latency: { min: 0.1, max: 0.1 }, ...options });
}

export function dss(server: KitServer): DataStoreService {
	return server.game.GetService("DataStoreService");
}

export function storeOf(server: KitServer, name = "Store", scope?: string): DataStore {
	return dss(server).GetDataStore(name, scope);
}

/** Runs `fn`; returns the error text, or undefined when it did not throw. */
export function errorOf(fn: () => unknown): string | undefined {
	const [ok, err] = pcall(fn);
	return ok ? undefined : tostring(err);
}

/**
 * Runs `fn` in a fresh coroutine and reports whether it finished without yielding, and its error if any
 * (item 3: validation errors happen before any yield).
 */
export function runWithoutYield(fn: () => void): { finished: boolean; error?: string } {
	let err: string | undefined;
	let finished = false;
	const co = coroutine.create(() => {
		const [ok, e] = pcall(fn);
		if (!ok) err = tostring(e);
		finished = true;
	});
	coroutine.resume(co);
	return { finished, error: err };
}

export function noCache(): DataStoreGetOptions {
	const options = new Instance("DataStoreGetOptions");
	options.UseCache = false;
	return options;
}

/** Starts `fn` in its own thread now; returns a record filled in when it finishes. */
export function start<T>(fn: () => T): { done: boolean; result?: T; error?: string } {
	const record: { done: boolean; result?: T; error?: string } = { done: false };
	task.spawn(() => {
		const [ok, value] = pcall(fn);
		if (ok) record.result = value as T;
		else record.error = tostring(value);
		record.done = true;
	});
	return record;
}
