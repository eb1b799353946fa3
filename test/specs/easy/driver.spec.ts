/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import type { LockerState } from "../../../src";
import { CoinsProfile, startWithStore, stored, STORE, universeWith, waitLoaded } from "./helpers";

/** Counts the SessionUpdate calls a locker receives, by shadowing the method on this one instance. */
function countUpdates(locker: LockerState): { calls: number } {
	const counter = { calls: 0 };
	const shadow = locker as unknown as { SessionUpdate: (ls: LockerState, now: number) => boolean };
	const original = shadow.SessionUpdate;
	shadow.SessionUpdate = (ls, now) => {
		counter.calls += 1;
		return original(ls, now);
	};
	return counter;
}

export = () => {
	describe("Easy API driver (a timer queue, not a scan of every locker each Heartbeat)", () => {
		it("an idle loaded session gets no SessionUpdate per frame, only its due times and the 30 s full pass", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const profile = store.StartSessionReusable("1", [1]) as CoinsProfile;
			expect(waitLoaded(profile)).to.equal(true);
			Kit.advance(1);
			const counter = countUpdates(profile.ELS);
			Kit.advance(60); // 3,600 frames
			expect(counter.calls >= 1).to.equal(true);
			expect(counter.calls <= 3).to.equal(true);
			universe.destroy();
		});

		it("the autosave check (every 5 minutes) and the lease refresh still go out on time for an idle session", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			const profile = store.StartSessionReusable("1", [1]) as CoinsProfile;
			expect(waitLoaded(profile)).to.equal(true);
			const loadedAt = Kit.now();
			profile.GetSaveData().Coins = 3;
			profile.MarkShouldSave();
			const updates = () => universe.dataStores.requestCount({ server, method: "UpdateAsync", key: "1" });
			expect(Kit.waitUntil(() => updates() === 2, 400)).to.equal(true);
			const first = Kit.now() - loadedAt;
			expect(first >= 299 && first <= 302).to.equal(true);
			expect(stored(universe, "1")!.Coins).to.equal(3);
			// Nothing changed since: the next write is the lease refresh, 1,200 s (expiry - 2 periods) after that one.
			const savedAt = Kit.now();
			expect(Kit.waitUntil(() => updates() === 3, 1300)).to.equal(true);
			const refresh = Kit.now() - savedAt;
			expect(refresh >= 1198 && refresh <= 1202).to.equal(true);
			universe.destroy();
		});

		it("MarkForceSave on the profile sends the save on the next frame, not at the next full pass", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			const profile = store.StartSessionReusable("1", [1]) as CoinsProfile;
			expect(waitLoaded(profile)).to.equal(true);
			Kit.advance(2);
			const before = universe.dataStores.requestCount({ server, method: "UpdateAsync" });
			profile.GetSaveData().Coins = 9;
			profile.MarkForceSave();
			// The request log records a request when it completes: one round trip (0.1 s) and a few frames.
			Kit.advance(0.1 + 3 / 60);
			expect(universe.dataStores.requestCount({ server, method: "UpdateAsync" })).to.equal(before + 1);
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			expect(stored(universe, "1")!.Coins).to.equal(9);
			universe.destroy();
		});

		it("a forced save made on the LockerState itself (Full API on profile.ELS) goes out on the next frame", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			const profile = store.StartSessionReusable("1", [1]) as CoinsProfile;
			expect(waitLoaded(profile)).to.equal(true);
			Kit.advance(2);
			const before = universe.dataStores.requestCount({ server, method: "UpdateAsync" });
			profile.ELS.SaveData.Coins = 4;
			profile.ELS.MarkForceSave();
			// One round trip (0.1 s) and a few frames, not the 30 s full pass.
			Kit.advance(0.1 + 3 / 60);
			expect(universe.dataStores.requestCount({ server, method: "UpdateAsync" })).to.equal(before + 1);
			expect(Kit.waitUntil(() => stored(universe, "1")!.Coins === 4, 2)).to.equal(true);
			universe.destroy();
		});

		it("ending a session releases it and deletes its locker without waiting for a full pass", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const profile = store.StartSessionReusable("1", [1]) as CoinsProfile;
			expect(waitLoaded(profile)).to.equal(true);
			Kit.advance(2.5);
			profile.GetSaveData().Coins = 6;
			profile.EndSession();
			// One request round trip (0.1 s here) and a few frames, not a second.
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 0.3)).to.equal(true);
			expect(universe.dataStores.read(STORE, "1")!.value).to.be.ok();
			expect(stored(universe, "1")!.Coins).to.equal(6);
			universe.destroy();
		});
	});
};
