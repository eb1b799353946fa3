/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import type { CoinsProfile } from "../easy/helpers";
import { CoinsData, startWithStore, stored, universeWith } from "../easy/helpers";

export = () => {
	describe("release confirmation during shutdown", () => {
		it("100 players: releases reported OK but dropped at shutdown are read back and rewritten within 30 s", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const count = 100;
			for (let i = 1; i <= count; i++) server.addPlayer({ userId: 7000 + i });
			expect(Kit.waitUntil(() => store.GetLockerCount() === count, 10)).to.equal(true);
			const profiles = new Array<CoinsProfile>();
			for (let i = 1; i <= count; i++) profiles.push(players.Get(7000 + i) as CoinsProfile);
			expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 120)).to.equal(true);
			for (let i = 1; i <= count; i++) {
				profiles[i - 1].GetSaveData().Coins = i;
				profiles[i - 1].MarkShouldSave();
			}
			// A minute of play: the request budget refills from the 100 loads; no autosave is due yet.
			Kit.advance(60);
			const before = universe.dataStores.requestCount({ server, method: "UpdateAsync" });
			// The first 5 writes of the shutdown are reported as done but never land.
			universe.dataStores.addFault({ method: "UpdateAsync", count: 5, mode: "drop-then-ok" });
			const start = Kit.now();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(Kit.now() - start <= 30).to.equal(true);
			let saved = 0;
			for (let i = 1; i <= count; i++) {
				const value = stored(universe, tostring(7000 + i)) as CoinsData;
				if (value.Coins === i && value.Session === undefined) saved += 1;
			}
			expect(saved).to.equal(count);
			// Each release was read back once (a read: "cancelled" in the log), and the 5 dropped ones written again
			// and read back again.
			const shutdownLog = universe.dataStores
				.requests({ server, method: "UpdateAsync" })
				.filter(entry => entry.time >= start);
			const reads = shutdownLog.filter(entry => entry.outcome === "cancelled").size();
			expect(reads).to.equal(count + 5);
			expect(universe.dataStores.requestCount({ server, method: "UpdateAsync" }) - before).to.equal(
				2 * (count + 5),
			);
			universe.destroy();
		});
	});
};
