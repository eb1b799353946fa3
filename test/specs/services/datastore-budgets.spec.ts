/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { dss, errorOf, noCache, start, storeOf, universeWith } from "./helpers";

const QUEUE_WARNING =
	"DataStore request was added to queue. If request queue fills, further requests will be dropped. Try sending fewer requests.Key = ";

function budget(server: Parameters<typeof dss>[0], requestType: Enum.DataStoreRequestType) {
	return dss(server).GetRequestBudgetForRequestType(requestType);
}

// Platform checklist items 28–38: budgets, queues, the write cooldown and per-key throughput.
export = () => {
	describe("legacy budgets (items 28–31)", () => {
		it("item 29: Get and Set start at 100 and refill at rate/60 per second", () => {
			const universe = universeWith();
			const server = universe.startServer();
			expect(budget(server, Enum.DataStoreRequestType.GetAsync)).to.equal(100);
			expect(budget(server, Enum.DataStoreRequestType.SetIncrementAsync)).to.equal(100);
			Kit.advance(30);
			// 60/min with no players: +30 in 30 s.
			expect(budget(server, Enum.DataStoreRequestType.GetAsync)).to.equal(130);
			universe.destroy();
		});

		it("item 28: the rate is 60 + 10·n with n this server's live players, recomputed on join and leave", () => {
			const universe = universeWith();
			const empty = universe.startServer();
			const busy = universe.startServer();
			const players = [busy.addPlayer(), busy.addPlayer(), busy.addPlayer()];
			Kit.advance(30);
			expect(budget(empty, Enum.DataStoreRequestType.GetAsync)).to.equal(130);
			// 60 + 30 = 90/min: +45 in 30 s.
			expect(budget(busy, Enum.DataStoreRequestType.GetAsync)).to.equal(145);
			for (const player of players) busy.removePlayer(player);
			Kit.advance(30);
			expect(budget(busy, Enum.DataStoreRequestType.GetAsync)).to.equal(175);
			expect(budget(empty, Enum.DataStoreRequestType.GetSortedAsync)).to.equal(10 + 5);
			universe.destroy();
		});

		it("item 29: budgets are capped at 3× the rate", () => {
			const universe = universeWith();
			const server = universe.startServer();
			Kit.advance(600);
			expect(budget(server, Enum.DataStoreRequestType.GetAsync)).to.equal(180);
			expect(budget(server, Enum.DataStoreRequestType.SetIncrementAsync)).to.equal(180);
			universe.destroy();
		});

		it("item 30: UpdateAsync reports min(Get, Set) and charges Get for the read and Set for the write; Remove charges Set", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			universe.dataStores.write("Store", "k", 1);
			store.GetAsync("warm", noCache()); // Get 100 → 99
			expect(budget(server, Enum.DataStoreRequestType.UpdateAsync)).to.equal(99);
			store.UpdateAsync<number, number>("k", v => $tuple(v! + 1));
			expect(budget(server, Enum.DataStoreRequestType.GetAsync)).to.equal(98);
			expect(budget(server, Enum.DataStoreRequestType.SetIncrementAsync)).to.equal(99);
			store.RemoveAsync("k");
			expect(budget(server, Enum.DataStoreRequestType.SetIncrementAsync)).to.equal(98);
			expect(budget(server, Enum.DataStoreRequestType.GetAsync)).to.equal(98);
			universe.destroy();
		});

		it("item 31: the budget is floored, and an invalid request type is a cast error", () => {
			const universe = universeWith();
			const server = universe.startServer();
			Kit.advance(0.5); // 100.5 → 100
			expect(budget(server, Enum.DataStoreRequestType.GetAsync)).to.equal(100);
			expect(errorOf(() => budget(server, 999 as unknown as Enum.DataStoreRequestType))).to.equal(
				"Unable to cast value to Enum",
			);
			expect(
				errorOf(() => budget(server, Enum.CloseReason.Unknown as unknown as Enum.DataStoreRequestType)),
			).to.equal("Unable to cast value to Enum");
			universe.destroy();
		});
	});

	describe("2026 budgets (items 32–33)", () => {
		it("item 32: StandardRead is 60 + 40·n; SetRateLimitForRequestType overrides it and refuses UpdateAsync/OnUpdate", () => {
			const universe = universeWith({ budgetProfile: "2026" });
			const server = universe.startServer();
			server.addPlayer();
			expect(budget(server, Enum.DataStoreRequestType.StandardRead)).to.equal(100);
			Kit.advance(30);
			expect(budget(server, Enum.DataStoreRequestType.StandardRead)).to.equal(150);
			const service = dss(server);
			service.SetRateLimitForRequestType(Enum.DataStoreRequestType.StandardWrite, 0, 0);
			Kit.advance(30);
			expect(budget(server, Enum.DataStoreRequestType.StandardWrite)).to.equal(150);
			expect(budget(server, Enum.DataStoreRequestType.StandardRead)).to.equal(200);
			expect(
				errorOf(() => service.SetRateLimitForRequestType(Enum.DataStoreRequestType.UpdateAsync, 10, 1)),
			).never.to.equal(undefined);
			expect(
				errorOf(() => service.SetRateLimitForRequestType(Enum.DataStoreRequestType.OnUpdate, 10, 1)),
			).never.to.equal(undefined);
			expect(
				errorOf(() => service.SetRateLimitForRequestType(Enum.DataStoreRequestType.StandardRead, 20000, 1)),
			).never.to.equal(undefined);
			universe.destroy();
		});

		it("item 33: the experience-wide read limit (300 + 40·CCU) is shared by every server", () => {
			const universe = universeWith({ budgetProfile: "2026" });
			const servers = [
				universe.startServer(),
				universe.startServer(),
				universe.startServer(),
				universe.startServer(),
			];
			const results = new Array<ReturnType<typeof start>>();
			for (const server of servers) {
				const store = storeOf(server);
				for (let i = 0; i < 90; i++) results.push(start(() => store.GetAsync(`k${i}`, noCache())));
			}
			Kit.waitUntil(() => results.every(r => r.done), 30);
			let throttled = 0;
			for (const r of results) {
				if (r.error !== undefined) {
					expect(r.error.find("StandardReadExperienceThrottled", 1, true)[0]).never.to.equal(undefined);
					throttled += 1;
				}
			}
			// 360 requests at once against 300 per minute: the 60 past the limit are refused.
			expect(throttled).to.equal(60);
			universe.destroy();
		});
	});

	describe("queues (items 34–36)", () => {
		it("item 34/35: with no budget a request waits in a FIFO queue, warns, and is charged when it leaves", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			const burst = new Array<ReturnType<typeof start>>();
			for (let i = 0; i < 100; i++) burst.push(start(() => store.SetAsync(`k${i}`, i)));
			expect(server.outputOf("warn").size()).to.equal(0);
			const order = new Array<number>();
			const queued = new Array<ReturnType<typeof start>>();
			for (let i = 1; i <= 3; i++) {
				queued.push(
					start(() => {
						store.SetAsync("queued", i);
						order.push(i);
					}),
				);
			}
			const warnings = server.outputOf("warn");
			expect(warnings.size()).to.equal(3);
			expect(warnings[0]).to.equal(QUEUE_WARNING + "queued");
			Kit.advance(0.5);
			expect(queued[0].done).to.equal(false);
			Kit.waitUntil(() => queued.every(q => q.done), 30);
			expect(order.join(",")).to.equal("1,2,3");
			// Refill is 1 per second at 60/min: the third left the queue about 3 s in.
			expect(universe.dataStores.read("Store", "queued")!.value).to.equal(3);
			expect(budget(server, Enum.DataStoreRequestType.SetIncrementAsync)).to.equal(0);
			universe.destroy();
		});

		it("item 36: the 31st queued UpdateAsync fails at once with 304", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			const all = new Array<ReturnType<typeof start>>();
			for (let i = 0; i < 130; i++) all.push(start(() => store.UpdateAsync(`k${i}`, () => $tuple(i))));
			expect(all.filter(r => r.done).size()).to.equal(0);
			const overflow = start(() => store.UpdateAsync("overflow", () => $tuple(1)));
			expect(overflow.done).to.equal(true);
			expect(overflow.error).to.equal(
				"304: UpdateAsync request dropped. Request was throttled, but throttled request queue was full.",
			);
			Kit.waitUntil(() => all.every(r => r.done), 60);
			expect(all.filter(r => r.error !== undefined).size()).to.equal(0);
			universe.destroy();
		});

		it("item 36: a full queue drops GetAsync with 301, SetAsync with 302 and RemoveAsync with 306", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			const all = new Array<ReturnType<typeof start>>();
			for (let i = 0; i < 130; i++) all.push(start(() => store.GetAsync(`g${i}`, noCache())));
			expect(start(() => store.GetAsync("x", noCache())).error!.sub(1, 4)).to.equal("301:");
			for (let i = 0; i < 130; i++) all.push(start(() => store.SetAsync(`s${i}`, i)));
			expect(start(() => store.SetAsync("x", 1)).error!.sub(1, 4)).to.equal("302:");
			expect(start(() => store.IncrementAsync("x", 1)).error!.sub(1, 4)).to.equal("303:");
			expect(start(() => store.RemoveAsync("x")).error!.sub(1, 4)).to.equal("306:");
			Kit.waitUntil(() => all.every(r => r.done), 120);
			universe.destroy();
		});
	});

	describe("write cooldown and throughput (items 37–38)", () => {
		it("item 37: the legacy 6 s same-key write cooldown is off by default and opt-in", () => {
			const plain = universeWith();
			const fast = plain.startServer();
			const t0 = Kit.now();
			storeOf(fast).SetAsync("k", 1);
			storeOf(fast).SetAsync("k", 2);
			expect(Kit.now() - t0 < 1).to.equal(true);
			plain.destroy();

			const legacy = universeWith({ writeCooldown: true });
			const slow = legacy.startServer();
			const t1 = Kit.now();
			storeOf(slow).SetAsync("k", 1);
			storeOf(slow).SetAsync("k", 2);
			expect(Kit.now() - t1 >= 6).to.equal(true);
			expect(slow.outputOf("warn")[0]).to.equal(QUEUE_WARNING + "k");
			// Another key is not held back.
			const t2 = Kit.now();
			storeOf(slow).SetAsync("other", 1);
			expect(Kit.now() - t2 < 1).to.equal(true);
			legacy.destroy();
		});

		it("item 38: per-key writes over 4 MB in 60 s are refused (not queued), across servers", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			const big = string.rep("x", 1_000_000); // 977 KB per write once rounded up
			for (let i = 0; i < 4; i++) storeOf(i % 2 === 0 ? a : b).SetAsync("hot", big);
			const err = errorOf(() => storeOf(a).SetAsync("hot", big));
			expect(err).never.to.equal(undefined);
			expect(err!.find("429", 1, true)[0]).never.to.equal(undefined);
			expect(err!.find("KeyThrottled", 1, true)[0]).never.to.equal(undefined);
			// Another key is unaffected, and after the window the key accepts writes again.
			expect(errorOf(() => storeOf(a).SetAsync("cold", big))).to.equal(undefined);
			Kit.advance(61);
			expect(errorOf(() => storeOf(a).SetAsync("hot", big))).to.equal(undefined);
			universe.dataStores.remove("Store", "hot");
			universe.dataStores.remove("Store", "cold");
			universe.destroy();
		});

		describe("shutdown (item 49)", () => {
			it("item 49: the optional close boost raises budgets to 150 × rate/60 once shutdown begins", () => {
				const universe = universeWith();
				universe.dataStores.setOptions({ closeBudgetBoost: true });
				const server = universe.startServer();
				const plain = universe.startServer();
				const store = storeOf(server);
				const jobs = new Array<ReturnType<typeof start>>();
				for (let i = 0; i < 100; i++) jobs.push(start(() => store.GetAsync(`k${i}`, noCache())));
				expect(budget(server, Enum.DataStoreRequestType.GetAsync)).to.equal(0);
				let closeBudget = -1;
				server.game.BindToClose(() => {
					closeBudget = budget(server, Enum.DataStoreRequestType.GetAsync);
				});
				server.shutdown();
				Kit.waitUntil(() => closeBudget >= 0, 5);
				// 150 × 60/60 = 150 for a server with no players.
				expect(closeBudget).to.equal(150);
				expect(budget(plain, Enum.DataStoreRequestType.GetAsync)).to.equal(100);
				universe.destroy();
			});
		});
	});
};
