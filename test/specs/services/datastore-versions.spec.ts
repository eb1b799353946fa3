/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { errorOf, noCache, storeOf, universeWith } from "./helpers";

/** GetVersionAtTimeAsync returns (value, keyInfo); @rbxts/types types it as one unknown. */
function atTime(store: DataStore, key: string, timestamp: number): unknown {
	const [value] = store.GetVersionAtTimeAsync(key, timestamp) as LuaTuple<[unknown, DataStoreKeyInfo?]>;
	return value;
}

function keyNames(pages: DataStoreKeyPages): Array<string> {
	return (pages.GetCurrentPage() as unknown as Array<DataStoreKey>).map(k => k.KeyName);
}

// Platform checklist item 19: versions, GetVersion/GetVersionAtTime, ListVersions and ListKeys.
export = () => {
	describe("versioning and listing (item 19)", () => {
		it("item 19: the first write of each UTC hour is kept as a backup; later writes in the hour replace the current version", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const v1 = store.SetAsync("k", 1);
			const v2 = store.SetAsync("k", 2);
			universe.dataStores.advanceBackendClock(3600);
			const v3 = store.SetAsync("k", 3);
			const v4 = store.SetAsync("k", 4);
			expect(store.GetVersionAsync("k", v1)[0]).to.equal(1);
			expect(store.GetVersionAsync("k", v2)[0]).to.equal(undefined);
			expect(store.GetVersionAsync("k", v3)[0]).to.equal(3);
			const [latest, info] = store.GetVersionAsync("k", v4);
			expect(latest).to.equal(4);
			expect(info.Version).to.equal(v4);
			const versions = store
				.ListVersionsAsync("k")
				.GetCurrentPage()
				.map(v => v.Version);
			expect(versions.join(",")).to.equal([v1, v3, v4].join(","));
			const descending = store
				.ListVersionsAsync("k", Enum.SortDirection.Descending)
				.GetCurrentPage()
				.map(v => v.Version);
			expect(descending[0]).to.equal(v4);
			universe.destroy();
		});

		it("item 19: backups expire 30 days after being superseded; the latest never does", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const old = store.SetAsync("k", "old");
			universe.dataStores.advanceBackendClock(3600);
			store.SetAsync("k", "newer");
			universe.dataStores.advanceBackendClock(31 * 24 * 3600);
			const latest = store.SetAsync("k", "latest");
			expect(store.GetVersionAsync("k", old)[0]).to.equal(undefined);
			expect(store.GetVersionAsync("k", latest)[0]).to.equal("latest");
			universe.destroy();
		});

		it("item 19: GetVersionAtTimeAsync gives the version current at a time; the timestamp must be > 0 and ≤ now + 10 min", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			store.SetAsync("k", "first");
			const [, firstInfo] = store.GetAsync<string>("k", noCache());
			universe.dataStores.advanceBackendClock(7200);
			store.SetAsync("k", "second");
			expect(atTime(store, "k", firstInfo.UpdatedTime + 1000)).to.equal("first");
			const [, secondInfo] = store.GetAsync<string>("k", noCache());
			expect(atTime(store, "k", secondInfo.UpdatedTime)).to.equal("second");
			expect(atTime(store, "k", firstInfo.CreatedTime - 1)).to.equal(undefined);
			expect(errorOf(() => store.GetVersionAtTimeAsync("k", 0))).never.to.equal(undefined);
			expect(
				errorOf(() => store.GetVersionAtTimeAsync("k", secondInfo.UpdatedTime + 11 * 60 * 1000)),
			).never.to.equal(undefined);
			universe.destroy();
		});

		it("item 19: a removed key leaves a tombstone version; GetVersionAsync still reads the older one", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const v1 = store.SetAsync("k", "kept");
			universe.dataStores.advanceBackendClock(3600);
			store.RemoveAsync("k");
			const versions = store.ListVersionsAsync("k").GetCurrentPage();
			expect(versions.size()).to.equal(2);
			expect(versions[1].IsDeleted).to.equal(true);
			expect(store.GetVersionAsync("k", v1)[0]).to.equal("kept");
			universe.destroy();
		});

		it("item 19: ListKeysAsync pages by prefix (default page 50) and can exclude deleted keys", () => {
			const universe = universeWith({ budgetProfile: "unlimited" });
			const store = storeOf(universe.startServer());
			for (let i = 1; i <= 7; i++) universe.dataStores.write("Store", `key${i}`, i);
			universe.dataStores.write("Store", "other", 0);
			store.RemoveAsync("key3");
			const pages = store.ListKeysAsync("key", 3);
			const seen = new Array<string>();
			for (;;) {
				seen.push(keyNames(pages).join("+"));
				if (pages.IsFinished) break;
				pages.AdvanceToNextPageAsync();
			}
			expect(seen.join(" | ")).to.equal("key1+key2+key3 | key4+key5+key6 | key7");
			const live = keyNames(store.ListKeysAsync("key", 0, undefined, true));
			expect(live.join(",")).to.equal("key1,key2,key4,key5,key6,key7");
			for (let i = 0; i < 60; i++) universe.dataStores.write("Store", `many${i}`, i);
			expect(keyNames(store.ListKeysAsync("many")).size()).to.equal(50);
			universe.destroy();
		});

		it("ListDataStoresAsync lists non-empty stores by prefix (default page 32)", () => {
			const universe = universeWith();
			const server = universe.startServer();
			universe.dataStores.write("PlayerData", "k", 1);
			universe.dataStores.write("PlayerStats", "k", 1);
			universe.dataStores.write("Other", "k", 1);
			universe.dataStores.write("Emptied", "k", 1);
			universe.dataStores.remove("Emptied", "k");
			const service = server.game.GetService("DataStoreService");
			const names = (
				service.ListDataStoresAsync("Player").GetCurrentPage() as unknown as Array<DataStoreInfo>
			).map(info => info.DataStoreName);
			expect(names.join(",")).to.equal("PlayerData,PlayerStats");
			const all = (service.ListDataStoresAsync().GetCurrentPage() as unknown as Array<DataStoreInfo>).map(
				info => info.DataStoreName,
			);
			expect(all.join(",")).to.equal("Other,PlayerData,PlayerStats");
			universe.destroy();
		});

		it("item 19: version calls are never cached and are refused, not queued, without budget", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			const v = store.SetAsync("k", 1);
			const before = universe.dataStores.requestCount({ method: "GetVersionAsync" });
			store.GetVersionAsync("k", v);
			store.GetVersionAsync("k", v);
			expect(universe.dataStores.requestCount({ method: "GetVersionAsync" })).to.equal(before + 2);
			// Legacy GetVersionAsync budget: starts at 10.
			let refused: string | undefined;
			for (let i = 0; i < 12 && refused === undefined; i++)
				refused = errorOf(() => store.GetVersionAsync("k", v));
			expect(refused).to.equal("GetVersionAsync request dropped. Request was throttled.");
			expect(Kit.now() > 0).to.equal(true);
			universe.destroy();
		});
	});
};
