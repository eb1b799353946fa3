/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsData, Lib, LIB, startWithStore, stored, STORE, universeWith, waitLoaded } from "./helpers";

export = () => {
	describe("Studio", () => {
		it("without API access: warns once and runs on an in-memory store", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe, { studio: true, apiAccess: false });
			// A second store on the same server must not warn again.
			const other = lib.EasyStoreCreate(server.game.GetService("DataStoreService").GetDataStore("Other"), () => ({
				N: 0,
			}));
			const profile = store.StartSession("1", [1]);
			const second = other.StartSession("1", [1]);
			expect(waitLoaded(profile, 10)).to.equal(true);
			expect(Kit.waitUntil(() => second.IsLoaded, 10)).to.equal(true);
			expect(store.Studio?.Mode).to.equal("memory");
			profile.GetSaveData().Coins = 5;
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			// Saved in memory: a new session on this server sees the coins, the real backend has nothing.
			profile.EndSession();
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 10)).to.equal(true);
			const again = store.StartSession("1", [1]);
			expect(waitLoaded(again, 10)).to.equal(true);
			expect(again.GetSaveData().Coins).to.equal(5);
			expect(universe.dataStores.read(STORE, "1")).to.equal(undefined);
			const warnings = server
				.outputOf("warn")
				.filter(line => line.find("no DataStore access", 1, true)[0] !== undefined);
			expect(warnings.size()).to.equal(1);
			universe.destroy();
		});

		it("with API access: StudioKeyPrefix keeps Studio sessions off production keys", () => {
			const universe = universeWith();
			const live = startWithStore(universe);
			const liveProfile = live.store.StartSession("7", [7]);
			expect(waitLoaded(liveProfile)).to.equal(true);
			liveProfile.GetSaveData().Coins = 1000;
			liveProfile.EndSession();
			expect(Kit.waitUntil(() => live.store.GetLockerCount() === 0, 10)).to.equal(true);

			const { store } = startWithStore(
				universe,
				{ studio: true, apiAccess: true },
				{ StudioKeyPrefix: "Studio_" },
			);
			const profile = store.StartSession("7", [7]);
			expect(waitLoaded(profile, 10)).to.equal(true);
			expect(store.Studio?.Mode).to.equal("live");
			expect(profile.GetSaveData().Coins).to.equal(0);
			profile.GetSaveData().Coins = 1;
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			expect((stored(universe, "Studio_7") as CoinsData).Coins).to.equal(1);
			expect((stored(universe, "7") as CoinsData).Coins).to.equal(1000);
			universe.destroy();
		});

		it("with API access and no prefix: Studio uses the real keys (the default), without a warning", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe, { studio: true, apiAccess: true });
			const profile = store.StartSession("8", [8]);
			expect(waitLoaded(profile, 10)).to.equal(true);
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			expect(stored(universe, "8")).to.be.ok();
			expect(server.outputOf("warn").size()).to.equal(0);
			universe.destroy();
		});

		it("on a live server the DataStore is used directly", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const store = lib.EasyStoreCreate(server.game.GetService("DataStoreService").GetDataStore(STORE), () => ({
				Coins: 0,
			}));
			expect(store.Studio).to.equal(undefined);
			universe.destroy();
		});
	});
};
