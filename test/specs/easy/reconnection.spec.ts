/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsData, startWithStore, stored, STORE, universeWith, waitLoaded } from "./helpers";

export = () => {
	describe("reconnection on the same server", () => {
		it("a rejoin before the release starts reuses the session: no DataStore request, no lost change", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			const first = store.StartSessionReusable("10", [10]);
			expect(waitLoaded(first)).to.equal(true);
			first.GetSaveData().Coins = 42;
			first.MarkShouldSave();
			const before = universe.dataStores.requestCount({ server });
			// Leave and rejoin within the same frame: the release never starts.
			let previousFinished = false;
			first.Finished.Connect(() => {
				previousFinished = true;
			});
			first.EndSession();
			const second = store.StartSessionReusable("10", [10]);
			expect(second.ELS).to.equal(first.ELS);
			expect(second.IsLoaded).to.equal(true);
			expect(second.YieldUntilLoaded()).to.equal(second);
			expect(second.GetSaveData().Coins).to.equal(42);
			let loadedFired = false;
			second.Loaded.Connect(() => {
				loadedFired = true;
			});
			Kit.advance(5);
			expect(universe.dataStores.requestCount({ server })).to.equal(before);
			expect(loadedFired).to.equal(true);
			expect(previousFinished).to.equal(true);
			// The change reaches the backend with the next save of the same session.
			second.MarkForceSave();
			expect(second.YieldUntilChangesSaved()).to.equal(true);
			expect((stored(universe, "10") as CoinsData).Coins).to.equal(42);
			// The save and its read-back (awaited saves are verified by default).
			expect(universe.dataStores.requestCount({ server })).to.equal(before + 2);
			universe.destroy();
		});

		it("a rejoin while the release request is in flight cancels the release: the request becomes a save", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			const first = store.StartSessionReusable("11", [11]);
			expect(waitLoaded(first)).to.equal(true);
			first.GetSaveData().Coins = 7;
			first.MarkShouldSave();
			// Past the 4 s read cache, so the release's transform runs only after its read completes (item 23).
			Kit.advance(5);
			const before = universe.dataStores.requestCount({ server });
			const hold = universe.dataStores.hold("11");
			first.EndSession();
			Kit.advance(1); // the release request is sent and held before its transform runs
			const second = store.StartSessionReusable("11", [11]);
			expect(second.ELS).to.equal(first.ELS);
			second.GetSaveData().Coins += 1;
			second.MarkShouldSave();
			let reset = false;
			second.Reset.Connect(() => {
				reset = true;
			});
			hold.release();
			Kit.advance(5);
			expect(reset).to.equal(false);
			expect(second.IsLoaded).to.equal(true);
			const value = stored(universe, "11") as CoinsData;
			expect(value.Session).to.be.ok(); // still held: the release was cancelled inside the transform
			expect(value.Coins >= 7).to.equal(true);
			expect(universe.dataStores.requestCount({ server })).to.equal(before + 1);
			second.EndSession();
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 30)).to.equal(true);
			const final = stored(universe, "11") as CoinsData;
			expect(final.Coins).to.equal(8);
			expect(final.Session).to.equal(undefined);
			universe.destroy();
		});

		it("StartSession (not reusable) on a key this server still releases waits for the release like another server", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const first = store.StartSession("12", [12]);
			expect(waitLoaded(first)).to.equal(true);
			first.GetSaveData().Coins = 3;
			first.MarkShouldSave();
			first.EndSession();
			const second = store.StartSession("12", [12]);
			expect(second.ELS === first.ELS).to.equal(false);
			expect(waitLoaded(second, 60)).to.equal(true);
			expect(second.GetSaveData().Coins).to.equal(3);
			second.EndSession();
			universe.destroy();
		});
	});

	describe("joining another server while the first still holds the lock", () => {
		it("the new server loads after the old release lands, with every change; never two holders", () => {
			const universe = universeWith();
			const a = startWithStore(universe);
			const b = startWithStore(universe);
			// Server B already serves other players, so it knows the DataStore's clock (the usual case).
			const other = b.store.StartSessionReusable("99", [99]);
			expect(waitLoaded(other)).to.equal(true);
			const onA = a.store.StartSessionReusable("13", [13]);
			expect(waitLoaded(onA)).to.equal(true);
			onA.GetSaveData().Coins = 100;
			onA.MarkShouldSave();
			// The player joins B before A noticed the leave (Roblox does not order the two servers' events).
			const joinedAt = Kit.now();
			const onB = b.store.StartSessionReusable("13", [13]);
			let bothLoaded = false;
			const watcher = b.server.game.GetService("RunService").Heartbeat.Connect(() => {
				if (onA.IsLoaded && onB.IsLoaded) bothLoaded = true;
			});
			Kit.advance(0.5);
			expect(onB.GetLoadStatus()).to.equal("session_is_locked");
			const leftAt = Kit.now();
			onA.EndSession();
			expect(waitLoaded(onB, 60)).to.equal(true);
			watcher.Disconnect();
			expect(bothLoaded).to.equal(false);
			expect(onB.GetSaveData().Coins).to.equal(100);
			// A announces its release through MessagingService and B retries at once, instead of after its
			// SessionRetryCooldown (10 s, ±20 % jitter): a release, a message and a load, about a second.
			const sinceJoin = Kit.now() - joinedAt;
			const sinceLeave = Kit.now() - leftAt;
			expect(sinceLeave <= 3).to.equal(true);
			expect(sinceJoin < 8).to.equal(true);
			// Two messages: a hint as the release's write starts (B may load on it, or on a quick retry) and the
			// announcement once written; both arrive, once each.
			expect(Kit.waitUntil(() => b.store.ReleaseAnnouncer?.ReceivedCount === 1, 2)).to.equal(true);
			Kit.advance(2);
			expect(b.store.ReleaseAnnouncer?.hintsReceived).to.equal(1);
			expect(b.store.ReleaseAnnouncer?.ReceivedCount).to.equal(1);
			const value = stored(universe, "13") as CoinsData;
			expect((value.Session as { JobId: string }).JobId).to.equal(b.server.jobId);
			universe.destroy();
		});

		it("when the release announcement is lost, the new server still loads at its next retry", () => {
			const universe = universeWith();
			const a = startWithStore(universe);
			const b = startWithStore(universe);
			const other = b.store.StartSessionReusable("98", [98]);
			expect(waitLoaded(other)).to.equal(true);
			const onA = a.store.StartSessionReusable("14", [14]);
			expect(waitLoaded(onA)).to.equal(true);
			onA.GetSaveData().Coins = 7;
			onA.MarkShouldSave();
			const joinedAt = Kit.now();
			const onB = b.store.StartSessionReusable("14", [14]);
			Kit.advance(0.5);
			expect(onB.GetLoadStatus()).to.equal("session_is_locked");
			// Both of the release's messages are lost: the hint sent as its write starts and the announcement after.
			universe.messaging.drop(2, a.store.ReleaseAnnouncer?.Topic);
			onA.EndSession();
			expect(waitLoaded(onB, 60)).to.equal(true);
			expect(onB.GetSaveData().Coins).to.equal(7);
			// No announcement arrived: B's quick retries after a "locked" load (0.25, 0.5, 1 and 2 s) find the
			// release, which landed within a second of the leave.
			const sinceJoin = Kit.now() - joinedAt;
			expect(sinceJoin <= 5).to.equal(true);
			expect(b.store.ReleaseAnnouncer?.ReceivedCount).to.equal(0);
			universe.destroy();
		});

		it("a release after the quick retries, its announcement lost: the load retries after SessionRetryCooldown", () => {
			const universe = universeWith();
			const a = startWithStore(universe);
			const b = startWithStore(universe);
			const other = b.store.StartSessionReusable("97", [97]);
			expect(waitLoaded(other)).to.equal(true);
			const onA = a.store.StartSessionReusable("15", [15]);
			expect(waitLoaded(onA)).to.equal(true);
			onA.GetSaveData().Coins = 8;
			onA.MarkShouldSave();
			const joinedAt = Kit.now();
			const onB = b.store.StartSessionReusable("15", [15]);
			const updates = () => universe.dataStores.requestCount({ server: b.server, key: "15" });
			// The quick retries (about 0.25 + 0.5 + 1 + 2 s after each "locked" result) are spent by then.
			Kit.advance(6);
			expect(onB.GetLoadStatus()).to.equal("session_is_locked");
			expect(updates()).to.equal(5);
			universe.messaging.drop(2, a.store.ReleaseAnnouncer?.Topic);
			onA.EndSession();
			expect(waitLoaded(onB, 60)).to.equal(true);
			expect(onB.GetSaveData().Coins).to.equal(8);
			// No announcement arrived: B's retry SessionRetryCooldown (10 s, ±20 % jitter) after its last "locked"
			// result loads it.
			const lastLocked = universe.dataStores.requests({ server: b.server, key: "15" })[4].time;
			const sinceLocked = Kit.now() - lastLocked;
			expect(sinceLocked >= 8 && sinceLocked <= 12.5).to.equal(true);
			expect(Kit.now() - joinedAt > 6).to.equal(true);
			expect(updates()).to.equal(6);
			expect(b.store.ReleaseAnnouncer?.ReceivedCount).to.equal(0);
			universe.destroy();
		});
	});
};
