/// <reference types="@rbxts/testez/globals" />
// Lock protocol v2: an error is never a reason to take a lock, and a lock without the heartbeat marker (an old
// server, liveness off) is judged by the expiry on the DataStore clock only.
import { Kit } from "../../kit";
import { acquireLoaded, forceSaved, heartbeatReads, start, stored, storedSession } from "./world";

const EXPIRY = 120;

export = () => {
	beforeAll(() => Kit.setFrameStep(0.25));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("takeover: fallbacks to the expiry", () => {
		it("MemoryStore outage: a crashed holder is taken only after the expiry", () => {
			const u = Kit.createUniverse({ seed: 31 });
			const a = start(u, { SessionExpiry: EXPIRY });
			const b = start(u, { SessionExpiry: EXPIRY });
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			expect(storedSession(u, "1")!.Heartbeat).to.equal(1);
			la.SaveData.Gold = 4;
			expect(forceSaved(la)).to.equal(true);
			u.memoryStore.setOutage(true);
			a.server.crash();
			const crashed = Kit.now();
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", EXPIRY - 10)).to.equal(false);
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 120)).to.equal(true);
			expect(Kit.now() - crashed > EXPIRY).to.equal(true);
			expect(lb.SaveData.Gold).to.equal(4);
			u.destroy();
		});

		it("MemoryStore outage with a live holder: never two owners, the holder keeps every write", () => {
			const u = Kit.createUniverse({ seed: 32 });
			const a = start(u);
			const b = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			Kit.advance(10);
			u.memoryStore.setOutage(true);
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			// A's entry lapses during the outage, but every read fails too: unknown, never dead.
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 90)).to.equal(false);
			la.SaveData.Gold = 8;
			expect(forceSaved(la)).to.equal(true);
			expect(a.lockLost()).to.equal(false);
			expect(storedSession(u, "1")!.JobId).to.equal(a.server.jobId);
			expect(stored(u, "1")!.Gold).to.equal(8);
			u.memoryStore.setOutage(false);
			Kit.advance(60);
			expect(la.LoadStatus).to.equal("loaded");
			expect(lb.LoadStatus).to.equal("session_is_locked");
			u.destroy();
		});

		it("a lock without the heartbeat marker (an old server) is not taken before the expiry", () => {
			const u = Kit.createUniverse({ seed: 33 });
			const old = start(u, { SessionExpiry: EXPIRY, MemoryStoreService: false });
			const b = start(u, { SessionExpiry: EXPIRY });
			const lo = old.locker("1");
			expect(acquireLoaded(lo)).to.equal(true);
			expect(storedSession(u, "1")!.Heartbeat).to.equal(undefined);
			lo.SaveData.Gold = 2;
			expect(forceSaved(lo)).to.equal(true);
			old.server.crash();
			const crashed = Kit.now();
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			// The old server keeps no heartbeat: a read would find "no entry", which proves nothing here.
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", EXPIRY - 10)).to.equal(false);
			expect(heartbeatReads(u, b.server)).to.equal(0);
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 120)).to.equal(true);
			expect(Kit.now() - crashed > EXPIRY).to.equal(true);
			expect(lb.SaveData.Gold).to.equal(2);
			// The new holder advertises its own heartbeat.
			expect(storedSession(u, "1")!.Heartbeat).to.equal(1);
			u.destroy();
		});
	});
};
