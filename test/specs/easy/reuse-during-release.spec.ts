/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { startWithStore, stored, universeWith, waitLoaded } from "./helpers";
import type { CoinsData } from "./helpers";

export = () => {
	describe("reuse while the release write is in flight (Easy API)", () => {
		it("a profile reused after the release transform ran is not loaded or available until the release resolves, then loads the released data", () => {
			const universe = universeWith();
			universe.dataStores.setLatency({ min: 1, max: 1 });
			const { store } = startWithStore(universe);
			const first = store.StartSessionReusable("50", [50]);
			expect(waitLoaded(first)).to.equal(true);
			first.GetSaveData().Coins = 5;
			first.MarkShouldSave();
			// Within the 4 s read cache: the release's transform runs at once and its write takes a second.
			first.EndSession();
			Kit.advance(0.3);
			const second = store.StartSessionReusable("50", [50]);
			expect(second.ELS).to.equal(first.ELS);
			let loadedEarly = false;
			let availableEarly = false;
			Kit.waitUntil(() => {
				if (second.IsLoaded) loadedEarly = true;
				if (second.IsAvailable()) availableEarly = true;
				return second.ELS.State !== "releasing";
			}, 10);
			expect(loadedEarly).to.equal(false);
			expect(availableEarly).to.equal(false);
			expect(waitLoaded(second)).to.equal(true);
			expect(second.GetSaveData().Coins).to.equal(5);
			second.GetSaveData().Coins += 1;
			second.MarkShouldSave();
			expect(second.YieldUntilChangesSaved()).to.equal(true);
			expect((stored(universe, "50") as CoinsData).Coins).to.equal(6);
			universe.destroy();
		});
	});
};
