/// <reference types="@rbxts/testez/globals" />
import { leaseDeadline, leaseMargin, planAutosave, SaveCheck } from "./savePlan";

function check(now: number, lastWriteAt: number, dirty = false, period = 300, expiry = 1800): SaveCheck {
	return { Now: now, Period: period, Expiry: expiry, LastWriteAt: lastWriteAt, Dirty: dirty };
}

/** Runs the checks of an idle session from a load at 0 (each check lands `lag` after it was planned). */
function idleWrites(duration: number, lag: number, period = 300, expiry = 1800): Array<number> {
	const writes = new Array<number>();
	let lastWrite = 0;
	let due = period;
	while (due < duration) {
		const now = due + lag;
		const plan = planAutosave(check(now, lastWrite, false, period, expiry));
		if (plan.Write === "none") {
			due = plan.NextCheckAt;
		} else {
			writes.push(now);
			lastWrite = now;
			due = now + lag + period; // consumeSave plans the next check one period after the result
		}
	}
	return writes;
}

export = () => {
	describe("planAutosave", () => {
		it("writes a marked change at once, whatever the lease's age", () => {
			expect(planAutosave(check(300, 0, true)).Write).to.equal("changed");
			expect(planAutosave(check(301, 300, true)).Write).to.equal("changed");
		});

		it("writes nothing while the lease is young, and plans the next check one period later", () => {
			const plan = planAutosave(check(300, 0));
			expect(plan.Write).to.equal("none");
			expect(plan.NextCheckAt).to.equal(600);
		});

		it("plans a check at the lease deadline when the next period would pass it, and refreshes there", () => {
			const plan = planAutosave(check(1000, 0));
			expect(plan.Write).to.equal("none");
			expect(plan.NextCheckAt).to.equal(1200);
			expect(leaseDeadline(check(1000, 0))).to.equal(1200);
			expect(planAutosave(check(1199.9, 0)).Write).to.equal("none");
			expect(planAutosave(check(1200, 0)).Write).to.equal("lease");
		});

		it("keeps a margin of two periods before the expiry, and never less than half the expiry", () => {
			expect(leaseMargin(check(0, 0))).to.equal(600);
			expect(leaseDeadline(check(0, 100))).to.equal(1300);
			// A long period: the margin is capped at half the expiry, the deadline at the expiry's midpoint.
			expect(leaseMargin(check(0, 0, false, 600, 1800))).to.equal(900);
			expect(leaseDeadline(check(0, 0, false, 600, 1800))).to.equal(900);
			// A long expiry: still two periods of margin.
			expect(leaseDeadline(check(0, 0, false, 300, 7200))).to.equal(6600);
		});

		it("an idle 30-minute session refreshes its lease once, at 20 minutes, even when checks run late", () => {
			for (const lag of [0, 0.016, 0.5, 3]) {
				const writes = idleWrites(1800, lag);
				expect(writes.size()).to.equal(1);
				expect(writes[0] >= 1200 && writes[0] <= 1200 + lag).to.equal(true);
			}
		});

		it("property: the last write is never older than the expiry minus the margin when a check refreshes it", () => {
			const rng = new Random(11);
			for (let i = 0; i < 300; i++) {
				const period = rng.NextInteger(10, 600);
				const expiry = period * 2 + rng.NextInteger(0, 3600);
				const lag = rng.NextNumber(0, 1);
				let lastWrite = 0;
				const margin = math.min(expiry / 2, 2 * period);
				expect(margin >= period).to.equal(true);
				for (const at of idleWrites(7200, lag, period, expiry)) {
					expect(at - lastWrite <= expiry - margin + lag).to.equal(true);
					lastWrite = at;
				}
				// And it does not refresh much more often than that: at most one write per (expiry - margin).
				const writes = idleWrites(7200, lag, period, expiry).size();
				expect(writes <= math.ceil(7200 / (expiry - margin - lag)) + 1).to.equal(true);
			}
		});

		it("with SessionExpiry below twice the period every check refreshes (as autosaves always did)", () => {
			expect(planAutosave(check(300, 0, false, 300, 100)).Write).to.equal("lease");
			expect(idleWrites(1800, 0, 300, 100).size()).to.equal(5);
		});
	});
};
