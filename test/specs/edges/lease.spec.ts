/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer, KitUniverse, RequestLogEntry } from "../../kit";
import type { SaveData, StoredSession } from "../../../src/protocol/format";
import type { LockerSpec } from "../../../src/locker/LockerSpec";
import type { LockerState } from "../../../src/locker/LockerState";
import { joinAndLoad, stored as storedPlayer, worldWith } from "../purchases/helpers";

type Lib = typeof import("../../../src");
type ReaderModule = typeof import("./fixtures/V13Reader");

interface Data extends SaveData {
	Gold: number;
}

const LIB = "ReplicatedStorage.SessionLocker";
const READER = "ReplicatedStorage.Specs.specs.edges.fixtures.V13Reader";
const STORE = "Players";
const KEY = "1";
const EXPIRY = 1800;
const PERIOD = 300;

/** One server running the library: its lockers are driven from its own Heartbeat, as a game would. */
class Holder {
	readonly lib: Lib;
	readonly lockers = new Array<LockerState<Data>>();
	constructor(readonly server: KitServer) {
		this.lib = server.require<Lib>(LIB);
		server.game.GetService("RunService").Heartbeat.Connect(() => {
			for (const ls of this.lockers) if (!ls.IsDeleted) ls.SessionUpdate(os.clock());
		});
	}
	locker(key: string): LockerState<Data> {
		const spec: LockerSpec<Data> = {
			DataStore: this.server.game.GetService("DataStoreService").GetDataStore(STORE),
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
		};
		const ls = this.lib.LockerCreate<Data>(spec, key, [1]);
		this.lockers.push(ls);
		return ls;
	}
}

function stored(u: KitUniverse): (Data & { Session?: StoredSession }) | undefined {
	return u.dataStores.read(STORE, KEY)?.value as (Data & { Session?: StoredSession }) | undefined;
}

function updates(u: KitUniverse): Array<RequestLogEntry> {
	return u.dataStores.requests({ key: KEY, method: "UpdateAsync" });
}

/** Acquires the key and returns the virtual time at which it loaded. */
function load(ls: LockerState<Data>): number {
	ls.MarkShouldAcquire();
	assert(
		Kit.waitUntil(() => ls.LoadStatus === "loaded", 10),
		"the key did not load",
	);
	return Kit.now();
}

/** Releases the key and waits until the locker is idle (release written and read back). */
function release(ls: LockerState<Data>): void {
	ls.MarkShouldRelease();
	assert(
		Kit.waitUntil(() => ls.State === "idle", 30),
		"the key was not released",
	);
}

function between(entries: Array<RequestLogEntry>, from: number, to: number): number {
	let count = 0;
	for (const entry of entries) if (entry.time >= from && entry.time < to) count += 1;
	return count;
}

export = () => {
	beforeEach(() => Kit.setFrameStep(0.5));

	describe("dirty tracking and the lease", () => {
		it("an idle 30-minute session writes the load, one lease refresh at 20 minutes and the release", () => {
			const u = Kit.createUniverse({ seed: 41 });
			const ls = new Holder(u.startServer()).locker(KEY);
			const loadedAt = load(ls);
			expect(updates(u).size()).to.equal(1);
			// Leave a few seconds before 30 minutes (the second refresh would be due at 40).
			Kit.advance(EXPIRY - 5 - (Kit.now() - loadedAt));
			const log = updates(u);
			expect(log.size()).to.equal(2);
			const refreshAge = log[1].time - loadedAt;
			expect(refreshAge >= EXPIRY - 2 * PERIOD && refreshAge <= EXPIRY - 2 * PERIOD + 2).to.equal(true);
			const releaseStart = Kit.now();
			release(ls);
			// The release and its read-back (release confirmation, a read: "cancelled" in the log), nothing else.
			const all = updates(u);
			expect(all.size()).to.equal(4);
			expect(between(all, releaseStart, math.huge)).to.equal(2);
			expect(all.filter(entry => entry.outcome === "ok").size()).to.equal(3);
			expect(all[3].outcome).to.equal("cancelled");
			expect(stored(u)!.Session).to.equal(undefined);
			u.destroy();
		});

		it("a busy session (a change every 10 s) writes once per autosave period: at most 7 requests per 30 minutes", () => {
			const u = Kit.createUniverse({ seed: 42 });
			const ls = new Holder(u.startServer()).locker(KEY);
			const loadedAt = load(ls);
			for (let i = 1; i <= 180; i++) {
				ls.SaveData.Gold += 1;
				ls.MarkShouldSave();
				Kit.advance(10);
			}
			const held = between(updates(u), loadedAt, loadedAt + 1800);
			// One autosave per period: at 300, 600, 900, 1200, 1500 s, and the one due at 1800 s if it started.
			expect(held >= 5 && held <= 6).to.equal(true);
			// Over the session's first 30 minutes, the load included: at most 7.
			expect(between(updates(u), 0, loadedAt + 1800) <= 7).to.equal(true);
			release(ls);
			expect(stored(u)!.Gold).to.equal(180);
			u.destroy();
		});

		it("a change after a long idle stretch is saved by the next autosave check", () => {
			const u = Kit.createUniverse({ seed: 43 });
			const ls = new Holder(u.startServer()).locker(KEY);
			const loadedAt = load(ls);
			Kit.advance(1300 - (Kit.now() - loadedAt));
			expect(updates(u).size()).to.equal(2); // the load and the lease refresh at 1,200 s
			const markedAt = Kit.now();
			ls.SaveData.Gold = 42;
			ls.MarkShouldSave();
			expect(Kit.waitUntil(() => stored(u)!.Gold === 42, PERIOD + 5)).to.equal(true);
			const delay = Kit.now() - markedAt;
			// The refresh at 1,200 s planned the next check 300 s later: the change waits at most one period.
			expect(delay <= PERIOD && delay >= 150).to.equal(true);
			expect(updates(u).size()).to.equal(3);
			release(ls);
			u.destroy();
		});

		it("refreshes the lease before it is 1,200 s old (expiry - 2 periods), and writes nothing else, over 2 idle hours", () => {
			const u = Kit.createUniverse({ seed: 44 });
			const server = u.startServer();
			const ls = new Holder(server).locker(KEY);
			const reader = server.require<ReaderModule>(READER);
			const loadedAt = load(ls);
			let maxAge = 0;
			while (Kit.now() - loadedAt < 7200) {
				Kit.advance(5);
				maxAge = math.max(maxAge, reader.v13Age(stored(u)!.Session!));
			}
			expect(maxAge <= EXPIRY - 2 * PERIOD + 6).to.equal(true);
			expect(maxAge >= EXPIRY - 2 * PERIOD - 6).to.equal(true);
			// One refresh per 20 minutes: 6 in 2 hours (the 6th at 7,200 s may still be ahead), plus the load.
			const count = updates(u).size();
			expect(count >= 6 && count <= 7).to.equal(true);
			release(ls);
			u.destroy();
		});

		it("old servers judging UpdatedAt on clocks skewed by ±120 s never see a live idle lock as stale (2 hours)", () => {
			const u = Kit.createUniverse({ seed: 45 });
			// The holder's clock runs 120 s behind and a reader's 120 s ahead: the worst case, 240 s of apparent age.
			const holder = new Holder(u.startServer({ clockSkew: -120 }));
			const ahead = u.startServer({ clockSkew: 120 }).require<ReaderModule>(READER);
			const behind = u.startServer({ clockSkew: -120 }).require<ReaderModule>(READER);
			const skewSeen = ahead.serverTime() - behind.serverTime();
			expect(skewSeen >= 239 && skewSeen <= 241).to.equal(true);
			const ls = holder.locker(KEY);
			const loadedAt = load(ls);
			let staleSeen = 0;
			let maxAge = 0;
			while (Kit.now() - loadedAt < 7200) {
				Kit.advance(5);
				const session = stored(u)!.Session!;
				if (ahead.v13IsStale(session, EXPIRY) || behind.v13IsStale(session, EXPIRY)) staleSeen += 1;
				maxAge = math.max(maxAge, ahead.v13Age(session));
			}
			expect(staleSeen).to.equal(0);
			// The lease deadline (expiry - 2 periods), the 240 s of skew and a few seconds of sampling and latency.
			expect(maxAge <= EXPIRY - 2 * PERIOD + 240 + 6).to.equal(true);
			expect(maxAge >= EXPIRY - 2 * PERIOD + 240 - 6).to.equal(true);
			release(ls);
			u.destroy();
		});

		it("a remote change nudged to an idle holder is applied and saved within seconds", () => {
			const world = worldWith(2, { MaintainSessionPeriod: PERIOD, SessionExpiry: EXPIRY });
			joinAndLoad(world, 0, 1);
			// Idle past the lease refresh: no autosave is due for minutes.
			Kit.advance(1000);
			const before = world.universe.dataStores.requestCount({ key: "1", method: "UpdateAsync" });
			const start = Kit.now();
			world.games[1].send(1, 7);
			expect(Kit.waitUntil(() => storedPlayer(world, 1)!.Gold === 7, 30)).to.equal(true);
			// Seconds, not the minutes of the next lease check: the sender's write, the nudge (under 1 s), then the
			// holder's write, read-back and cleanup write, each one DataStore round trip of this world's latency.
			expect(Kit.now() - start < 8).to.equal(true);
			expect(world.games[0].listener.NudgeCount).to.equal(1);
			expect(world.games[0].counters.remoteApplies).to.equal(1);
			const after = world.universe.dataStores.requestCount({ key: "1", method: "UpdateAsync" });
			const holderRequests = world.universe.dataStores
				.requests({ key: "1", method: "UpdateAsync", server: world.servers[0] })
				.filter(entry => entry.time >= start)
				.size();
			// The nudged write that applies the change, its read-back for the waiting receiver, and the write that
			// removes the change from the key; the sender's own write and read-back.
			expect(holderRequests).to.equal(3);
			expect(after - before).to.equal(5);
			world.universe.destroy();
		});
	});
};
