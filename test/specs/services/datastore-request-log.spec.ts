/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { noCache, start, storeOf, universeWith } from "./helpers";

// Checklist item D4: the universe's one request log records every outcome, including the throttles the creator
// docs page cloud-services/data-stores/error-codes-and-limits lists (301–306 and the 2026 named throttles).
const HTTP_500 = "502: API Services rejected request with error. HTTP 500 (Internal Server Error)";

type Job = ReturnType<typeof start>;

export = () => {
	describe("the request log (item D4)", () => {
		it("item D4: a queue-full drop (301–306, error-codes-and-limits) is logged as 'throttled' with its error", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			// Legacy Set budget starts at 100; 30 more wait in the queue; the next SetAsync is dropped with 302.
			const jobs = new Array<Job>();
			for (let i = 0; i < 130; i++) jobs.push(start(() => store.SetAsync(`k${i}`, i)));
			const dropped = start(() => store.SetAsync("dropped", 1));
			expect(dropped.error!.sub(1, 4)).to.equal("302:");
			const refused = universe.dataStores.requests({ outcome: "throttled" });
			expect(refused.size()).to.equal(1);
			expect(refused[0].method).to.equal("SetAsync");
			expect(refused[0].key).to.equal("dropped");
			expect(refused[0].store).to.equal("Store");
			expect(refused[0].service).to.equal("DataStoreService");
			expect(refused[0].error).to.equal(dropped.error);
			Kit.waitUntil(() => jobs.every(j => j.done), 60);
			expect(universe.dataStores.requestCount({ method: "SetAsync", outcome: "ok" })).to.equal(130);
			universe.destroy();
		});

		it("item D4: every injected fault shows in the log with its mode, including drop-then-ok (error-codes-and-limits)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.addFault({ method: "SetAsync", key: "a", mode: "drop-then-ok" });
			universe.dataStores.addFault({
				method: "SetAsync",
				key: "b",
				mode: "commit-then-error",
				message: HTTP_500,
			});
			universe.dataStores.addFault({ method: "GetAsync", key: "c", message: HTTP_500 });
			store.SetAsync("a", 1);
			pcall(() => store.SetAsync("b", 1));
			pcall(() => store.GetAsync("c", noCache()));
			store.SetAsync("d", 1);
			const log = universe.dataStores.requests();
			expect(log.map(e => `${e.key}:${e.outcome}:${e.fault ?? "-"}`).join(" ")).to.equal(
				"a:ok:drop-then-ok b:error:commit-then-error c:error:error d:ok:-",
			);
			// The dropped write left nothing behind, although the caller was told it succeeded.
			expect(universe.dataStores.read("Store", "a")).to.equal(undefined);
			expect(universe.dataStores.read("Store", "b")!.value).to.equal(1);
			universe.destroy();
		});

		it("item D4: requests are numbered in order, and requestCounts counts them by service and method", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			store.SetAsync("k", 1);
			store.GetAsync("k", noCache());
			store.GetAsync("k", noCache());
			store.UpdateAsync("k", (v: number | undefined) => $tuple((v ?? 0) + 1));
			store.UpdateAsync("k", () => $tuple(undefined));
			const log = universe.dataStores.requests();
			expect(log.map(e => e.seq).join(",")).to.equal("1,2,3,4,5");
			expect(log[4].outcome).to.equal("cancelled");
			const counts = universe.dataStores.requestCounts();
			expect(counts["DataStoreService.SetAsync"]).to.equal(1);
			expect(counts["DataStoreService.GetAsync"]).to.equal(2);
			expect(counts["DataStoreService.UpdateAsync"]).to.equal(2);
			// A filter for a service that logged nothing counts nothing.
			expect(universe.dataStores.requestCount({ service: "MemoryStoreService" })).to.equal(0);
			expect(universe.dataStores.requestCount({ service: "*" })).to.equal(5);
			universe.destroy();
		});
	});
};
