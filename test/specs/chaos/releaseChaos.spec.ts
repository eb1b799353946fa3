/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { runReleaseChaos } from "./releaseChaos";

export = () => {
	beforeEach(() => Kit.setFrameStep(0.25));

	describe("seeded chaos (small; `npm run bench -- chaos` runs 10,000 sessions)", () => {
		it("8 servers, every fault mode, crashes, pauses, ±120 s skew: no acknowledged write lost, no write by a server that had lost the lock, one server available per key, idle only after a confirmed release, every waiter answered and key released", () => {
			const report = runReleaseChaos({
				seed: 7,
				sessions: 300,
				servers: 8,
				players: 40,
				faultRate: 0.6,
				crashRate: 0.03,
				pauseRate: 0.02,
				clockSkew: 120,
			});
			if (report.problems.size() > 0) warn(report.problems.join("\n"));
			print(
				`chaos: ${report.sessions} sessions, ${report.acknowledged} acknowledged, ${report.discarded} discarded, ${report.checkedWrites} writes checked for a lost lock, ${report.faults} faults, ${report.crashes} crashes, ${report.pauses} pauses, ${report.virtualSeconds} virtual s`,
			);
			expect(report.lostAcknowledged).to.equal(0);
			expect(report.lostLockWrites).to.equal(0);
			expect(report.doubleAvailable).to.equal(0);
			expect(report.idleBeforeConfirmed).to.equal(0);
			expect(report.unansweredWaiters).to.equal(0);
			expect(report.keysLeftLocked).to.equal(0);
			expect(report.problems.size()).to.equal(0);
			// The run must exercise what it claims.
			expect(report.acknowledged > 100).to.equal(true);
			expect(report.checkedWrites > 100).to.equal(true);
			expect(report.crashes > 0).to.equal(true);
			expect(report.pauses > 0).to.equal(true);
		});
	});
};
