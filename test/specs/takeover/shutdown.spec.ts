/// <reference types="@rbxts/testez/globals" />
// Lock protocol v2: a closing server removes its heartbeat entry only after every lock it held is released.
import { Kit } from "../../kit";
import { acquireLoaded, HEARTBEATS, start, storedSession } from "./world";

export = () => {
	beforeAll(() => Kit.setFrameStep(0.1));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("takeover: shutdown", () => {
		it("the heartbeat entry outlives every lock at shutdown, then is removed at once (not left to its TTL)", () => {
			const u = Kit.createUniverse({ seed: 61 });
			const a = start(u);
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			Kit.advance(10);
			a.server.game.BindToClose(() => {
				la.MarkShouldRelease();
				while (la.Session !== undefined) task.wait(0.1);
			});
			a.server.shutdown();
			let entryGoneWhileLocked = false;
			let releasedAt: number | undefined;
			const closed = Kit.waitUntil(() => {
				const entry = u.memoryStore.read("hash", HEARTBEATS, a.server.jobId);
				const session = storedSession(u, "1");
				if (session === undefined && releasedAt === undefined) releasedAt = Kit.now();
				if (entry === undefined && session !== undefined) entryGoneWhileLocked = true;
				return releasedAt !== undefined && entry === undefined;
			}, 30);
			expect(closed).to.equal(true);
			expect(entryGoneWhileLocked).to.equal(false);
			// Removed by the closing server within a second of the release, not lapsed 17 s later.
			expect(Kit.now() - releasedAt! < 1.5).to.equal(true);
			u.destroy();
		});
	});
};
