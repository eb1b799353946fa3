/// <reference types="@rbxts/testez/globals" />
// Lock protocol v2 (docs/lock-protocol-v2.md): a crashed holder's player loads on another server within seconds.
import { Kit } from "../../kit";
import { acquireLoaded, forceSaved, heartbeatReads, start, storedSession } from "./world";

/** One crash: seconds from the player's join on server B (right after A crashed) to loaded there, and the data. */
function crashOnce(seed: number): { seconds: number; gold: number; reads: number } {
	const u = Kit.createUniverse({ seed });
	const a = start(u);
	const b = start(u);
	const la = a.locker("1");
	assert(acquireLoaded(la), "A loads");
	assert(storedSession(u, "1")!.Heartbeat === 1, "the lock advertises the heartbeat");
	la.SaveData.Gold = seed;
	assert(forceSaved(la), "A's save is acknowledged");
	// The server has run a while; the crash falls anywhere in the heartbeat's refresh period.
	Kit.advance(30 + new Random(seed).NextNumber(0, 6));
	a.server.crash();
	const joined = Kit.now();
	const readsBefore = heartbeatReads(u, b.server);
	const lb = b.locker("1");
	lb.MarkShouldAcquire();
	assert(
		Kit.waitUntil(() => lb.LoadStatus === "loaded", 60),
		`seed ${seed}: B loads within 60 s`,
	);
	const result = {
		seconds: Kit.now() - joined,
		gold: lb.SaveData.Gold,
		reads: heartbeatReads(u, b.server) - readsBefore,
	};
	assert(storedSession(u, "1")!.JobId === b.server.jobId, "B holds the key");
	u.destroy();
	return result;
}

export = () => {
	beforeAll(() => Kit.setFrameStep(0.1));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("takeover: a crashed holder", () => {
		it("its player loads on another server within 30 s, with every acknowledged write", () => {
			const run = crashOnce(1);
			expect(run.seconds <= 30).to.equal(true);
			expect(run.gold).to.equal(1);
			expect(run.reads <= 3).to.equal(true);
		});

		it("over 20 seeded crashes: median <= 15 s and max <= 30 s from join to loaded, at most 3 reads each", () => {
			const times = new Array<number>();
			let maxReads = 0;
			for (let seed = 1; seed <= 20; seed++) {
				const run = crashOnce(seed);
				expect(run.gold).to.equal(seed);
				times.push(run.seconds);
				maxReads = math.max(maxReads, run.reads);
			}
			table.sort(times);
			const median = (times[9] + times[10]) / 2;
			const max = times[19];
			print(
				string.format(
					"takeover after crash (20 seeds): median %.1f s, min %.1f s, max %.1f s, max reads %d",
					median,
					times[0],
					max,
					maxReads,
				),
			);
			expect(median <= 15).to.equal(true);
			expect(max <= 30).to.equal(true);
			expect(maxReads <= 3).to.equal(true);
		});
	});
};
