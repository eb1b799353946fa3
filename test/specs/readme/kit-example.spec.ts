/// <reference types="@rbxts/testez/globals" />
// The README's test-kit example, run as written.
import { Kit } from "../../kit";
import type * as SessionLocker from "../../../src";

interface PlayerData extends SessionLocker.SaveData {
	Coins: number;
}

export = () => {
	it("README: a player moving servers keeps every coin", () => {
		const universe = Kit.createUniverse({ seed: 1 });
		const a = universe.startServer();
		const b = universe.startServer({ clockSkew: 600 }); // B's wall clock runs 10 minutes ahead
		const start = (server: typeof a) => {
			const lib = server.require<typeof SessionLocker>("ReplicatedStorage.SessionLocker");
			const dataStore = server.game.GetService("DataStoreService").GetDataStore("PlayerData");
			return lib.EasyStoreCreate<PlayerData>(dataStore, () => ({ Coins: 0 }));
		};
		const onA = start(a).StartSessionReusable("1", [1]);
		expect(onA.YieldUntilLoaded()).to.equal(onA);
		onA.GetSaveData().Coins = 5;
		onA.MarkShouldSave();
		universe.dataStores.addFault({ method: "UpdateAsync", mode: "commit-then-error" }); // an ambiguous write
		onA.EndSession(); // the player leaves A ...
		const onB = start(b).StartSessionReusable("1", [1]); // ... and joins B
		expect(onB.YieldUntilLoaded()).to.equal(onB);
		expect(onB.GetSaveData().Coins).to.equal(5);
		expect((universe.dataStores.read("PlayerData", "1")?.value as PlayerData).Coins).to.equal(5);
		universe.destroy();
	});
};
