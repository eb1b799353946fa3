// Shared set-up for the takeover specs: servers running the Full API on one "Players" DataStore, each locker driven
// from its server's own Heartbeat, so pausing or crashing a server stops its lockers and its heartbeat.
import { Kit, KitServer, KitUniverse, ServerOptions } from "../../kit";
import type { LockerSpec, LockerState, SaveData, StoredSession } from "../../../src";

export type Lib = typeof import("../../../src");
export const LIB = "ReplicatedStorage.SessionLocker";
export const STORE = "Players";
export const HEARTBEATS = "SessionLocker_Heartbeats";

export interface Data extends SaveData {
	Gold: number;
}

export class Node {
	readonly lib: Lib;
	readonly lockers = new Array<LockerState<Data>>();
	readonly errors = new Array<string>();

	constructor(
		readonly server: KitServer,
		readonly extra: Partial<LockerSpec<Data>> = {},
	) {
		this.lib = server.require<Lib>(LIB);
		server.game.GetService("RunService").Heartbeat.Connect(() => {
			for (const ls of this.lockers) ls.SessionUpdate(os.clock());
		});
	}

	locker(key: string): LockerState<Data> {
		const ls = this.lib.LockerCreate<Data>(
			{
				DataStore: this.server.game.GetService("DataStoreService").GetDataStore(STORE),
				SaveDataVersion: 1,
				SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
				ReportDataStoreError: (_ls, _op, message, err) => {
					this.errors.push(`${err.Kind}: ${message}`);
				},
				...this.extra,
			},
			key,
			[1],
		);
		this.lockers.push(ls);
		return ls;
	}

	lockLost(): boolean {
		return this.errors.some(line => line.find("lock_lost", 1, true)[0] !== undefined);
	}
}

export function start(u: KitUniverse, extra?: Partial<LockerSpec<Data>>, options?: ServerOptions): Node {
	return new Node(u.startServer(options), extra);
}

export function stored(u: KitUniverse, key: string): Data | undefined {
	return u.dataStores.read(STORE, key)?.value as Data | undefined;
}

export function storedSession(u: KitUniverse, key: string): StoredSession | undefined {
	return stored(u, key)?.Session;
}

/** Acquires and waits (virtual time) until loaded. */
export function acquireLoaded(ls: LockerState<Data>, timeout = 10): boolean {
	ls.MarkShouldAcquire();
	return Kit.waitUntil(() => ls.LoadStatus === "loaded", timeout);
}

/** Forces a save and waits until a save acknowledged every change (the data is then committed). */
export function forceSaved(ls: LockerState<Data>, timeout = 10): boolean {
	ls.MarkForceSave();
	return Kit.waitUntil(() => ls.ChangeId_Saved === ls.ChangeId_Pending, timeout);
}

/** Heartbeat reads (GetAsync on the heartbeat map) made by `server` so far. */
export function heartbeatReads(u: KitUniverse, server: KitServer): number {
	return u.memoryStore.requestCount({ server, method: "GetAsync", map: HEARTBEATS });
}
