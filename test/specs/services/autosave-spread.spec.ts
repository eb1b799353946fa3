/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import type { CoinsProfile } from "../easy/helpers";
import { startWithStore } from "../easy/helpers";
import { maxInWindow } from "../../helpers/maxInWindow";

// How the gateway spreads autosaves on one server: a join storm's autosaves go at different times within the
// period, and keep their phase period after period (the stretch under a short budget: autosave-stretch.spec).

const PERIOD = 300;

export = () => {
	describe("autosave spread (a join storm's autosaves over the period)", () => {
		it("100 players loaded in one burst: each keeps a period, and their autosaves are spread (≤ 2 in any 1 s)", () => {
			const universe = Kit.createUniverse({ seed: 11, budgetProfile: "2026", latency: { min: 0.1, max: 0.3 } });
			const { server, store } = startWithStore(universe);
			const count = 100;
			// 100 players join in the same frame: each gets a session at once.
			const profiles = new Array<CoinsProfile>();
			for (let i = 1; i <= count; i++)
				profiles.push(store.StartSessionReusable(tostring(8000 + i), [8000 + i]) as CoinsProfile);
			expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 120)).to.equal(true);
			// Every player changes something every 20 s, so every autosave check writes.
			for (let t = 0; t < 3 * PERIOD + 30; t += 20) {
				for (const profile of profiles) {
					profile.GetSaveData().Coins += 1;
					profile.MarkShouldSave();
				}
				Kit.advance(20);
			}
			const byKey = new Map<string, Array<number>>();
			for (const request of universe.dataStores.requests({ server, method: "UpdateAsync" })) {
				if (request.outcome !== "ok") continue;
				const times = byKey.get(request.key) ?? [];
				times.push(request.time);
				byKey.set(request.key, times);
			}
			const autosaves = new Array<number>();
			const loads = new Array<number>();
			for (let i = 1; i <= count; i++) {
				const times = byKey.get(tostring(8000 + i))!;
				loads.push(times[0]);
				// The load, then at least three autosaves.
				expect(times.size() >= 4).to.equal(true);
				// The first autosave goes in the second half of the first period; each later one a period after it.
				const first = times[1] - times[0];
				expect(first >= PERIOD / 2 - 1 && first <= PERIOD + 2).to.equal(true);
				for (let s = 2; s < times.size(); s++) {
					const gap = times[s] - times[s - 1];
					expect(gap >= PERIOD - 1 && gap <= PERIOD + 2).to.equal(true);
				}
				for (let s = 1; s < times.size(); s++) autosaves.push(times[s]);
			}
			// The loads landed within a few seconds: autosaving one period after each would bunch all 100 likewise.
			expect(maxInWindow(loads, 5)).to.equal(count);
			expect(maxInWindow(autosaves, 1) <= 2).to.equal(true);
			expect(maxInWindow(autosaves, 10) <= 12).to.equal(true);
			expect(universe.dataStores.requestCount({ outcome: "throttled" })).to.equal(0);
			universe.destroy();
		});
	});
};
