// Shared set-up for the Easy API specs: a universe with fixed latency, servers running the library, one store each.
import { Kit, KitServer, KitUniverse, ServerOptions } from "../../kit";
import type { EasyProfile, EasyStore, EasyStoreOptions, SaveData } from "../../../src";

export type Lib = typeof import("../../../src");
export const LIB = "ReplicatedStorage.SessionLocker";
export const STORE = "PlayerData";

export interface CoinsData extends SaveData {
	Coins: number;
	Gifts: number;
}

export type CoinsStore = EasyStore<CoinsData>;
export type CoinsProfile = EasyProfile<CoinsData>;

export function universeWith(): KitUniverse {
	return Kit.createUniverse({ seed: 7, latency: { min: 0.1, max: 0.1 } });
}

export interface Started {
	server: KitServer;
	lib: Lib;
	store: CoinsStore;
}

/** Starts a server and creates its EasyStore on the "PlayerData" DataStore. */
export function startWithStore(
	universe: KitUniverse,
	serverOptions?: ServerOptions,
	storeOptions?: EasyStoreOptions<CoinsData>,
): Started {
	const server = universe.startServer(serverOptions);
	const lib = server.require<Lib>(LIB);
	const dataStore = server.game.GetService("DataStoreService").GetDataStore(STORE);
	const store = lib.EasyStoreCreate<CoinsData>(dataStore, () => ({ Coins: 0, Gifts: 0 }) as CoinsData, {
		SaveDataVersion: 1,
		ProcessRemoteChange: (data, change) => {
			if (change.K !== "gift") return false;
			data.Gifts += (change as unknown as { Amount: number }).Amount;
			return true;
		},
		...storeOptions,
	});
	return { server, lib, store };
}

/** Waits (virtual time) until the profile is loaded; false on timeout. */
export function waitLoaded(profile: CoinsProfile, timeout = 60): boolean {
	return Kit.waitUntil(() => profile.IsLoaded, timeout);
}

/** The stored value of a key in the backend, or undefined. */
export function stored(universe: KitUniverse, key: string): CoinsData | undefined {
	const entry = universe.dataStores.read(STORE, key);
	return entry === undefined ? undefined : (entry.value as CoinsData);
}
