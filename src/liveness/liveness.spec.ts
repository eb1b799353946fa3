/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer, KitUniverse } from "../../test/kit";
import type { ServerHeartbeat } from "./ServerHeartbeat";

type Liveness = typeof import("./index");

const LIVENESS = "ReplicatedStorage.SessionLocker.liveness";

/** A server running its heartbeat from its own Heartbeat event, so pausing or crashing the server stops it. */
function startHeartbeat(server: KitServer, keyPrefix = ""): ServerHeartbeat {
	const lib = server.require<Liveness>(LIVENESS);
	const map = server.game.GetService("MemoryStoreService").GetHashMap(lib.HEARTBEAT_MAP_NAME);
	const heartbeat = new lib.ServerHeartbeat({ Map: map, JobId: server.jobId, KeyPrefix: keyPrefix });
	server.game.GetService("RunService").Heartbeat.Connect(() => heartbeat.Step(os.clock()));
	return heartbeat;
}

/** What `observer` learns about `holder` from one heartbeat read. */
function check(observer: KitServer, holder: KitServer, keyPrefix = "") {
	const lib = observer.require<Liveness>(LIVENESS);
	const map = observer.game.GetService("MemoryStoreService").GetHashMap(lib.HEARTBEAT_MAP_NAME);
	return lib.checkHolderLiveness(map, keyPrefix, holder.jobId);
}

function world(): KitUniverse {
	return Kit.createUniverse({ seed: 3 });
}

export = () => {
	describe("liveness: a server's heartbeat in a MemoryStore hash map", () => {
		it("a live server reads alive from another server, for as long as it runs", () => {
			const universe = world();
			const a = universe.startServer();
			const b = universe.startServer();
			startHeartbeat(a);
			Kit.advance(1);
			expect(check(b, a)).to.equal("alive");
			Kit.advance(120);
			expect(check(b, a)).to.equal("alive");
			universe.destroy();
		});

		it("costs at most 10 MemoryStore requests per server per minute, whatever the player count", () => {
			const universe = world();
			const a = universe.startServer();
			for (let i = 1; i <= 40; i++) a.addPlayer();
			startHeartbeat(a);
			Kit.advance(1);
			const before = universe.memoryStore.requestCount({ server: a });
			Kit.advance(60);
			const perMinute = universe.memoryStore.requestCount({ server: a }) - before;
			expect(perMinute >= 5 && perMinute <= 10).to.equal(true);
			universe.destroy();
		});

		it("a crashed server reads alive until its entry's TTL lapses, then dead", () => {
			const universe = world();
			const a = universe.startServer();
			const b = universe.startServer();
			startHeartbeat(a);
			Kit.advance(5);
			a.crash();
			expect(check(b, a)).to.equal("alive");
			Kit.advance(31);
			expect(check(b, a)).to.equal("dead");
			universe.destroy();
		});

		it("a server paused for 10 s stays alive during and after the stall", () => {
			const universe = world();
			const a = universe.startServer();
			const b = universe.startServer();
			startHeartbeat(a);
			// Pause just before a refresh is due, the worst moment: the entry is then almost 10 s old.
			Kit.advance(9.9);
			a.pause();
			Kit.advance(10);
			expect(check(b, a)).to.equal("alive");
			a.resume();
			Kit.advance(1);
			expect(check(b, a)).to.equal("alive");
			Kit.advance(60);
			expect(check(b, a)).to.equal("alive");
			universe.destroy();
		});

		it("a server paused past the TTL reads dead, and alive again once it resumes and refreshes", () => {
			const universe = world();
			const a = universe.startServer();
			const b = universe.startServer();
			startHeartbeat(a);
			Kit.advance(1);
			a.pause();
			Kit.advance(40);
			expect(check(b, a)).to.equal("dead");
			a.resume();
			Kit.advance(1);
			expect(check(b, a)).to.equal("alive");
			universe.destroy();
		});

		it("a MemoryStore outage or a failed read reads unknown, never dead", () => {
			const universe = world();
			const a = universe.startServer();
			const b = universe.startServer();
			const c = universe.startServer();
			startHeartbeat(a);
			Kit.advance(1);
			universe.memoryStore.setOutage(true);
			expect(check(b, a)).to.equal("unknown");
			// c never had a heartbeat: without the outage it would read dead.
			expect(check(b, c)).to.equal("unknown");
			universe.memoryStore.setOutage(false);
			expect(check(b, c)).to.equal("dead");
			universe.memoryStore.addFault({ method: "GetAsync", server: b });
			expect(check(b, c)).to.equal("unknown");
			universe.destroy();
		});

		it("a failed refresh is retried after 2 s, so one error does not let the entry lapse", () => {
			const universe = world();
			const a = universe.startServer();
			const b = universe.startServer();
			universe.memoryStore.addFault({ method: "SetAsync", server: a, count: 1 });
			const heartbeat = startHeartbeat(a);
			Kit.advance(1);
			expect(heartbeat.LastWrite).to.equal(undefined);
			expect(check(b, a)).to.equal("dead");
			Kit.advance(2.5);
			expect(heartbeat.LastWrite).never.to.equal(undefined);
			expect(check(b, a)).to.equal("alive");
			universe.destroy();
		});

		it("Studio isolation: entries live under the data's key prefix, invisible to the other side", () => {
			const universe = world();
			const live = universe.startServer();
			const studio = universe.startServer({ studio: true });
			startHeartbeat(live);
			startHeartbeat(studio, "Studio_");
			Kit.advance(1);
			expect(check(live, studio)).to.equal("dead");
			expect(check(live, studio, "Studio_")).to.equal("alive");
			expect(check(studio, live, "Studio_")).to.equal("dead");
			expect(
				universe.memoryStore.read("hash", "SessionLocker_Heartbeats", `Studio_${studio.jobId}`),
			).never.to.equal(undefined);
			universe.destroy();
		});

		it("Stop removes the entry: peers read dead at once, and Step writes no more", () => {
			const universe = world();
			const a = universe.startServer();
			const b = universe.startServer();
			const heartbeat = startHeartbeat(a);
			Kit.advance(1);
			expect(heartbeat.Stop()).to.equal(true);
			expect(check(b, a)).to.equal("dead");
			Kit.advance(30);
			expect(check(b, a)).to.equal("dead");
			universe.destroy();
		});

		it("livenessFromRead: a failed read is unknown, a missing entry dead, a present one alive", () => {
			const lib = Kit.host().require<Liveness>(LIVENESS);
			expect(lib.livenessFromRead(false, undefined)).to.equal("unknown");
			expect(lib.livenessFromRead(false, 1)).to.equal("unknown");
			expect(lib.livenessFromRead(true, undefined)).to.equal("dead");
			expect(lib.livenessFromRead(true, 1)).to.equal("alive");
		});

		it("the refresh period is capped at a third of the TTL", () => {
			const lib = Kit.host().require<Liveness>(LIVENESS);
			const map = { GetAsync: () => undefined, SetAsync: () => true, RemoveAsync: () => {} };
			const heartbeat = new lib.ServerHeartbeat({ Map: map, JobId: "j", TtlSeconds: 15, RefreshSeconds: 10 });
			expect(heartbeat.RefreshSeconds).to.equal(5);
			expect(heartbeat.Step(0)).to.equal(true);
			expect(heartbeat.Step(4.9)).to.equal(false);
			expect(heartbeat.Step(5)).to.equal(true);
		});
	});
};
