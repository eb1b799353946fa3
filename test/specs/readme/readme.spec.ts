/// <reference types="@rbxts/testez/globals" />
// The README's Full API and migration snippets, run as written against the emulated DataStore.
import { DataStoreService } from "@rbxts/services";
import { Kit } from "../../kit";
import { LockerCreate, LockerSpec, MigratorBuilderCreate, SaveData } from "../../../src";

interface PlayerData extends SaveData {
	Coins: number;
	Diamonds?: number;
}

export = () => {
	it("README: Full API in brief loads, saves, waits for the save and releases", () => {
		const dataStore = DataStoreService.GetDataStore("ReadmeFullApi");
		const spec: LockerSpec<PlayerData> = {
			DataStore: dataStore,
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Coins: 0 }),
		};
		const ls = LockerCreate(spec, "1", [1]);
		ls.MarkShouldAcquire();
		const connection = game.GetService("RunService").Heartbeat.Connect(() => ls.SessionUpdate(os.clock()));
		expect(Kit.waitUntil(() => ls.LoadStatus === "loaded", 30)).to.equal(true);
		ls.SaveData.Coins += 10;
		ls.MarkForceSave();
		expect(ls.YieldUntilChangesSaved()).to.equal(true);
		ls.MarkShouldRelease();
		expect(Kit.waitUntil(() => ls.IsIdling, 30)).to.equal(true);
		connection.Disconnect();
		ls.MarkDeleted();
		const [stored] = dataStore.GetAsync<PlayerData>("1");
		expect(stored?.Coins).to.equal(10);
		expect(stored?.Session).to.equal(undefined);
	});

	it("README: the migration snippet migrates v1 data and runs the v2 patcher", () => {
		const builder = MigratorBuilderCreate();
		builder.AddMigratorFrom(1, data => {
			data.Diamonds = 0; // v1 → v2
			return 0; // the new VersionPatch
		});
		builder.AddPatcherFor(2, (data, patch) => {
			// Repair data written by a bad release of v2 (patch 0), then mark it repaired.
			if (patch === 0) data.Diamonds = math.max((data.Diamonds as number) - 1000, 0);
			return 1;
		});
		builder.CheckVersion(2);
		const [SaveDataMigrators, SaveDataPatchers] = builder.Build();
		const store = DataStoreService.GetDataStore("ReadmeMigrations");
		store.SetAsync("7", { Version: 1, VersionPatch: 0, Coins: 3 });
		const spec: LockerSpec<PlayerData> = {
			DataStore: store,
			SaveDataVersion: 2,
			SaveDataCreator: () => ({ Version: 2, VersionPatch: 1, Coins: 0, Diamonds: 0 }),
			SaveDataMigrators,
			SaveDataPatchers,
		};
		const ls = LockerCreate(spec, "7", [7]);
		ls.MarkShouldAcquire();
		const connection = game.GetService("RunService").Heartbeat.Connect(() => ls.SessionUpdate(os.clock()));
		expect(Kit.waitUntil(() => ls.LoadStatus === "loaded", 30)).to.equal(true);
		connection.Disconnect();
		expect(ls.SaveData.Version).to.equal(2);
		expect(ls.SaveData.Diamonds).to.equal(0);
		expect(ls.SaveData.Coins).to.equal(3);
		// The patcher of the stored version runs on the next load, so v2 patch 0 data is repaired then.
		expect(ls.SaveData.VersionPatch).to.equal(0);
	});
};
