/// <reference types="@rbxts/testez/globals" />
import { dss, errorOf, storeOf, universeWith } from "./helpers";

// Checklist items D1 (members real data libraries call) and D2 (GetVersionAsync's version argument).
export = () => {
	describe("members other data libraries call (item D1)", () => {
		it("item D1: DataStoreOptions:SetExperimentalFeatures 'currently has no effect' (reference/engine/classes/DataStoreOptions)", () => {
			const universe = universeWith();
			const server = universe.startServer();
			// What ProfileStore does for every store it opens.
			const options = new Instance("DataStoreOptions");
			expect(errorOf(() => options.SetExperimentalFeatures({ v2: true }))).to.equal(undefined);
			const store = dss(server).GetDataStore("Profiles", undefined, options);
			store.SetAsync("k", 5);
			expect(store.GetAsync<number>("k")[0]).to.equal(5);
			expect(universe.dataStores.read("Profiles", "k")!.value).to.equal(5);
			expect(options.AllScopes).to.equal(false);
			// Its parameter is a Dictionary.
			expect(
				errorOf(() =>
					(options as unknown as { SetExperimentalFeatures(v: unknown): void }).SetExperimentalFeatures(5),
				),
			).never.to.equal(undefined);
			universe.destroy();
		});
	});

	describe("GetVersionAsync's version argument (item D2)", () => {
		it("item D2: a version from SetAsync or ListVersionsAsync reads that version; a well-formed unknown one reads nil (reference/engine/classes/DataStore)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const first = store.SetAsync("k", "one");
			store.SetAsync("k", "two");
			const [value, info] = store.GetVersionAsync("k", first);
			expect(value).to.equal("one");
			expect(info!.Version).to.equal(first);
			const unknown = "0000000000000001.0000009999.0000000000000001.01";
			const [none, noInfo] = store.GetVersionAsync("k", unknown);
			expect(none).to.equal(undefined);
			expect(noInfo).to.equal(undefined);
			universe.destroy();
		});

		it("item D2: a string that is not a version identifier is refused as 'not valid' after one budgeted request (reference/engine/classes/DataStore)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			store.SetAsync("k", 1);
			const err = errorOf(() => store.GetVersionAsync("k", "not-a-version"));
			expect(err).to.equal("InvalidVersion: The version is not valid.");
			// ProfileStore tells a bad version argument apart by this phrase.
			expect(err!.find("not valid", 1, true)[0]).never.to.equal(undefined);
			const log = universe.dataStores.requests({ method: "GetVersionAsync" });
			expect(log.size()).to.equal(1);
			expect(log[0].outcome).to.equal("error");
			universe.destroy();
		});
	});
};
