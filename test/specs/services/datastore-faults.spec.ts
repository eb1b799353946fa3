/// <reference types="@rbxts/testez/globals" />
import { Kit, KitUniverse } from "../../kit";
import { dss, errorOf, noCache, start, storeOf, universeWith } from "./helpers";

const HTTP_500 = "502: API Services rejected request with error. HTTP 500 (Internal Server Error)";
const HTTP_429 = "502: API Services rejected request with error. HTTP 429 (Too Many Requests)";

// Platform checklist items 39–43 and the test kit's DataStore backend.
export = () => {
	describe("fault injection (items 39–41)", () => {
		it("item 39: a fault rule fails matching requests by method and key, `after` skips, `count` expires it", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.addFault({ method: "GetAsync", key: "k", after: 1, count: 2, message: HTTP_429 });
			expect(errorOf(() => store.GetAsync("k", noCache()))).to.equal(undefined);
			expect(errorOf(() => store.GetAsync("k", noCache()))).to.equal(HTTP_429);
			expect(errorOf(() => store.GetAsync("other", noCache()))).to.equal(undefined);
			expect(errorOf(() => store.SetAsync("k", 1))).to.equal(undefined);
			expect(errorOf(() => store.GetAsync("k", noCache()))).to.equal(HTTP_429);
			expect(errorOf(() => store.GetAsync("k", noCache()))).to.equal(undefined);
			const log = universe.dataStores.requests({ key: "k", method: "GetAsync" });
			expect(log.map(e => e.outcome).join(",")).to.equal("ok,error,error,ok");
			expect(log[1].error).to.equal(HTTP_429);
			universe.destroy();
		});

		it("item 39: a rule can target one server; any code can be injected; the remover and clearFaults end it", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			const remove = universe.dataStores.addFault({
				server: a,
				count: math.huge,
				message: "301: GetAsync request dropped. Request was throttled, but throttled request queue was full.",
			});
			expect(errorOf(() => storeOf(a).GetAsync("k"))!.sub(1, 4)).to.equal("301:");
			expect(errorOf(() => storeOf(b).GetAsync("k"))).to.equal(undefined);
			expect(errorOf(() => storeOf(a).SetAsync("k", 1))!.sub(1, 4)).to.equal("301:");
			remove();
			expect(errorOf(() => storeOf(a).SetAsync("k", 1))).to.equal(undefined);
			universe.dataStores.addFault({ count: math.huge });
			expect(errorOf(() => storeOf(b).SetAsync("k", 1))).to.equal(HTTP_500);
			universe.dataStores.clearFaults();
			expect(errorOf(() => storeOf(b).SetAsync("k", 1))).to.equal(undefined);
			universe.destroy();
		});

		it("item 40: commit-then-error writes the value but the caller gets the error", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.addFault({ method: "SetAsync", mode: "commit-then-error", message: HTTP_500 });
			expect(errorOf(() => store.SetAsync("k", "committed"))).to.equal(HTTP_500);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal("committed");
			expect(store.GetAsync<string>("k", noCache())[0]).to.equal("committed");
			universe.destroy();
		});

		it("item 40: drop-then-ok reports success but nothing is committed", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", "before");
			universe.dataStores.addFault({ method: "UpdateAsync", mode: "drop-then-ok" });
			const [result] = store.UpdateAsync<string, string>("k", () => $tuple("after"));
			expect(result).to.equal("after");
			expect(universe.dataStores.read("Store", "k")!.value).to.equal("before");
			universe.destroy();
		});

		it("item 40: an UpdateAsync fault strikes after the transform ran, and nothing is committed", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", 1);
			universe.dataStores.addFault({ method: "UpdateAsync", message: HTTP_500 });
			let calls = 0;
			const err = errorOf(() =>
				store.UpdateAsync<number, number>("k", v => {
					calls += 1;
					return $tuple(v! + 1);
				}),
			);
			expect(err).to.equal(HTTP_500);
			expect(calls).to.equal(1);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			universe.destroy();
		});

		it("item 41: Studio without API access fails with the 502 HTTP 403 form, or the legacy 403 form", () => {
			const universe = universeWith();
			const studio = universe.startServer({ studio: true, apiAccess: false });
			expect(errorOf(() => storeOf(studio).SetAsync("k", 1))).to.equal(
				"502: API Services rejected request with error. HTTP 403 (Forbidden)",
			);
			universe.dataStores.setOptions({ studioErrorStyle: "legacy" });
			expect(errorOf(() => storeOf(studio).GetAsync("k"))).to.equal(
				"403: Cannot write to DataStore from studio if API access is not enabled.",
			);
			const allowed = universe.startServer({ studio: true });
			expect(errorOf(() => storeOf(allowed).SetAsync("k", 1))).to.equal(undefined);
			universe.destroy();
		});
	});

	describe("latency and servers (items 42–43)", () => {
		it("item 42: every backend request yields for the configured virtual latency", () => {
			const universe = universeWith();
			universe.dataStores.setLatency({ min: 2, max: 2 });
			const store = storeOf(universe.startServer());
			const t0 = Kit.now();
			store.SetAsync("k", 1);
			const elapsed = Kit.now() - t0;
			expect(elapsed >= 2 && elapsed < 2.1).to.equal(true);
			universe.destroy();
		});

		it("item 42: latency draws come from the seeded range", () => {
			const universe = Kit.createUniverse({ seed: 7, latency: { min: 0.5, max: 1.5 } });
			const store = storeOf(universe.startServer());
			const times = new Array<number>();
			for (let i = 0; i < 5; i++) {
				const t0 = Kit.now();
				store.SetAsync(`k${i}`, i);
				times.push(Kit.now() - t0);
			}
			for (const t of times) expect(t >= 0.5 && t < 1.6).to.equal(true);
			expect(times.some(t => math.abs(t - times[0]) > 0.05)).to.equal(true);
			universe.destroy();
		});

		it("item 42: a held key keeps its requests open until released", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const hold = universe.dataStores.hold("k");
			const pending = start(() => storeOf(server).SetAsync("k", 1));
			const other = start(() => storeOf(server).SetAsync("free", 1));
			Kit.advance(30);
			expect(pending.done).to.equal(false);
			expect(other.done).to.equal(true);
			expect(universe.dataStores.read("Store", "k")).to.equal(undefined);
			hold.release();
			Kit.waitUntil(() => pending.done, 5);
			expect(pending.error).to.equal(undefined);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			universe.destroy();
		});

		it("item 43: servers share one backend but each has its own store objects, cache and budgets", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			storeOf(a).SetAsync("k", "from a");
			expect(storeOf(b).GetAsync<string>("k")[0]).to.equal("from a");
			expect(storeOf(a) === storeOf(b)).to.equal(false);
			for (let i = 0; i < 5; i++) storeOf(b).GetAsync(`x${i}`, noCache());
			const budgetA = dss(a).GetRequestBudgetForRequestType(Enum.DataStoreRequestType.GetAsync);
			const budgetB = dss(b).GetRequestBudgetForRequestType(Enum.DataStoreRequestType.GetAsync);
			expect(budgetA - budgetB).to.equal(6);
			expect(universe.dataStores.budget(b, "GetAsync")).to.equal(budgetB);
			expect(universe.dataStores.budget(a, Enum.DataStoreRequestType.GetAsync)).to.equal(budgetA);
			expect(universe.dataStores.requestCount({ server: b })).to.equal(6);
			expect(universe.dataStores.requestCount({ server: a })).to.equal(1);
			universe.destroy();
		});
	});

	describe("the DataStore kit", () => {
		it("reads, writes and removes raw entries with key info, bypassing budgets", () => {
			const universe = universeWith();
			const server = universe.startServer();
			universe.dataStores.write("Store", "k", { a: 1 }, { userIds: [3] });
			const entry = universe.dataStores.read("Store", "k")!;
			expect((entry.value as { a: number }).a).to.equal(1);
			expect(entry.userIds[0]).to.equal(3);
			expect(typeIs(entry.version, "string")).to.equal(true);
			expect(entry.createdTime).to.equal(entry.updatedTime);
			const [value, info] = storeOf(server).GetAsync<{ a: number }>("k");
			expect(value!.a).to.equal(1);
			expect(info.Version).to.equal(entry.version);
			universe.dataStores.remove("Store", "k");
			expect(universe.dataStores.read("Store", "k")).to.equal(undefined);
			expect(universe.dataStores.requestCount()).to.equal(1);
			universe.destroy();
		});

		it("saves the backend to a JSON file and loads it into another universe", () => {
			const path = "out-test/kit-backend.json";
			const first = universeWith();
			storeOf(first.startServer()).SetAsync("k", { coins: 7 }, [1]);
			first.dataStores.saveToFile(path);
			first.destroy();
			const second = universeWith();
			expect(second.dataStores.loadFromFile(path)).to.equal(true);
			const entry = second.dataStores.read("Store", "k")!;
			expect((entry.value as { coins: number }).coins).to.equal(7);
			expect(entry.userIds[0]).to.equal(1);
			expect(storeOf(second.startServer()).GetAsync<{ coins: number }>("k")[0]!.coins).to.equal(7);
			expect(second.dataStores.loadFromFile("out-test/does-not-exist.json")).to.equal(false);
			second.destroy();
		});

		it("the same seed and the same spec produce the same request log", () => {
			const scenario = (universe: KitUniverse) => {
				const a = universe.startServer();
				const b = universe.startServer();
				universe.dataStores.addFault({ method: "SetAsync", after: 2, message: HTTP_500 });
				const t0 = Kit.now();
				const jobs = new Array<ReturnType<typeof start>>();
				for (let i = 0; i < 6; i++) {
					const server = i % 2 === 0 ? a : b;
					jobs.push(start(() => storeOf(server).SetAsync(`k${i % 3}`, i)));
					jobs.push(start(() => storeOf(server).UpdateAsync(`k${i % 3}`, v => $tuple(v ?? 0))));
				}
				Kit.waitUntil(() => jobs.every(j => j.done), 30);
				const lines = universe.dataStores
					.requests()
					.map(
						e =>
							`${string.format("%.4f", e.time - t0)} ${e.server - a.id} ${e.method} ${e.key} ${e.outcome}`,
					);
				universe.destroy();
				return lines.join("\n");
			};
			const first = scenario(Kit.createUniverse({ seed: 42 }));
			const second = scenario(Kit.createUniverse({ seed: 42 }));
			const other = scenario(Kit.createUniverse({ seed: 43 }));
			expect(first).to.equal(second);
			expect(first === other).to.equal(false);
			expect(first.find("error", 1, true)[0]).never.to.equal(undefined);
		});
	});
};
