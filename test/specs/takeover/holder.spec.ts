/// <reference types="@rbxts/testez/globals" />
// Lock protocol v2: a holder that only stalls keeps its locks; one paused past the TTL is fenced out when it resumes.
import { Kit } from "../../kit";
import { acquireLoaded, forceSaved, start, stored, storedSession } from "./world";

export = () => {
	beforeAll(() => Kit.setFrameStep(0.1));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("takeover: a paused or stalled holder", () => {
		it("paused past the TTL: loses its lock, never writes after resuming, reports the loss, keeps nothing lost", () => {
			const u = Kit.createUniverse({ seed: 21 });
			const a = start(u);
			const b = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			Kit.advance(20);
			la.SaveData.Gold = 7;
			expect(forceSaved(la)).to.equal(true); // acknowledged
			a.server.pause();
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			expect(Kit.waitUntil(() => lb.LoadStatus === "loaded", 30)).to.equal(true);
			expect(lb.SaveData.Gold).to.equal(7);
			lb.SaveData.Gold += 100;
			expect(forceSaved(lb)).to.equal(true);
			const version = u.dataStores.read("Players", "1")!.version;
			// A wakes with an unsaved edit and a forced save: it must be fenced out.
			la.SaveData.Gold = 1;
			la.MarkForceSave();
			a.server.resume();
			// From its first frame back until the fence, it never says the key is available: its heartbeat lapsed.
			let availableOnA = la.IsAvailable();
			expect(
				Kit.waitUntil(() => {
					availableOnA = availableOnA || la.IsAvailable();
					return a.lockLost();
				}, 20),
			).to.equal(true);
			expect(availableOnA).to.equal(false);
			Kit.advance(30);
			expect(u.dataStores.read("Players", "1")!.version).to.equal(version);
			expect(stored(u, "1")!.Gold).to.equal(107);
			expect(storedSession(u, "1")!.JobId).to.equal(b.server.jobId);
			expect(lb.LoadStatus).to.equal("loaded");
			expect(b.lockLost()).to.equal(false);
			u.destroy();
		});

		it("paused past the TTL with nobody taking over: unavailable on resume until a fenced write confirms the lock", () => {
			const u = Kit.createUniverse({ seed: 23 });
			const a = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			Kit.advance(20);
			expect(storedSession(u, "1")!.Heartbeat).to.equal(1);
			la.SaveData.Gold = 5;
			expect(forceSaved(la)).to.equal(true);
			a.server.pause();
			Kit.advance(25);
			// Another server could have taken the key in the meantime: the lock is in doubt until a write proves it.
			expect(la.IsAvailable()).to.equal(false);
			a.server.resume();
			expect(la.IsAvailable()).to.equal(false);
			expect(Kit.waitUntil(() => la.IsAvailable(), 10)).to.equal(true);
			expect(a.lockLost()).to.equal(false);
			// The confirming write left the lock to the expiry rule: a heartbeat that lapsed once is not trusted again.
			const session = storedSession(u, "1")!;
			expect(session.JobId).to.equal(a.server.jobId);
			expect(session.Heartbeat).to.equal(undefined);
			expect(stored(u, "1")!.Gold).to.equal(5);
			la.SaveData.Gold = 6;
			expect(forceSaved(la)).to.equal(true);
			expect(stored(u, "1")!.Gold).to.equal(6);
			u.destroy();
		});

		it("stalled for 10 s, at every phase of its refresh period: keeps its lock, no takeover, no lock_lost", () => {
			const u = Kit.createUniverse({ seed: 22 });
			const a = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			Kit.advance(20);
			// Each stall starts 1.3 s later in the 6 s refresh period; a new server wants the key each time.
			for (let i = 0; i < 6; i++) {
				Kit.advance(1.3);
				const b = start(u);
				const lb = b.locker("1");
				lb.MarkShouldAcquire();
				a.server.pause();
				Kit.advance(10);
				a.server.resume();
				Kit.advance(25);
				expect(lb.LoadStatus).to.equal("session_is_locked");
				lb.MarkShouldRelease();
			}
			expect(la.LoadStatus).to.equal("loaded");
			expect(a.lockLost()).to.equal(false);
			expect(storedSession(u, "1")!.JobId).to.equal(a.server.jobId);
			la.SaveData.Gold = 3;
			expect(forceSaved(la)).to.equal(true);
			expect(stored(u, "1")!.Gold).to.equal(3);
			u.destroy();
		});
	});
};
