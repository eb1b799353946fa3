/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import type { CoinsProfile } from "./helpers";
import { CoinsData, startWithStore, stored, universeWith, waitLoaded } from "./helpers";

export = () => {
	describe("shutdown (BindToClose registered by default)", () => {
		it("saves and releases 100 players' sessions and closes before the 30-second deadline", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const count = 100;
			for (let i = 1; i <= count; i++) server.addPlayer({ userId: 1000 + i });
			expect(Kit.waitUntil(() => store.GetLockerCount() === count, 10)).to.equal(true);
			const profiles = new Array<CoinsProfile>();
			for (let i = 1; i <= count; i++) profiles.push(players.Get(1000 + i) as CoinsProfile);
			expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 120)).to.equal(true);
			// Every player earns coins that only an autosave or the shutdown would write (no forced save).
			for (let i = 1; i <= count; i++) {
				profiles[i - 1].GetSaveData().Coins = i;
				profiles[i - 1].MarkShouldSave();
			}
			const start = Kit.now();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			const took = Kit.now() - start;
			expect(took < 30).to.equal(true);
			expect(store.GetLockerCount()).to.equal(0);
			for (let i = 1; i <= count; i++) {
				const value = stored(universe, tostring(1000 + i)) as CoinsData;
				expect(value.Coins).to.equal(i);
				expect(value.Session).to.equal(undefined);
			}
			universe.destroy();
		});

		for (const order of ["closeFirst", "interleaved"] as const) {
			it(`saves every player whatever the order of PlayerRemoving and BindToClose (${order})`, () => {
				const universe = universeWith();
				const { server, lib, store } = startWithStore(universe, { shutdownOrder: order });
				const players = lib.PlayerProfilesCreate(store);
				for (let i = 1; i <= 20; i++) server.addPlayer({ userId: 2000 + i });
				expect(Kit.waitUntil(() => store.GetLockerCount() === 20, 10)).to.equal(true);
				expect(
					Kit.waitUntil(
						() => players.GetLoaded(2020) !== undefined && players.GetLoaded(2001) !== undefined,
						60,
					),
				).to.equal(true);
				for (let i = 1; i <= 20; i++) {
					const profile = players.Get(2000 + i) as CoinsProfile;
					expect(Kit.waitUntil(() => profile.IsLoaded, 30)).to.equal(true);
					profile.GetSaveData().Coins = i;
					profile.MarkShouldSave();
				}
				const start = Kit.now();
				server.shutdown();
				expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
				expect(Kit.now() - start < 30).to.equal(true);
				for (let i = 1; i <= 20; i++) {
					const value = stored(universe, tostring(2000 + i)) as CoinsData;
					expect(value.Coins).to.equal(i);
					expect(value.Session).to.equal(undefined);
				}
				universe.destroy();
			});
		}

		it("a session started during shutdown is ended at once and its waiters get nil", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			const profile = store.StartSession("1", [1]);
			expect(waitLoaded(profile)).to.equal(true);
			server.shutdown();
			Kit.flush();
			const late = store.StartSession("2", [2]);
			expect(late.IsActive).to.equal(false);
			expect(late.YieldUntilLoaded()).to.equal(undefined);
			expect(Kit.waitUntil(() => server.isClosed, 40)).to.equal(true);
			expect(universe.dataStores.read("PlayerData", "2")).to.equal(undefined);
			universe.destroy();
		});

		it("BindToClose: false leaves the shutdown to the game (EasyShutdown)", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe, undefined, { BindToClose: false });
			const profile = store.StartSession("3", [3]);
			expect(waitLoaded(profile)).to.equal(true);
			profile.GetSaveData().Coins = 9;
			profile.MarkShouldSave();
			let drained: boolean | undefined;
			task.spawn(() => {
				drained = lib.EasyShutdown();
			});
			expect(Kit.waitUntil(() => drained !== undefined, 30)).to.equal(true);
			expect(drained).to.equal(true);
			expect((stored(universe, "3") as CoinsData).Coins).to.equal(9);
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 5)).to.equal(true);
			universe.destroy();
		});
	});
};
