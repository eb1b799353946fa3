/// <reference types="@rbxts/testez/globals" />
import { FakeDataStore, LockerCreate } from "../../../src";
import type { KeyInfoLike } from "../../../src/gateway/types";
import { startWithStore, STORE, universeWith, waitLoaded } from "../easy/helpers";
import { LockerWorld } from "../../helpers/world";

/** A real DataStore stand-in whose first `failures` GetAsync calls fail. */
class FlakyReads {
	failures: number;
	reads = 0;
	constructor(
		readonly inner: FakeDataStore,
		failures: number,
	) {
		this.failures = failures;
	}
	GetAsync(key: string): LuaTuple<[unknown, KeyInfoLike | undefined]> {
		this.reads += 1;
		if (this.failures > 0) {
			this.failures -= 1;
			error("503: Internal server error", 0);
		}
		return this.inner.GetAsync(key);
	}
	UpdateAsync(): never {
		error("read-only mode must never write the real store");
	}
}

export = () => {
	describe("ReadOnlyDataStores", () => {
		it("a failed read of the real key is retried, never replaced by fresh default data", () => {
			const world = new LockerWorld();
			const real = new FakeDataStore();
			real.Write("k", { Version: 1, VersionPatch: 0, Gold: 50 });
			const flaky = new FlakyReads(real, 1);
			const ls = LockerCreate(world.spec({ ReadOnlyDataStores: true }, flaky as never), "k");
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LoadStatus).never.to.equal("loaded");
			expect(ls.LastError!.Kind).to.equal("request_failed");
			expect(world.runUntil(ls, () => ls.LoadStatus === "loaded", 60)).to.equal(true);
			expect(ls.SaveData.Gold).to.equal(50);
			expect(flaky.reads).to.equal(2);
		});

		it("in Studio with API access, read-only mode shows the real key (under the Studio prefix) and writes nothing", () => {
			const universe = universeWith();
			universe.dataStores.write(STORE, "Studio_7", { Version: 1, VersionPatch: 0, Coins: 1000, Gifts: 0 });
			const { store } = startWithStore(
				universe,
				{ studio: true, apiAccess: true },
				{ StudioKeyPrefix: "Studio_", Config: { ReadOnlyDataStores: true } },
			);
			const profile = store.StartSession("7", [7]);
			expect(waitLoaded(profile, 20)).to.equal(true);
			expect(profile.GetSaveData().Coins).to.equal(1000);
			profile.GetSaveData().Coins = 1;
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			const entry = universe.dataStores.read(STORE, "Studio_7");
			expect((entry!.value as { Coins: number }).Coins).to.equal(1000);
			expect(universe.dataStores.requestCount({ method: "UpdateAsync", key: "Studio_7" })).to.equal(0);
			universe.destroy();
		});
	});
};
