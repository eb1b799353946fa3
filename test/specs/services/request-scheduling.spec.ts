/// <reference types="@rbxts/testez/globals" />
import { Kit, KitUniverse } from "../../kit";
import type { CoinsProfile } from "../easy/helpers";
import { startWithStore, stored } from "../easy/helpers";

// The request scheduler of the gateway against the emulator's budgets (platform items 28–36): a join storm and a
// shutdown of 100 players on one server, in both budget profiles, with the library as a game uses it.
function universeOf(profile: "legacy" | "2026"): KitUniverse {
	return Kit.createUniverse({ seed: 11, budgetProfile: profile, latency: { min: 0.1, max: 0.5 } });
}

const COUNT = 100;

export = () => {
	for (const profile of ["legacy", "2026"] as const) {
		describe(`request scheduling, ${profile} budgets`, () => {
			it("a join storm of 100 players on one server loads every player with no request throttled", () => {
				const universe = universeOf(profile);
				const { server, lib, store } = startWithStore(universe);
				const players = lib.PlayerProfilesCreate(store);
				for (let i = 1; i <= COUNT; i++) server.addPlayer({ userId: 5000 + i });
				const profiles = new Array<CoinsProfile>();
				expect(Kit.waitUntil(() => store.GetLockerCount() === COUNT, 10)).to.equal(true);
				for (let i = 1; i <= COUNT; i++) profiles.push(players.Get(5000 + i) as CoinsProfile);
				expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 120)).to.equal(true);
				expect(universe.dataStores.requestCount({ outcome: "throttled" })).to.equal(0);
				expect(universe.dataStores.requestCount({ outcome: "error" })).to.equal(0);
				universe.destroy();
			});

			it("a join storm of 100 players after the game spent the budget itself: no request throttled", () => {
				const universe = universeOf(profile);
				const { server, lib, store } = startWithStore(universe);
				// The game's own requests (leaderboards, logs...) leave 5 requests of budget.
				const own = server.game.GetService("DataStoreService").GetDataStore("GameOwn");
				let written = 0;
				for (let i = 1; i <= 95; i++)
					task.spawn(() => {
						own.SetAsync(`k${i}`, i);
						written += 1;
					});
				const players = lib.PlayerProfilesCreate(store);
				for (let i = 1; i <= COUNT; i++) server.addPlayer({ userId: 7000 + i });
				expect(Kit.waitUntil(() => store.GetLockerCount() === COUNT, 10)).to.equal(true);
				const profiles = new Array<CoinsProfile>();
				for (let i = 1; i <= COUNT; i++) profiles.push(players.Get(7000 + i) as CoinsProfile);
				expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 180)).to.equal(true);
				expect(universe.dataStores.requestCount({ outcome: "throttled" })).to.equal(0);
				// Each player loaded with one request: none was refused and sent again.
				expect(lib.DefaultGateway().RequestCountByOperation.get("UpdateAsync_Load")).to.equal(COUNT);
				expect(written).to.equal(95);
				universe.destroy();
			});

			it("a shutdown with 100 players saves and releases every session within 30 s, none throttled", () => {
				const universe = universeOf(profile);
				const { server, lib, store } = startWithStore(universe);
				const players = lib.PlayerProfilesCreate(store);
				for (let i = 1; i <= COUNT; i++) server.addPlayer({ userId: 6000 + i });
				expect(Kit.waitUntil(() => store.GetLockerCount() === COUNT, 10)).to.equal(true);
				const profiles = new Array<CoinsProfile>();
				for (let i = 1; i <= COUNT; i++) profiles.push(players.Get(6000 + i) as CoinsProfile);
				expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 120)).to.equal(true);
				for (let i = 1; i <= COUNT; i++) {
					profiles[i - 1].GetSaveData().Coins = i;
					profiles[i - 1].MarkShouldSave();
				}
				const began = Kit.now();
				server.shutdown();
				expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
				expect(Kit.now() - began < 30).to.equal(true);
				for (let i = 1; i <= COUNT; i++) {
					const value = stored(universe, tostring(6000 + i))!;
					expect(value.Coins).to.equal(i);
					expect(value.Session).to.equal(undefined);
				}
				expect(universe.dataStores.requestCount({ outcome: "throttled" })).to.equal(0);
				universe.destroy();
			});
		});
	}
};
