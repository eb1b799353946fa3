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

	it("README: the migration snippet migrates v1 data, keeps Diamonds earned after the migration and repairs only bad v2 data", () => {
		const builder = MigratorBuilderCreate();
		builder.AddMigratorFrom(1, data => {
			data.Diamonds = 0; // v1 → v2
			// The patch level of what it produces: the current v2 patch (what the v2 patcher returns), since freshly
			// migrated data needs no v2 repair. Returning 0 would make the patcher "repair" it at the next load.
			return 1;
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
		// Written by the bad v2 release: patch 0, with 1000 Diamonds too many.
		store.SetAsync("8", { Version: 2, VersionPatch: 0, Coins: 0, Diamonds: 1200 });
		const spec: LockerSpec<PlayerData> = {
			DataStore: store,
			SaveDataVersion: 2,
			SaveDataCreator: () => ({ Version: 2, VersionPatch: 1, Coins: 0, Diamonds: 0 }),
			SaveDataMigrators,
			SaveDataPatchers,
		};
		const session = (key: string, play?: (data: PlayerData) => void): PlayerData => {
			const ls = LockerCreate(spec, key, [tonumber(key)!]);
			ls.MarkShouldAcquire();
			const connection = game.GetService("RunService").Heartbeat.Connect(() => ls.SessionUpdate(os.clock()));
			expect(Kit.waitUntil(() => ls.LoadStatus === "loaded", 30)).to.equal(true);
			const seen = { ...ls.SaveData };
			if (play !== undefined) {
				play(ls.SaveData);
				ls.MarkShouldSave();
			}
			ls.MarkShouldRelease();
			expect(Kit.waitUntil(() => ls.IsIdling, 30)).to.equal(true);
			connection.Disconnect();
			ls.MarkDeleted();
			return seen;
		};
		// Migrate, then play: the player earns 1500 Diamonds after the migration.
		const migrated = session("7", data => (data.Diamonds = (data.Diamonds ?? 0) + 1500));
		expect(migrated.Version).to.equal(2);
		expect(migrated.Coins).to.equal(3);
		expect(migrated.Diamonds).to.equal(0);
		// Reload: the v2 patcher must not "repair" freshly migrated data.
		const reloaded = session("7");
		expect(reloaded.Diamonds).to.equal(1500);
		expect(reloaded.VersionPatch).to.equal(1);
		// Data from the bad v2 release is repaired once.
		expect(session("8").Diamonds).to.equal(200);
		expect(session("8").Diamonds).to.equal(200);
	});
};
