/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer, KitUniverse, ServerOptions } from "../../test/kit";
import type { SaveData, StoredSession } from "../protocol/format";
import type { LockerState } from "./LockerState";

type Lib = typeof import("../index");

interface Data extends SaveData {
	Gold: number;
}

const LIB = "ReplicatedStorage.SessionLocker";
const STORE = "Players";

/**
 * One emulated game server running the library: its own copy of the module (own gateway, own clocks and `game`),
 * lockers driven from its own Heartbeat, so pausing or crashing the server stops them.
 */
class Node {
	readonly lib: Lib;
	readonly lockers = new Array<LockerState<Data>>();
	readonly errors = new Array<string>();
	constructor(
		readonly server: KitServer,
		config?: Node["config"],
	) {
		this.lib = server.require<Lib>(LIB);
		const runService = server.game.GetService("RunService");
		runService.Heartbeat.Connect(() => {
			for (const ls of this.lockers) ls.SessionUpdate(os.clock());
		});
		this.config = config ?? {};
	}
	readonly config: {
		SessionExpiry?: number;
		MaintainSessionPeriod?: number;
		VerifyAwaitedSaves?: boolean;
		MemoryStoreService?: false;
	};
	locker(key: string): LockerState<Data> {
		const store = this.server.game.GetService("DataStoreService").GetDataStore(STORE);
		const ls = this.lib.LockerCreate<Data>(
			{
				DataStore: store,
				SaveDataVersion: 1,
				SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
				SessionExpiry: this.config.SessionExpiry,
				MaintainSessionPeriod: this.config.MaintainSessionPeriod,
				VerifyAwaitedSaves: this.config.VerifyAwaitedSaves,
				MemoryStoreService: this.config.MemoryStoreService,
				ReportDataStoreError: (_ls, _op, message) => {
					this.errors.push(message);
				},
			},
			key,
			[1],
		);
		this.lockers.push(ls);
		return ls;
	}
}

function universe(): KitUniverse {
	return Kit.createUniverse({ seed: 11 });
}

function start(u: KitUniverse, options?: ServerOptions, config?: Node["config"]): Node {
	return new Node(u.startServer(options), config);
}

function stored(u: KitUniverse, key: string): Data | undefined {
	return u.dataStores.read(STORE, key)?.value as Data | undefined;
}

/** Acquires and waits (virtual time) until loaded. */
function acquireLoaded(ls: LockerState<Data>, timeout = 10): boolean {
	ls.MarkShouldAcquire();
	return Kit.waitUntil(() => ls.LoadStatus === "loaded", timeout);
}

/** Forces a save and waits (virtual time) until a save covered every change. */
function forceSaved(ls: LockerState<Data>, timeout = 10): boolean {
	ls.MarkForceSave();
	return Kit.waitUntil(() => ls.ChangeId_Saved === ls.ChangeId_Pending, timeout);
}

export = () => {
	beforeAll(() => Kit.setFrameStep(0.25));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("multi-server (emulated engine)", () => {
		it("two servers contend for one key: the second loads the first's data after its release", () => {
			const u = universe();
			const a = start(u);
			const b = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 42;
			expect(forceSaved(la)).to.equal(true);
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			expect(Kit.waitUntil(() => lb.LoadStatus === "session_is_locked", 10)).to.equal(true);
			la.MarkShouldRelease();
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 40)).to.equal(true);
			expect(lb.SaveData.Gold).to.equal(42);
			expect(la.IsIdling).to.equal(true);
			u.destroy();
		});

		it("without a heartbeat (liveness off), a crashed holder is taken over after the expiry, not before", () => {
			const u = universe();
			const a = start(u, undefined, { MemoryStoreService: false });
			const b = start(u, undefined, { MemoryStoreService: false });
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 5;
			expect(forceSaved(la)).to.equal(true);
			a.server.crash();
			const crashedAt = Kit.now();
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 1700)).to.equal(false);
			expect(lb.LoadStatus).to.equal("session_is_locked");
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 400)).to.equal(true);
			expect(Kit.now() - crashedAt > 1800).to.equal(true);
			expect(lb.SaveData.Gold).to.equal(5);
			u.destroy();
		});

		it("with ±10 minutes of clock skew and no heartbeat, a live lock is never stolen and a dead one is taken after expiry", () => {
			const u = universe();
			const a = start(u, { clockSkew: -600 }, { MemoryStoreService: false });
			const b = start(u, { clockSkew: 600 }, { MemoryStoreService: false });
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			// An hour of A refreshing its lease every 1,200 s: B, 20 minutes ahead of A's wall clock, must not take it.
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 3600)).to.equal(false);
			expect(la.LoadStatus).to.equal("loaded");
			expect((stored(u, "1")!.Session as StoredSession).JobId).to.equal(a.server.jobId);
			a.server.crash();
			const crashedAt = Kit.now();
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 2400)).to.equal(true);
			// A's last write (a lease refresh: A changed nothing) was at most 1,200 s (expiry - 2 periods) before the crash.
			expect(Kit.now() - crashedAt > 1800 - 1200).to.equal(true);
			u.destroy();
		});

		it("a paused holder's save after a takeover is fenced out and overwrites nothing", () => {
			const u = universe();
			const a = start(u);
			const b = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			a.server.pause();
			const lb = b.locker("1");
			expect(acquireLoaded(lb, 2400)).to.equal(true);
			lb.SaveData.Gold = 99;
			expect(forceSaved(lb)).to.equal(true);
			la.SaveData.Gold = 1;
			la.MarkForceSave();
			a.server.resume();
			expect(Kit.waitUntil(() => la.LastError !== undefined && la.LastError.Kind === "lock_lost", 20)).to.equal(
				true,
			);
			const value = stored(u, "1")!;
			expect(value.Gold).to.equal(99);
			expect((value.Session as StoredSession).JobId).to.equal(b.server.jobId);
			expect(lb.LoadStatus).to.equal("loaded");
			u.destroy();
		});

		it("a load whose write committed but reported an error recognises its own lock on retry", () => {
			const u = universe();
			const a = start(u);
			u.dataStores.addFault({
				method: "UpdateAsync",
				key: "1",
				mode: "commit-then-error",
				message: "502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
			});
			const la = a.locker("1");
			la.MarkShouldAcquire();
			expect(Kit.waitUntil(() => la.LoadStatus === "data_store_request_fail", 10)).to.equal(true);
			expect(stored(u, "1")!.Session).to.be.ok();
			// Without recognising its own lock it would wait 30 minutes for itself.
			expect(Kit.waitUntil(() => la.LoadStatus === "loaded", 60)).to.equal(true);
			u.destroy();
		});

		it("a load whose write committed but reported an error, abandoned before its retry, frees the key", () => {
			const u = universe();
			const a = start(u);
			const b = start(u);
			u.dataStores.addFault({
				method: "UpdateAsync",
				key: "1",
				mode: "commit-then-error",
				message: "502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
			});
			const la = a.locker("1");
			la.MarkShouldAcquire();
			expect(Kit.waitUntil(() => la.LoadStatus === "data_store_request_fail", 10)).to.equal(true);
			expect(stored(u, "1")!.Session).to.be.ok();
			la.MarkShouldRelease(); // the player left before the retry
			expect(Kit.waitUntil(() => la.IsIdling, 60)).to.equal(true);
			expect(stored(u, "1")!.Session).to.equal(undefined);
			// Another server gets the key at once instead of waiting for the orphan lock to expire.
			const lb = b.locker("1");
			expect(acquireLoaded(lb)).to.equal(true);
			u.destroy();
		});

		it("a release whose write committed but reported an error leaves the key free with the data", () => {
			const u = universe();
			const a = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 8;
			la.MarkShouldSave();
			u.dataStores.addFault({
				method: "UpdateAsync",
				key: "1",
				mode: "commit-then-error",
				message: "502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
			});
			la.MarkShouldRelease();
			expect(Kit.waitUntil(() => la.IsIdling, 60)).to.equal(true);
			const value = stored(u, "1")!;
			expect(value.Gold).to.equal(8);
			expect(value.Session).to.equal(undefined);
			// The retry cannot tell its own committed release from someone else's: it writes nothing (fenced).
			expect(la.LastError!.Kind).to.equal("lock_lost");
			u.destroy();
		});

		it("a save that was silently dropped is covered by the next save", () => {
			const u = universe();
			const a = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "drop-then-ok" });
			la.SaveData.Gold = 1;
			expect(forceSaved(la)).to.equal(true);
			expect(stored(u, "1")!.Gold).to.equal(0);
			la.SaveData.Gold = 2;
			la.MarkForceSave();
			expect(Kit.waitUntil(() => stored(u, "1")!.Gold === 2, 10)).to.equal(true);
			u.destroy();
		});

		it("with VerifyAwaitedSaves, a waiter is told 'saved' only after a read-back finds the write", () => {
			const u = universe();
			const a = start(u, undefined, { VerifyAwaitedSaves: true });
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "drop-then-ok" });
			la.SaveData.Gold = 9;
			la.MarkForceSave();
			let saved: boolean | undefined;
			let storedWhenSaved: number | undefined;
			la.WhenChangesSaved(wasSaved => {
				saved = wasSaved;
				storedWhenSaved = stored(u, "1")!.Gold;
			});
			expect(Kit.waitUntil(() => la.LastError !== undefined, 10)).to.equal(true);
			expect(la.LastError!.Kind).to.equal("write_unconfirmed");
			expect(saved).to.equal(undefined);
			expect(Kit.waitUntil(() => saved !== undefined, 60)).to.equal(true);
			expect(saved).to.equal(true);
			expect(storedWhenSaved).to.equal(9);
			expect(u.dataStores.requestCount({ key: "1", method: "UpdateAsync" })).to.equal(5); // load, 2 × (save + read-back)
			u.destroy();
		});

		it("conflicting writes re-run the transform; the result record reflects only the last run", () => {
			const u = universe();
			const a = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			u.dataStores.forceConflicts("1", 3);
			la.SaveData.Gold = 3;
			expect(forceSaved(la)).to.equal(true);
			expect(stored(u, "1")!.Gold).to.equal(3);
			expect(la.LoadStatus).to.equal("loaded");
			u.destroy();
		});

		it("throttling and 5xx errors are retried; a 105 is reported once and the data kept", () => {
			const u = universe();
			const a = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			u.dataStores.addFault({
				method: "UpdateAsync",
				key: "1",
				count: 2,
				message:
					"304: UpdateAsync request dropped. Request was throttled, but the throttled request queue was full.",
			});
			la.SaveData.Gold = 4;
			la.MarkForceSave();
			expect(Kit.waitUntil(() => stored(u, "1")!.Gold === 4, 120)).to.equal(true);
			u.dataStores.addFault({
				method: "UpdateAsync",
				key: "1",
				count: math.huge,
				message: "105: Serialized value exceeds 4MB limit.",
			});
			la.SaveData.Gold = 5;
			la.MarkForceSave();
			expect(Kit.waitUntil(() => la.LastError !== undefined, 10)).to.equal(true);
			expect(la.LastError!.Kind).to.equal("request_fatal");
			Kit.advance(120);
			let fatalReports = 0;
			for (const e of a.errors) if (e.find("105:", 1, true)[0] !== undefined) fatalReports += 1;
			expect(fatalReports).to.equal(1);
			expect(la.SaveData.Gold).to.equal(5);
			expect(la.LoadStatus).to.equal("loaded");
			u.dataStores.clearFaults();
			u.destroy();
		});

		it("a callback that yields inside the save transform is reported, never taken for a lost lock", () => {
			const u = universe();
			const a = start(u);
			const la = a.locker("1");
			let yieldNow = false;
			const spec = la.LockerSpec as { Lifecycle?: (ls: unknown, status: string) => void };
			spec.Lifecycle = (_ls, status) => {
				if (status === "before_save_transform" && yieldNow) task.wait(1);
			};
			expect(acquireLoaded(la)).to.equal(true);
			yieldNow = true;
			la.SaveData.Gold = 6;
			la.MarkForceSave();
			expect(Kit.waitUntil(() => la.LastError !== undefined, 10)).to.equal(true);
			expect(la.LoadStatus).to.equal("loaded");
			expect(la.Session).to.be.ok();
			expect(la.SaveData.Gold).to.equal(6);
			expect(la.LastError!.Kind === "callback_failed" || la.LastError!.Kind === "transform_failed").to.equal(
				true,
			);
			yieldNow = false;
			expect(Kit.waitUntil(() => stored(u, "1")!.Gold === 6, 60)).to.equal(true);
			u.destroy();
		});

		it("an idle 30-minute session costs 1 load + 1 lease refresh + 1 release and its read-back", () => {
			const u = universe();
			const a = start(u);
			const la = a.locker("1");
			la.MarkShouldAcquire();
			Kit.advance(1800);
			la.MarkShouldRelease();
			expect(Kit.waitUntil(() => la.IsIdling, 20)).to.equal(true);
			const count = u.dataStores.requestCount({ server: a.server, key: "1" });
			// Nothing changed, so no autosave wrote: only the lease refresh at 1,200 s did.
			expect(count).to.equal(4);
			u.destroy();
		});

		it("BindToClose with LockersShutdown releases every session before the server closes", () => {
			const u = universe();
			const a = start(u);
			const keys = ["1", "2", "3"];
			for (const key of keys) {
				const ls = a.locker(key);
				ls.MarkShouldAcquire();
			}
			expect(Kit.waitUntil(() => a.lockers.every(ls => ls.LoadStatus === "loaded"), 10)).to.equal(true);
			for (const ls of a.lockers) {
				ls.SaveData.Gold = 7;
				ls.MarkShouldSave();
			}
			const lib = a.lib;
			const lockers = a.lockers;
			let result: boolean | undefined;
			a.server.game.BindToClose(() => {
				result = lib.LockersShutdown(lockers, { UpdateLockers: false });
			});
			a.server.shutdown();
			expect(Kit.waitUntil(() => a.server.isClosed, 40)).to.equal(true);
			expect(result).to.equal(true);
			for (const key of keys) {
				const value = stored(u, key)!;
				expect(value.Session).to.equal(undefined);
				expect(value.Gold).to.equal(7);
			}
			u.destroy();
		});
	});
};
