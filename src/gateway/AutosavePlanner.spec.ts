/// <reference types="@rbxts/testez/globals" />
import { AutosavePlanner, MAX_STRETCH_PERIODS, STRETCH_LEASE_MARGIN } from "./AutosavePlanner";
import { maxInWindow } from "../../test/helpers/maxInWindow";

/** First-autosave times (relative to their loads) of `count` sessions loading `gap` seconds apart from `origin`. */
function burst(origin: number, count: number, gap: number): Array<number> {
	const planner = new AutosavePlanner();
	const offsets = new Array<number>();
	for (let i = 0; i < count; i++) offsets.push(planner.Plan(origin + i * gap, 300, {}) - origin);
	return offsets;
}

export = () => {
	describe("AutosavePlanner", () => {
		it("a lone session's first autosave is exactly one period after its load", () => {
			const planner = new AutosavePlanner();
			expect(planner.Plan(1000, 300, {})).to.equal(1300);
			// Its own earlier plan is not in its way.
			const owner = {};
			planner.Plan(5000, 300, owner);
			expect(planner.Plan(5000, 300, owner)).to.equal(5300);
		});

		it("100 sessions loaded in the same second are spread over the second half of the period", () => {
			const offsets = burst(0, 100, 0.01);
			for (const offset of offsets) {
				expect(offset >= 150).to.equal(true);
				expect(offset <= 301).to.equal(true);
			}
			// Largest gap first: 100 plans in 150 s are never closer than 150 / 128 s.
			expect(maxInWindow(offsets, 1)).to.equal(1);
			expect(maxInWindow(offsets, 10) <= 9).to.equal(true);
		});

		it("the plans do not depend on the clock's origin (no slots of the clock: the same offsets at any start)", () => {
			const a = burst(0, 100, 0.05);
			for (const origin of [17.3, 1234.567, 86400 * 365 + 0.123]) {
				const b = burst(origin, 100, 0.05);
				for (let i = 0; i < a.size(); i++) expect(b[i]).to.be.near(a[i], 1e-3);
			}
		});

		it("plans avoid the checks other sessions noted (a join during a spread server)", () => {
			const planner = new AutosavePlanner();
			// 60 sessions whose next checks are 5 s apart, the last one period from now.
			for (let i = 1; i <= 60; i++) planner.Note({}, 1000 + i * 5, 1000);
			const at = planner.Plan(1000, 300, {});
			expect(at >= 1150 && at <= 1300).to.equal(true);
			expect((at - 1000) % 5).to.be.near(2.5, 1e-6);
		});

		it("stretches a check by the pressure's share of the time left before the lease deadline, once", () => {
			const planner = new AutosavePlanner();
			const owner = {};
			const deadline = 900;
			const latest = deadline - STRETCH_LEASE_MARGIN;
			// No pressure: the check goes now.
			expect(planner.Stretch(owner, 300, 300, deadline, 300, 0)).to.equal(300);
			// A quarter of the budget: three quarters of the way to the latest time.
			const to = planner.Stretch(owner, 300, 300, deadline, 300, 0.75);
			expect(to).to.be.near(300 + 0.75 * (latest - 300), 1e-9);
			// Back at that time with the same pressure: it goes, it is not stretched again.
			expect(planner.Stretch(owner, to, to, deadline, 300, 0.75)).to.equal(to);
			// A pressure that keeps rising moves it further, never past the latest time.
			const again = planner.Stretch(owner, 300, 300, deadline, 300, 0.5);
			const further = planner.Stretch(owner, again, again, deadline, 300, 1);
			expect(further).to.be.near(latest, 1e-9);
			expect(planner.Stretch(owner, further, further, deadline, 300, 1)).to.equal(further);
			// A check already at the latest time goes whatever the pressure.
			expect(planner.Stretch({}, latest, latest, deadline, 300, 1)).to.equal(latest);
			expect(planner.StretchCount).to.equal(3);
			expect(planner.LastPressure).to.equal(1);
			// A lease deadline far away (a long SessionExpiry): the stretch stops two periods after the planned time.
			const far = planner.Stretch({}, 300, 300, 100_000, 300, 1);
			expect(far).to.equal(300 + MAX_STRETCH_PERIODS * 300);
		});
	});
};
