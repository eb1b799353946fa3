// The shared test world of locker specs: one place with an in-memory DataStore (FakeDataStore) on a virtual backend
// clock, request gateways on a virtual monotonic clock, and LockerStates stepped one virtual frame at a time.
// FakeDataStore answers without yielding, so a request finishes inside the SessionUpdate that starts it and its
// result is applied on the next one. Multi-server specs run on the test kit (test/kit): `gameWorld` starts servers that
// each run one fixture module.
import { Kit, KitServer, KitUniverse } from "../kit";
import {
	FakeDataStore,
	LockerCreate,
	LockerError,
	LockerSpec,
	LockerState,
	RemoteChangeSender,
	RemoteChangeSenderCreate,
	RemoteChangeSenderOptions,
	RequestGateway,
	RequestGatewayCreate,
	SaveData,
} from "../../src";
import type { DataStoreLike } from "../../src/gateway/types";

/** The save data of the world's default creator: `{ Version: 1, VersionPatch: 0, Gold: 0 }`. */
export interface WorldData extends SaveData {
	Gold: number;
	[field: string]: unknown;
}

export interface LockerWorldOptions {
	/** Seed of every gateway's Random (retry jitter); default 5. */
	seed?: number;
	/** The monotonic clock's start (seconds); default 1000. */
	mono?: number;
	/** The backend clock's start (milliseconds); default 1_780_000_000_000 (a date in 2026). */
	backendMs?: number;
}

/**
 * One place and its backend, on clocks the spec drives.
 *
 * @example
 * const world = new LockerWorld();
 * const ls = world.loaded();
 * ls.SaveData.Gold = 5;
 * ls.MarkForceSave();
 * world.update(ls, 2);
 * expect((world.stored() as WorldData).Gold).to.equal(5);
 */
export class LockerWorld<D extends SaveData = WorldData> {
	/** The backend's clock (milliseconds since the epoch), read by FakeDataStore for its timestamps. */
	backendMs = 1_780_000_000_000;
	/** The server's monotonic clock (seconds), read by the gateways. */
	mono = 1000;
	readonly store = new FakeDataStore({ Clock: () => this.backendMs });
	/** Every error the default spec's ReportDataStoreError received, in order. */
	readonly reports = new Array<LockerError>();
	readonly seed: number;
	/** The gateway of server "A", used by `spec()` unless `extra` sets another. */
	readonly gatewayA: RequestGateway;

	constructor(options: LockerWorldOptions = {}) {
		this.seed = options.seed ?? 5;
		if (options.mono !== undefined) this.mono = options.mono;
		if (options.backendMs !== undefined) this.backendMs = options.backendMs;
		this.gatewayA = this.gateway("A");
	}

	/** Moves both clocks forward. */
	advance(seconds: number): void {
		this.backendMs += seconds * 1000;
		this.mono += seconds;
	}

	/** A new gateway for a server of this place: another JobId is another server holding sessions. */
	gateway(jobId: string): RequestGateway {
		return RequestGatewayCreate({
			Clock: () => this.mono,
			PlaceId: 1,
			JobId: jobId,
			Random: new Random(this.seed),
		});
	}

	/** A LockerSpec on the world's store and gateway A, reporting into `reports`; `extra` overrides any field. */
	spec(extra?: Partial<LockerSpec<D>>, store?: DataStoreLike): LockerSpec<D> {
		const spec: LockerSpec<D> = {
			DataStore: store ?? this.store,
			Gateway: this.gatewayA,
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }) as unknown as D,
			ReportDataStoreError: (_ls, _op, _msg, err) => {
				this.reports.push(err);
			},
		};
		if (extra) for (const [k, v] of pairs(extra)) (spec as unknown as Record<string, unknown>)[k] = v;
		return spec;
	}

	/** `spec(extra)` on another gateway: the spec of another server, or of a fresh gateway of the same one. */
	specOn(gateway: RequestGateway, extra?: Partial<LockerSpec<D>>): LockerSpec<D> {
		const spec = this.spec(extra);
		spec.Gateway = gateway;
		return spec;
	}

	/** Runs `ticks` SessionUpdates, one virtual frame each. */
	update(ls: LockerState<D>, ticks = 1): void {
		this.updateAll([ls], ticks);
	}

	/** Runs `ticks` frames of SessionUpdates on every locker; returns the last frame's results (idle or not). */
	updateAll(lockers: Array<LockerState<D>>, ticks = 1): Array<boolean> {
		let results: Array<boolean> = [];
		for (let i = 0; i < ticks; i++) {
			results = lockers.map(ls => ls.SessionUpdate(this.mono));
			this.mono += 1 / 60;
			this.backendMs += 1000 / 60;
		}
		return results;
	}

	/** Runs frames until `done()` or `seconds` of virtual time passed; returns done(). */
	runUntil(ls: LockerState<D>, done: () => boolean, seconds: number): boolean {
		const frames = math.ceil(seconds * 60);
		for (let i = 0; i < frames && !done(); i++) this.update(ls);
		return done();
	}

	/**
	 * A locker on `spec(extra)` that holds `key` and has loaded.
	 * **Errors (not a TestEZ failure) if it did not load in two frames: TestEZ's expect exists only inside a spec.**
	 */
	loaded(extra?: Partial<LockerSpec<D>>, key = "k"): LockerState<D> {
		const ls = LockerCreate(this.spec(extra), key);
		ls.MarkShouldAcquire();
		this.update(ls, 2);
		assert(ls.LoadStatus === "loaded", `expected loaded, got ${ls.LoadStatus}`);
		return ls;
	}

	/** The kinds of the reported errors, in order. */
	kinds(): Array<string> {
		return this.reports.map(e => e.Kind);
	}

	/** The value stored under `key`, read without a request. */
	stored(key = "k"): Record<string, unknown> | undefined {
		const [value] = this.store.Read(key);
		return value as Record<string, unknown> | undefined;
	}
}

/** What `senderWorld` returns: the world, its store, a sender on it, the sender's reports and its frame loop. */
export interface SenderWorld {
	world: LockerWorld;
	store: FakeDataStore;
	sender: RemoteChangeSender;
	/** Every error the sender reported, in order. */
	errors: Array<LockerError>;
	/** Runs `frames` sender updates, a quarter of a second apart (both clocks move; deferred callbacks run). */
	run: (frames: number) => void;
}

/**
 * A RemoteChangeSender alone in a world (server "S", no nudges), on clocks that start at 10 s and move together.
 *
 * @example
 * const { store, sender, run } = senderWorld(true);
 * sender.Send("k", [{ K: "gift" }]);
 * run(8);
 */
export function senderWorld(createIfMissing: boolean, options: RemoteChangeSenderOptions = {}): SenderWorld {
	const world = new LockerWorld({ seed: 2, mono: 10, backendMs: 10_000 });
	const errors = new Array<LockerError>();
	const spec = world.specOn(world.gateway("S"));
	const base: RemoteChangeSenderOptions = {
		Nudge: false,
		Clock: () => world.mono,
		ReportDataStoreError: (_rcs, _key, _op, _message, err) => errors.push(err),
	};
	for (const [k, v] of pairs(options)) (base as Record<string, unknown>)[k as string] = v;
	const sender = RemoteChangeSenderCreate(spec, createIfMissing, undefined, undefined, base);
	const run = (frames: number) => {
		for (let i = 0; i < frames; i++) {
			sender.Update();
			Kit.flush();
			world.advance(0.25);
		}
	};
	return { world, store: world.store, sender, errors, run };
}

/** A sender (MaxStored 2) on key "k", which already holds the two changes it may keep: every send finds it full. */
export function fullKeySenderWorld(): SenderWorld {
	const world = senderWorld(true, { MaxStored: 2 });
	world.store.Write("k", {
		Version: 1,
		VersionPatch: 0,
		Gold: 0,
		RemoteChanges: [
			{ K: "a", I: 1, IK: "a" },
			{ K: "b", I: 2, IK: "b" },
		],
	});
	return world;
}

/** Servers of one universe that each run the same fixture module, in start order. */
export interface GameWorld<M, G extends defined> {
	universe: KitUniverse;
	servers: Array<KitServer>;
	/** What each server's `start` returned, by server index. */
	games: Array<G>;
	/** The fixture module as the last server required it. */
	module: M;
	/** The module's full name, for example `ReplicatedStorage.Specs.specs.purchases.fixtures.Game`. */
	modulePath: string;
}

/**
 * Starts `serverCount` servers in `universe`, each requiring the module at `modulePath` and calling `start` with it,
 * then lets half a second pass so that their subscriptions settle.
 *
 * @example
 * const universe = Kit.createUniverse({ seed: 1 });
 * const world = gameWorld<GameModule, Game>(universe, GAME_MODULE, 2, m => m.start({}));
 */
export function gameWorld<M, G extends defined>(
	universe: KitUniverse,
	modulePath: string,
	serverCount: number,
	start: (module: M) => G,
): GameWorld<M, G> {
	const servers = new Array<KitServer>();
	const games = new Array<G>();
	let module: M | undefined;
	for (let i = 0; i < serverCount; i++) {
		const server = universe.startServer();
		const m = server.require<M>(modulePath);
		module = m;
		servers.push(server);
		games.push(start(m));
	}
	Kit.advance(0.5); // subscriptions settle
	return { universe, servers, games, module: module!, modulePath };
}

/** Starts one more server of a game world (it joins `servers` and `games`); returns it with its game. */
export function addGameServer<M, G extends defined>(world: GameWorld<M, G>, start: (module: M) => G): [KitServer, G] {
	const server = world.universe.startServer();
	const started = start(server.require<M>(world.modulePath));
	world.servers.push(server);
	world.games.push(started);
	Kit.advance(0.5);
	return [server, started];
}
