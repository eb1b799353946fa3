/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { startWithStore, universeWith, waitLoaded } from "./helpers";

export = () => {
	describe("EasyStoreOptions.Config", () => {
		it("accepts every setting of the configuration table, and VerifyAwaitedSaves reads an awaited save back", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe, undefined, {
				Config: {
					MaintainSessionPeriod: 300,
					SessionExpiry: 1800,
					SessionRetryCooldown: 10,
					PurchaseHistoryLimit: 100,
					VerboseLogs: false,
					ReadOnlyDataStores: false,
					StrictMode: false,
					VerifyAwaitedSaves: true,
					ReportDataStoreError: () => {},
				},
			});
			const profile = store.StartSession("1", [1]);
			expect(waitLoaded(profile)).to.equal(true);
			const before = universe.dataStores.requestCount({ server, method: "UpdateAsync", key: "1" });
			profile.GetSaveData().Coins = 3;
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			// The save plus its read-back: two UpdateAsync on the key.
			expect(universe.dataStores.requestCount({ server, method: "UpdateAsync", key: "1" }) - before).to.equal(2);
			Kit.advance(1);
			universe.destroy();
		});
	});
};
