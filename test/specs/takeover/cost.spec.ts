/// <reference types="@rbxts/testez/globals" />
// Lock protocol v2: liveness costs grow with servers, not players.
import { Kit } from "../../kit";
import { acquireLoaded, heartbeatReads, HEARTBEATS, start } from "./world";

export = () => {
	beforeAll(() => Kit.setFrameStep(0.25));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("takeover: MemoryStore cost", () => {
		for (const players of [1, 50]) {
			it(`heartbeat: at most 10 MemoryStore requests per server per minute with ${players} player(s)`, () => {
				const u = Kit.createUniverse({ seed: 40 + players });
				const a = start(u);
				for (let i = 1; i <= players; i++) a.locker(`${i}`).MarkShouldAcquire();
				expect(Kit.waitUntil(() => a.lockers.every(ls => ls.LoadStatus === "loaded"), 60)).to.equal(true);
				for (let minute = 1; minute <= 3; minute++) {
					const before = u.memoryStore.requestCount({ server: a.server });
					Kit.advance(60);
					const perMinute = u.memoryStore.requestCount({ server: a.server }) - before;
					expect(perMinute >= 9 && perMinute <= 10).to.equal(true);
				}
				expect(
					u.memoryStore.requestCount({ server: a.server, map: HEARTBEATS, method: "SetAsync" }) > 0,
				).to.equal(true);
				u.destroy();
			});
		}

		it("a takeover of a live holder that never releases reads its heartbeat at most 3 times", () => {
			const u = Kit.createUniverse({ seed: 45 });
			const a = start(u);
			const b = start(u);
			expect(acquireLoaded(a.locker("1"))).to.equal(true);
			Kit.advance(20);
			const lb = b.locker("1");
			lb.MarkShouldAcquire();
			Kit.advance(55);
			expect(lb.LoadStatus).to.equal("session_is_locked");
			const reads = heartbeatReads(u, b.server);
			expect(reads >= 2 && reads <= 3).to.equal(true);
			u.destroy();
		});
	});
};
