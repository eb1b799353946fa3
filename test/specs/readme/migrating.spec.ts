/// <reference types="@rbxts/testez/globals" />
// docs/migrating.md: keys written by ProfileStore and by Lapis are taken over by a migrator from version 0
// (fixtures/PeerMigrators.luau holds the migrators exactly as the page shows them).
import { DataStoreService, RunService } from "@rbxts/services";
import { Kit } from "../../kit";
import { LockerCreate, LockerSpec, MigratorBuilderCreate, SaveData, SaveDataMigrator } from "../../../src";

interface PlayerData extends SaveData {
	Coins: number;
	Inventory?: Array<string>;
}

interface PeerMigrators {
	FromProfileStore: SaveDataMigrator;
	FromLapis: SaveDataMigrator;
}

const MIGRATORS = "ReplicatedStorage.Specs.specs.readme.fixtures.PeerMigrators";

/** Stores `stored` as the peer left it, then loads the key with a version-1 locker whose migrator from 0 is `migrator`. */
function loadAfter(storeName: string, stored: object, migrator: SaveDataMigrator) {
	const dataStore = DataStoreService.GetDataStore(storeName);
	dataStore.SetAsync("7", stored, [7]);
	const builder = MigratorBuilderCreate();
	builder.AddMigratorFrom(0, migrator);
	builder.CheckVersion(1);
	const [SaveDataMigrators, SaveDataPatchers] = builder.Build();
	const spec: LockerSpec<PlayerData> = {
		DataStore: dataStore,
		SaveDataVersion: 1,
		SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Coins: 0 }),
		SaveDataMigrators,
		SaveDataPatchers,
	};
	const ls = LockerCreate(spec, "7", [7]);
	ls.MarkShouldAcquire();
	const connection = RunService.Heartbeat.Connect(() => ls.SessionUpdate(os.clock()));
	Kit.waitUntil(() => ls.LoadStatus !== "loading", 30);
	return {
		ls,
		stored: () => dataStore.GetAsync<PlayerData & { [field: string]: unknown }>("7")[0],
		finish: () => {
			ls.MarkShouldRelease();
			Kit.waitUntil(() => ls.IsIdling, 30);
			connection.Disconnect();
			ls.MarkDeleted();
		},
	};
}

export = () => {
	const migrators = () => Kit.host().require<PeerMigrators>(MIGRATORS);

	describe("docs/migrating.md", () => {
		it("a released ProfileStore profile loads with its Data fields at the top level, and the first save drops ProfileStore's fields", () => {
			const profileStoreValue = {
				Data: { Coins: 42, Inventory: ["sword"] },
				MetaData: { ProfileCreateTime: 1, SessionLoadCount: 3, LastUpdate: 1, MetaTags: {} },
				RobloxMetaData: {},
				UserIds: [7],
				GlobalUpdates: [0, []],
			};
			const run = loadAfter("FromProfileStore", profileStoreValue, migrators().FromProfileStore);
			expect(run.ls.LoadStatus).to.equal("loaded");
			expect(run.ls.SaveData.Coins).to.equal(42);
			expect(run.ls.SaveData.Inventory?.[0]).to.equal("sword");
			expect(run.ls.SaveData.Version).to.equal(1);
			run.finish();
			const stored = run.stored();
			expect(stored?.Coins).to.equal(42);
			expect(stored?.Data).to.equal(undefined);
			expect(stored?.MetaData).to.equal(undefined);
			expect(stored?.Session).to.equal(undefined);
		});

		it("a ProfileStore profile another server saved moments ago is not taken: nothing is written", () => {
			const held = {
				Data: { Coins: 5 },
				MetaData: { ActiveSession: [1, "job", "id"], LastUpdate: os.time(), SessionLoadCount: 1 },
				GlobalUpdates: [0, []],
			};
			const run = loadAfter("ProfileStoreHeld", held, migrators().FromProfileStore);
			expect(run.ls.LoadStatus).to.equal("invalid_version");
			const stored = run.stored();
			expect((stored?.Data as { Coins: number } | undefined)?.Coins).to.equal(5);
			expect(stored?.Session).to.equal(undefined);
			run.finish();
		});

		it("a Lapis document loads with its data fields at the top level, and the first save drops Lapis's fields", () => {
			const lapisValue = { migrationVersion: 2, lastCompatibleVersion: 0, data: { Coins: 9 } };
			const run = loadAfter("FromLapis", lapisValue, migrators().FromLapis);
			expect(run.ls.LoadStatus).to.equal("loaded");
			expect(run.ls.SaveData.Coins).to.equal(9);
			run.finish();
			const stored = run.stored();
			expect(stored?.Coins).to.equal(9);
			expect(stored?.data).to.equal(undefined);
			expect(stored?.migrationVersion).to.equal(undefined);
		});
	});
};
