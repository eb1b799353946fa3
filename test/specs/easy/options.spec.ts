/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { Lib, LIB, STORE, universeWith } from "./helpers";

export = () => {
	describe("EasyStoreCreate v13 positional form: versions, migrators and test data", () => {
		it("migrates stored data of an older version inside the load and persists it with the lock", () => {
			const universe = universeWith();
			universe.dataStores.write(STORE, "1", { Version: 1, VersionPatch: 0, Coins: 7 });
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const builder = lib.MigratorBuilderCreate();
			builder.AddMigratorFrom(1, data => {
				data.Diamonds = 3;
				return 0;
			});
			const [migrators, patchers] = builder.Build();
			const store = lib.EasyStoreCreate(
				server.game.GetService("DataStoreService").GetDataStore(STORE),
				() => ({ Coins: 0, Diamonds: 0 }),
				2,
				0,
				migrators,
				patchers,
			);
			const profile = store.StartSession("1", [1]);
			let loadedCoins = -1;
			profile.WhenLoaded(p => {
				loadedCoins = (p.GetSaveData() as unknown as { Coins: number }).Coins;
			});
			expect(Kit.waitUntil(() => loadedCoins !== -1, 10)).to.equal(true);
			expect(loadedCoins).to.equal(7);
			const data = profile.GetSaveData() as unknown as { Version: number; Diamonds: number };
			expect(data.Version).to.equal(2);
			expect(data.Diamonds).to.equal(3);
			const stored = universe.dataStores.read(STORE, "1")?.value as { Version: number; Diamonds: number };
			expect(stored.Version).to.equal(2);
			expect(stored.Diamonds).to.equal(3);
			universe.destroy();
		});

		it("DataStoreTestData runs every session on an in-memory copy of the given value", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const store = lib.EasyStoreCreate(
				server.game.GetService("DataStoreService").GetDataStore(STORE),
				() => ({ Coins: 0 }),
				1,
				0,
				undefined,
				undefined,
				undefined,
				{ Version: 1, VersionPatch: 0, Coins: 55 },
			);
			const profile = store.StartSession("9", [9]);
			expect(Kit.waitUntil(() => profile.IsLoaded, 10)).to.equal(true);
			expect((profile.GetSaveData() as unknown as { Coins: number }).Coins).to.equal(55);
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			expect(universe.dataStores.read(STORE, "9")).to.equal(undefined);
			universe.destroy();
		});
	});
};
