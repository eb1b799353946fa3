// Shared helpers for the MemoryStoreService conformance specs.
import { Kit, KitServer, KitUniverse, UniverseOptions } from "../../kit";

/** A universe whose MemoryStore round trips take exactly 0.05 s, so timings in assertions are exact. */
export function memoryUniverse(options: UniverseOptions = {}): KitUniverse {
	return Kit.createUniverse({ seed: 1, memoryStoreLatency: { min: 0.05, max: 0.05 }, ...options });
}

export function hashMap(server: KitServer, name = "Map"): MemoryStoreHashMap {
	return server.game.GetService("MemoryStoreService").GetHashMap(name);
}

export function sortedMap(server: KitServer, name = "Sorted"): MemoryStoreSortedMap {
	return server.game.GetService("MemoryStoreService").GetSortedMap(name);
}
