/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer, KitUniverse } from "../../test/kit";
import type { RequestGatewayOptions } from "./RequestGateway";
import { maxInWindow } from "../../test/helpers/maxInWindow";

type Lib = typeof import("../index");
const LIB = "ReplicatedStorage.SessionLocker";

interface World {
	universe: KitUniverse;
	server: KitServer;
	lib: Lib;
	store: DataStore;
}

function world(profile: "legacy" | "2026" = "legacy"): World {
	const universe = Kit.createUniverse({ seed: 3, budgetProfile: profile, latency: { min: 0.1, max: 0.1 } });
	const server = universe.startServer();
	const lib = server.require<Lib>(LIB);
	const store = server.game.GetService("DataStoreService").GetDataStore("S");
	return { universe, server, lib, store };
}

function gatewayOf(w: World, options?: RequestGatewayOptions) {
	return w.lib.RequestGatewayCreate({ PlaceId: 1, JobId: "J", Random: new Random(1), ...options });
}

/** `count` writes of the game's own, all at once (a new server starts with 100 write requests of budget). */
function spendWrites(w: World, count: number): boolean {
	let done = 0;
	for (let i = 1; i <= count; i++)
		task.spawn(() => {
			w.store.SetAsync(`own${i}`, i);
			done += 1;
		});
	return Kit.waitUntil(() => done === count, 10);
}

export = () => {
	describe("RequestScheduler (items 28–36 of the platform rules)", () => {
		// Under pressure: 10 autosaves are asked for first, then 5 releases and 5 purchase saves.
		function orderUnderPressure(budgetAware: boolean): Array<string> {
			const w = world();
			const gateway = gatewayOf(w, budgetAware ? undefined : { BudgetSource: false });
			expect(spendWrites(w, 100)).to.equal(true);
			let done = 0;
			const send = (key: string, operation: string, priority?: "autosave" | "purchase") =>
				task.spawn(() => {
					gateway.Update(w.store, key, () => ({ K: key }), [], operation, priority);
					done += 1;
				});
			for (let i = 1; i <= 10; i++) send(`autosave${i}`, "UpdateAsync_Save", "autosave");
			for (let i = 1; i <= 5; i++) send(`release${i}`, "UpdateAsync_Release");
			for (let i = 1; i <= 5; i++) send(`purchase${i}`, "UpdateAsync_Save", "purchase");
			if (budgetAware) {
				Kit.advance(1);
				expect(gateway.BudgetPressure()).to.equal(1);
			}
			expect(Kit.waitUntil(() => done === 20, 120)).to.equal(true);
			expect(w.universe.dataStores.requestCount({ outcome: "throttled" })).to.equal(0);
			const order = w.universe.dataStores
				.requests({ method: "UpdateAsync" })
				.filter(r => r.outcome === "ok")
				.map(r => r.key);
			w.universe.destroy();
			return order;
		}

		it("under budget pressure, releases and purchase saves go before autosaves (order from the request log)", () => {
			const order = orderUnderPressure(true);
			expect(order.size()).to.equal(20);
			for (let i = 0; i < 10; i++) expect(order[i].find("autosave", 1, true)[0]).to.equal(undefined);
			for (let i = 10; i < 20; i++) expect(order[i].find("autosave", 1, true)[0]).to.equal(1);
			// Without budget awareness the same requests go in arrival order: autosaves first.
			expect(orderUnderPressure(false)[0]).to.equal("autosave1");
		});

		it("BudgetPressure is 0 with budget to spare and rises as it is spent", () => {
			const w = world();
			const gateway = gatewayOf(w);
			expect(gateway.BudgetPressure()).to.equal(0);
			expect(spendWrites(w, 80)).to.equal(true);
			expect(gateway.BudgetPressure()).to.be.near(0.5, 0.05);
			expect(spendWrites(w, 20)).to.equal(true);
			expect(gateway.BudgetPressure()).to.equal(1);
			expect(gatewayOf(w, { BudgetSource: false }).BudgetPressure()).to.equal(0);
			w.universe.destroy();
		});

		it("a game's rate limit caps the library's requests, and closing lifts it", () => {
			const w = world("2026");
			const gateway = gatewayOf(w, { RateLimit: { Base: 60, PerPlayer: 0 } });
			let done = 0;
			const began = Kit.now();
			for (let i = 1; i <= 30; i++)
				task.spawn(() => {
					gateway.Update(w.store, `k${i}`, () => i, [], "UpdateAsync_Save");
					done += 1;
				});
			expect(Kit.waitUntil(() => done === 30, 60)).to.equal(true);
			const times = w.universe.dataStores.requests({ method: "UpdateAsync" }).map(r => r.time - began);
			// 60 a minute with a 10-second burst: 10 at once, then one a second (so at most 11 in any second).
			const burst = maxInWindow(times, 1);
			expect(burst >= 10 && burst <= 11).to.equal(true);
			expect(Kit.now() - began >= 19).to.equal(true);
			gateway.BeginClosing(gateway.clock() + 27);
			const closingAt = Kit.now();
			for (let i = 1; i <= 20; i++)
				task.spawn(() => {
					gateway.Update(w.store, `c${i}`, () => i, [], "UpdateAsync_Release");
					done += 1;
				});
			expect(Kit.waitUntil(() => done === 50, 5)).to.equal(true);
			expect(Kit.now() - closingAt < 2).to.equal(true);
			w.universe.destroy();
		});

		it("spreads the autosaves of a 100-player join storm over the period (max requests in any 10 s bounded)", () => {
			const w = world("2026");
			const gateway = gatewayOf(w);
			const period = 300;
			const sessions = 100;
			const autosaveTimes = new Array<number>();
			const gaps = new Array<number>();
			const joinTimes = new Array<number>();
			let finished = 0;
			for (let i = 1; i <= sessions; i++) {
				task.delay((i % 20) * 0.25, () => {
					gateway.Update(w.store, `p${i}`, () => ({ Coins: 0 }), [i], "UpdateAsync_Load");
					let last = Kit.now();
					joinTimes.push(last);
					for (let round = 1; round <= 3; round++) {
						const at = gateway.PlanAutosave(last, period);
						task.wait(at - Kit.now());
						gateway.Update(w.store, `p${i}`, () => ({ Coins: round }), [i], "UpdateAsync_Save", "autosave");
						const now = Kit.now();
						autosaveTimes.push(now);
						gaps.push(now - last);
						last = now;
					}
					finished += 1;
				});
			}
			expect(Kit.waitUntil(() => finished === sessions, 4 * period)).to.equal(true);
			// Every player joined within 5 s: autosaving a period after each join would put all 100 in one window.
			expect(
				maxInWindow(
					joinTimes.map(t => t + period),
					10,
				),
			).to.equal(sessions);
			expect(maxInWindow(autosaveTimes, 10) <= 12).to.equal(true);
			for (const gap of gaps) {
				expect(gap >= period / 2 - 1).to.equal(true);
				expect(gap <= period + 1).to.equal(true);
			}
			expect(w.universe.dataStores.requestCount({ outcome: "throttled" })).to.equal(0);
			w.universe.destroy();
		});
	});
};
