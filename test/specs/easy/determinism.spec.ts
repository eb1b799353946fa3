/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { startWithStore } from "./helpers";

/**
 * One seed gives one run, request for request, with Easy API sessions too. The store keeps its sessions in a map
 * keyed by locker objects; iterating that map follows memory addresses, which differ between runs, so the order in
 * which sessions issue their requests (and so which latency each request draws) would change from run to run.
 */
function easyScenario(seed: number, withTimes = false): string {
	const universe = Kit.createUniverse({ seed, latency: { min: 0.05, max: 0.6 } });
	const a = startWithStore(universe);
	const b = startWithStore(universe);
	a.lib.PlayerProfilesCreate(a.store);
	b.lib.PlayerProfilesCreate(b.store);
	const t0 = Kit.now();
	const joined = new Array<Player>();
	for (let userId = 1; userId <= 12; userId++) joined.push(a.server.addPlayer({ userId }));
	Kit.advance(5);
	for (let i = 0; i < 6; i++) a.server.removePlayer(joined[i]);
	for (let userId = 1; userId <= 6; userId++) b.server.addPlayer({ userId });
	Kit.advance(10);
	a.server.shutdown();
	b.server.shutdown();
	Kit.advance(35);
	const log = universe.dataStores.requests({ service: "*" });
	universe.destroy();
	return (
		log
			.map(
				e =>
					`${withTimes ? string.format("%.4f ", e.time - t0) : ""}${e.server - a.server.id} ${e.service}.${e.method} ${e.key} ${e.outcome}`,
			)
			.join("\n") + `\n${log.size()} requests over ${math.floor(Kit.now() - t0)} s`
	);
}

export = () => {
	describe("Easy API determinism (item D6)", () => {
		it("item D6: the same seeded two-server Easy API run (12 joins, 6 hops, shutdowns), run three times, makes the same requests in the same order", () => {
			const first = easyScenario(21);
			// Not trivial: every session loads, hops release and load, and the shutdowns release the rest.
			expect(first.split("\n").size() > 36).to.equal(true);
			expect(easyScenario(21)).to.equal(first);
			expect(easyScenario(21)).to.equal(first);
		});

		it("item D6: the same run at the same virtual times, whatever universes ran before it in this VM", () => {
			// Each run starts one frame after a wait, so all start at the same point of a frame. Virtual time restarts
			// at 0 for each new universe: float rounding near t = 100 differs from near t = 0, which used to move
			// timers due on a frame boundary by one frame.
			const runs = new Array<string>();
			for (let i = 0; i < 3; i++) {
				Kit.advance(1);
				runs.push(easyScenario(21, true));
			}
			expect(runs[0].find("0.0", 1, true)[0]).to.be.ok();
			expect(runs[1]).to.equal(runs[0]);
			expect(runs[2]).to.equal(runs[0]);
		});
	});
};
