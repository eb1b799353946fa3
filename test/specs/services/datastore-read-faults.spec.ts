/// <reference types="@rbxts/testez/globals" />
import { errorOf, noCache, storeOf, universeWith } from "./helpers";

// Checklist item D5: reads fail too. The creator docs page cloud-services/data-stores/error-codes-and-limits lists
// 5xx errors for any request, and says a failed write may still have committed "until it is verified with a
// follow-up read without cache" — so the verifying read itself must be able to fail.
const HTTP_500 = "502: API Services rejected request with error. HTTP 500 (Internal Server Error)";

export = () => {
	describe("faults on reads (item D5)", () => {
		it("item D5: a rule with reads = true fails UpdateAsync's read; the transform never runs (error-codes-and-limits)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", 1);
			universe.dataStores.addFault({ method: "UpdateAsync", key: "k", reads: true, message: HTTP_500 });
			let runs = 0;
			const err = errorOf(() =>
				store.UpdateAsync("k", (v: number | undefined) => {
					runs += 1;
					return $tuple((v ?? 0) + 1);
				}),
			);
			expect(err).to.equal(HTTP_500);
			expect(runs).to.equal(0);
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			const log = universe.dataStores.requests({ method: "UpdateAsync" });
			expect(log.size()).to.equal(1);
			expect(log[0].fault).to.equal("error");
			universe.destroy();
		});

		it("item D5: a read-only UpdateAsync (a verify read whose transform returns nil) can fail (error-codes-and-limits)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", 1);
			// Without reads = true a rule only meets UpdateAsync's write, which a cancelled transform never makes.
			universe.dataStores.addFault({ method: "UpdateAsync", key: "k", message: HTTP_500 });
			expect(errorOf(() => store.UpdateAsync("k", () => $tuple(undefined)))).to.equal(undefined);
			universe.dataStores.clearFaults();
			universe.dataStores.addFault({ method: "UpdateAsync", key: "k", reads: true, message: HTTP_500 });
			expect(errorOf(() => store.UpdateAsync("k", () => $tuple(undefined)))).to.equal(HTTP_500);
			universe.destroy();
		});

		it("item D5: `after` counts read steps too, so a rule can skip the read and fail the write", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.addFault({ method: "UpdateAsync", reads: true, after: 1, message: HTTP_500 });
			let runs = 0;
			const err = errorOf(() =>
				store.UpdateAsync("k", () => {
					runs += 1;
					return $tuple(1);
				}),
			);
			expect(err).to.equal(HTTP_500);
			expect(runs).to.equal(1);
			expect(universe.dataStores.read("Store", "k")).to.equal(undefined);
			universe.destroy();
		});

		it("item D5: GetAsync faults are logged with their mode; drop-then-ok answers a read normally", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", 3);
			universe.dataStores.addFault({ method: "GetAsync", mode: "drop-then-ok" });
			expect(store.GetAsync<number>("k", noCache())[0]).to.equal(3);
			universe.dataStores.addFault({ method: "GetAsync", message: HTTP_500 });
			expect(errorOf(() => store.GetAsync("k", noCache()))).to.equal(HTTP_500);
			const log = universe.dataStores.requests({ method: "GetAsync" });
			expect(log.map(e => `${e.outcome}:${e.fault}`).join(" ")).to.equal("ok:drop-then-ok error:error");
			universe.destroy();
		});

		it("item D5: a fault drawn by an attempt that then loses a version conflict still applies to the retry (error-codes-and-limits)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.write("Store", "k", 1);
			universe.dataStores.forceConflicts("k", 1);
			universe.dataStores.addFault({ method: "UpdateAsync", key: "k", mode: "drop-then-ok" });
			let runs = 0;
			const [value] = store.UpdateAsync("k", (v: number | undefined) => {
				runs += 1;
				return $tuple((v ?? 0) + 10);
			});
			expect(runs).to.equal(2);
			expect(value).to.equal(11);
			// The retry's write was the one the fault dropped: nothing was committed.
			expect(universe.dataStores.read("Store", "k")!.value).to.equal(1);
			const log = universe.dataStores.requests({ method: "UpdateAsync" });
			expect(log.size()).to.equal(1);
			expect(log[0].fault).to.equal("drop-then-ok");
			universe.destroy();
		});
	});
};
