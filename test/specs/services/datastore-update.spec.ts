/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { dss, errorOf, noCache, start, storeOf, universeWith } from "./helpers";

// Platform checklist items 20–27: UpdateAsync and the read cache.
export = () => {
	describe("UpdateAsync (items 20–26)", () => {
		it("item 20: the transform gets (value, keyInfo); userIds and metadata it does not return are cleared", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const options = new Instance("DataStoreSetOptions");
			options.SetMetadata({ lock: "L1" });
			const version = store.SetAsync("k", 10, [5], options);
			let seenVersion = "";
			let seenIds = 0;
			let seenLock: unknown;
			store.UpdateAsync<number, number>("k", (value, info) => {
				seenVersion = info!.Version;
				seenIds = info!.GetUserIds().size();
				seenLock = (info!.GetMetadata() as { lock?: string }).lock;
				return $tuple(value! + 1);
			});
			expect(seenVersion).to.equal(version);
			expect(seenIds).to.equal(1);
			expect(seenLock).to.equal("L1");
			const entry = universe.dataStores.read("Store", "k")!;
			expect(entry.value).to.equal(11);
			expect(entry.userIds.size()).to.equal(0);
			expect(entry.metadata.lock).to.equal(undefined);
			// Returning them keeps them.
			store.UpdateAsync<number, number>("k", value => $tuple(value! + 1, [8], { lock: "L2" }));
			const kept = universe.dataStores.read("Store", "k")!;
			expect(kept.userIds[0]).to.equal(8);
			expect(kept.metadata.lock).to.equal("L2");
			universe.destroy();
		});

		it("item 20: a missing key gives the transform nil value and nil keyInfo", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			let infoWasNil = false;
			let valueWasNil = false;
			const [result, info] = store.UpdateAsync<number, number>("fresh", (value, keyInfo) => {
				valueWasNil = value === undefined;
				infoWasNil = keyInfo === undefined;
				return $tuple(1);
			});
			expect(valueWasNil).to.equal(true);
			expect(infoWasNil).to.equal(true);
			expect(result).to.equal(1);
			expect(info.Version).to.equal(universe.dataStores.read("Store", "fresh")!.version);
			universe.destroy();
		});

		it("item 21: returning nil cancels the write, UpdateAsync returns nil, only the read budget is spent", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			universe.dataStores.write("Store", "k", 1);
			const service = dss(server);
			const getBefore = service.GetRequestBudgetForRequestType(Enum.DataStoreRequestType.GetAsync);
			const setBefore = service.GetRequestBudgetForRequestType(Enum.DataStoreRequestType.SetIncrementAsync);
			const [result] = store.UpdateAsync("k", () => $tuple(undefined));
			expect(result).to.equal(undefined);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			expect(service.GetRequestBudgetForRequestType(Enum.DataStoreRequestType.GetAsync)).to.equal(getBefore - 1);
			expect(service.GetRequestBudgetForRequestType(Enum.DataStoreRequestType.SetIncrementAsync)).to.equal(
				setBefore,
			);
			expect(universe.dataStores.requests({ method: "UpdateAsync" })[0].outcome).to.equal("cancelled");
			universe.destroy();
		});

		it("item 22: a forced conflict runs the transform again; only the final result is stored", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", 0);
			universe.dataStores.forceConflicts("k", 1);
			let calls = 0;
			const [result] = store.UpdateAsync<number, number>("k", value => {
				calls += 1;
				return $tuple(value! + calls * 100);
			});
			expect(calls).to.equal(2);
			expect(result).to.equal(200);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(200);
			expect(universe.dataStores.requestCount({ method: "UpdateAsync" })).to.equal(1);
			universe.destroy();
		});

		it("item 22: server B's write landing between server A's read and write makes A's transform run again with B's value", () => {
			const universe = universeWith({ latency: { min: 1, max: 1 } });
			const a = universe.startServer();
			const b = universe.startServer();
			universe.dataStores.write("Store", "k", 1);
			const seen = new Array<number>();
			// A reads at +1 s and would write at +2 s; B's SetAsync, started at +0.5 s, commits at +1.5 s.
			const update = start(() =>
				storeOf(a).UpdateAsync<number, number>("k", value => {
					seen.push(value!);
					return $tuple(value! + 10);
				}),
			);
			Kit.advance(0.5);
			const set = start(() => storeOf(b).SetAsync("k", 100));
			Kit.waitUntil(() => update.done && set.done, 30);
			expect(update.error).to.equal(undefined);
			expect(seen.size()).to.equal(2);
			expect(seen[0]).to.equal(1);
			expect(seen[1]).to.equal(100);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(110);
			universe.destroy();
		});

		it("item 23: inside the cache window the first attempt transforms the cached value, then the fresh one", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			universe.dataStores.write("Store", "k", 1);
			const storeA = storeOf(a);
			storeA.GetAsync("k");
			storeOf(b).SetAsync("k", 50);
			const seen = new Array<number>();
			storeA.UpdateAsync<number, number>("k", value => {
				seen.push(value!);
				return $tuple(value! + 1);
			});
			expect(seen.size()).to.equal(2);
			expect(seen[0]).to.equal(1);
			expect(seen[1]).to.equal(50);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(51);
			universe.destroy();
		});

		it("item 23: the stale-read hook makes the first attempt see the previous value, then the current one", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", "old");
			universe.dataStores.write("Store", "k", "new");
			universe.dataStores.staleReads("k", 1);
			const seen = new Array<string>();
			store.UpdateAsync<string, string>("k", value => {
				seen.push(value!);
				return $tuple(value + "+");
			});
			expect(seen.join(",")).to.equal("old,new");
			expect(universe.dataStores.read("Store", "k")!.value).to.equal("new+");
			universe.destroy();
		});

		it("item 24: a transform that yields is an error; nothing is written", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			universe.dataStores.write("Store", "k", 1);
			const [result] = store.UpdateAsync<number, number>("k", value => {
				task.wait(1);
				return $tuple(value! + 1);
			});
			expect(result).to.equal(undefined);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			const errors = server.outputOf("error");
			expect(errors.size()).to.equal(1);
			expect(errors[0].find("yield", 1, true)[0]).never.to.equal(undefined);
			Kit.advance(2);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			universe.destroy();
		});

		it("item 25: a throwing transform is reported and UpdateAsync returns nil; the propagate mode rethrows", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			universe.dataStores.write("Store", "k", 1);
			const [result] = store.UpdateAsync("k", () => {
				throw "transform exploded";
			});
			expect(result).to.equal(undefined);
			expect(server.outputOf("error")[0].find("transform exploded", 1, true)[0]).never.to.equal(undefined);
			universe.dataStores.setOptions({
				transformErrors: "propagate",
			});
			const err = errorOf(() =>
				store.UpdateAsync("k", () => {
					throw "second explosion";
				}),
			);
			expect(err!.find("second explosion", 1, true)[0]).never.to.equal(undefined);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			universe.destroy();
		});

		it("item 26: what the transform returns is validated with 104, 105 and 512", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", 1);
			expect(errorOf(() => store.UpdateAsync("k", () => $tuple([() => 1])))).to.equal(
				"104: Cannot store Array in data store. Data stores can only accept valid UTF-8 characters.",
			);
			expect(errorOf(() => store.UpdateAsync("k", () => $tuple(string.rep("x", 4_194_303))))).to.equal(
				"105: Serialized value exceeds 4MB limit.",
			);
			expect(errorOf(() => store.UpdateAsync("k", () => $tuple(2, [1, 2, 3, 4, 5])))).to.equal(
				"512: UserID size exceeds limit of 4.",
			);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			universe.destroy();
		});
	});

	describe("read cache (item 27)", () => {
		it("item 27: a cache hit returns at once without a request or budget; UseCache=false bypasses it", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			universe.dataStores.write("Store", "k", 1);
			const storeA = storeOf(a);
			storeA.GetAsync("k");
			const budget = dss(a).GetRequestBudgetForRequestType(Enum.DataStoreRequestType.GetAsync);
			const requests = universe.dataStores.requestCount();
			storeOf(b).SetAsync("k", 2);
			const before = Kit.now();
			const [cached] = storeA.GetAsync<number>("k");
			expect(Kit.now()).to.equal(before);
			expect(cached).to.equal(1);
			expect(universe.dataStores.requestCount()).to.equal(requests + 1); // only B's SetAsync
			expect(dss(a).GetRequestBudgetForRequestType(Enum.DataStoreRequestType.GetAsync)).to.equal(budget);
			const [fresh] = storeA.GetAsync<number>("k", noCache());
			expect(fresh).to.equal(2);
			universe.destroy();
		});

		it("item 27: the window is 4 s from the backend read, hits do not extend it; writes refresh it", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			universe.dataStores.write("Store", "k", 1);
			const storeA = storeOf(a);
			storeA.GetAsync("k");
			Kit.advance(3);
			storeOf(b).SetAsync("k", 2);
			expect(storeA.GetAsync<number>("k")[0]).to.equal(1);
			Kit.advance(1.2);
			expect(storeA.GetAsync<number>("k")[0]).to.equal(2);
			// A's own write refreshes A's cache with what it wrote.
			storeA.SetAsync("k", 3);
			universe.dataStores.write("Store", "k", 4);
			expect(storeA.GetAsync<number>("k")[0]).to.equal(3);
			universe.destroy();
		});

		it("item 27: each store object has its own cache", () => {
			const universe = universeWith();
			const server = universe.startServer();
			universe.dataStores.write("Store", "k", 1);
			const scoped = storeOf(server);
			const options = new Instance("DataStoreOptions");
			options.AllScopes = true;
			const all = dss(server).GetDataStore("Store", "", options);
			scoped.GetAsync("k");
			all.GetAsync("global/k");
			scoped.SetAsync("k", 2);
			expect(scoped.GetAsync<number>("k")[0]).to.equal(2);
			expect(all.GetAsync<number>("global/k")[0]).to.equal(1);
			universe.destroy();
		});
	});
};
