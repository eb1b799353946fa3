/// <reference types="@rbxts/testez/globals" />
// Releases confirmed on request (docs/lock-protocol-v2.md): the Easy API writes a release once and reads nothing
// back; a release reported done that never landed is written again when a server that still finds the released
// lock asks, or when the player comes back to the same server.
import { Kit, KitUniverse } from "../../kit";
import type { StoredSession } from "../../../src";
import { CoinsProfile, STORE, Started, startWithStore, stored } from "./helpers";

const KEY = "5";

function updates(u: KitUniverse, s: Started): number {
	return u.dataStores.requestCount({ server: s.server, key: KEY, method: "UpdateAsync" });
}

function version(u: KitUniverse): string {
	return u.dataStores.read(STORE, KEY)!.version;
}

/** A session on `s` for KEY, loaded, with `coins` saved; returns the profile and the lock it holds. */
function holding(u: KitUniverse, s: Started, coins: number): [CoinsProfile, StoredSession] {
	const profile = s.store.StartSessionReusable(KEY, [5]);
	assert(
		Kit.waitUntil(() => profile.IsLoaded, 30),
		"the session did not load",
	);
	profile.GetSaveData().Coins = coins;
	profile.MarkForceSave();
	assert(
		Kit.waitUntil(() => stored(u, KEY)?.Coins === coins, 30),
		"the save did not land",
	);
	return [profile, stored(u, KEY)!.Session as StoredSession];
}

/** Ends the session on `s` and waits until the store forgot it (release reported written). */
function leave(s: Started, profile: CoinsProfile): boolean {
	profile.EndSession();
	return Kit.waitUntil(() => s.store.GetLockerCount() === 0, 30);
}

export = () => {
	beforeAll(() => Kit.setFrameStep(0.1));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("releases confirmed on request (Easy API)", () => {
		it("a normal release costs exactly one UpdateAsync, and nothing reads it back later", () => {
			const u = Kit.createUniverse({ seed: 61 });
			const a = startWithStore(u);
			const [profile] = holding(u, a, 4);
			profile.GetSaveData().Coins = 5;
			profile.MarkShouldSave();
			const before = updates(u, a);
			expect(leave(a, profile)).to.equal(true);
			Kit.advance(60);
			expect(updates(u, a) - before).to.equal(1);
			expect(stored(u, KEY)!.Coins).to.equal(5);
			expect(stored(u, KEY)!.Session).to.equal(undefined);
			u.destroy();
		});

		it("a release reported written but dropped: the player loads on another server within seconds, with the last change", () => {
			const u = Kit.createUniverse({ seed: 62 });
			const a = startWithStore(u);
			const b = startWithStore(u);
			const [profile, lock] = holding(u, a, 1);
			profile.GetSaveData().Coins = 7;
			profile.MarkShouldSave();
			u.dataStores.addFault({ method: "UpdateAsync", key: KEY, server: a.server, mode: "drop-then-ok" });
			expect(leave(a, profile)).to.equal(true);
			// Dropped: the key still holds A's lock and the data of A's last save.
			expect((stored(u, KEY)!.Session as StoredSession).LockId).to.equal(lock.LockId);
			expect(stored(u, KEY)!.Coins).to.equal(1);
			const joined = Kit.now();
			const onB = b.store.StartSessionReusable(KEY, [5]);
			expect(Kit.waitUntil(() => onB.IsLoaded, 30)).to.equal(true);
			const took = Kit.now() - joined;
			print(string.format("dropped release, join on another server: loaded after %.2f s", took));
			expect(took <= 5).to.equal(true);
			expect(onB.GetSaveData().Coins).to.equal(7);
			expect(b.store.ReleaseAnnouncer!.AskedCount).to.equal(1);
			u.destroy();
		});

		it("a release reported written but dropped: the player back on the same server loads at once, with the last change, in one request", () => {
			const u = Kit.createUniverse({ seed: 63 });
			const a = startWithStore(u);
			const [profile, lock] = holding(u, a, 1);
			profile.GetSaveData().Coins = 8;
			profile.MarkShouldSave();
			u.dataStores.addFault({ method: "UpdateAsync", key: KEY, server: a.server, mode: "drop-then-ok" });
			expect(leave(a, profile)).to.equal(true);
			expect((stored(u, KEY)!.Session as StoredSession).LockId).to.equal(lock.LockId);
			const before = updates(u, a);
			const back = Kit.now();
			const again = a.store.StartSessionReusable(KEY, [5]);
			expect(Kit.waitUntil(() => again.IsLoaded, 30)).to.equal(true);
			expect(Kit.now() - back <= 2).to.equal(true);
			expect(again.GetSaveData().Coins).to.equal(8);
			expect(updates(u, a) - before).to.equal(1);
			const now = stored(u, KEY)!;
			expect(now.Coins).to.equal(8);
			expect((now.Session as StoredSession).LockId).never.to.equal(lock.LockId);
			u.destroy();
		});

		it("a stale ask (the release had landed) writes nothing, and a second one sends no request", () => {
			const u = Kit.createUniverse({ seed: 64 });
			const a = startWithStore(u);
			const b = startWithStore(u);
			const [profile, lock] = holding(u, a, 3);
			expect(leave(a, profile)).to.equal(true);
			expect(stored(u, KEY)!.Session).to.equal(undefined);
			Kit.advance(3); // the release's own announcement has arrived everywhere
			const written = version(u);
			const heardBefore = a.store.ReleaseAnnouncer!.ReceivedCount;
			let before = updates(u, a);
			b.store.ReleaseAnnouncer!.Ask(KEY, lock);
			Kit.advance(5);
			// One fenced request that found the lock gone: a read, nothing written, and the record dropped.
			expect(updates(u, a) - before).to.equal(1);
			expect(version(u)).to.equal(written);
			// An ask is not an announcement (servers of earlier versions ignore it too).
			expect(a.store.ReleaseAnnouncer!.ReceivedCount).to.equal(heardBefore);
			before = updates(u, a);
			b.store.ReleaseAnnouncer!.Ask(KEY, lock);
			Kit.advance(5);
			expect(updates(u, a) - before).to.equal(0);
			expect(version(u)).to.equal(written);
			u.destroy();
		});

		it("a stale ask (another server took the key since) writes nothing and leaves that server's session alone", () => {
			const u = Kit.createUniverse({ seed: 65 });
			const a = startWithStore(u);
			const b = startWithStore(u);
			const [profile, lock] = holding(u, a, 3);
			expect(leave(a, profile)).to.equal(true);
			const [onB, lockB] = holding(u, b, 9);
			const written = version(u);
			b.store.ReleaseAnnouncer!.Ask(KEY, lock);
			Kit.advance(5);
			expect(version(u)).to.equal(written);
			expect((stored(u, KEY)!.Session as StoredSession).LockId).to.equal(lockB.LockId);
			expect(onB.IsActive).to.equal(true);
			onB.GetSaveData().Coins = 10;
			onB.MarkForceSave();
			expect(Kit.waitUntil(() => stored(u, KEY)!.Coins === 10, 30)).to.equal(true);
			u.destroy();
		});

		it("an ask to a server that still has the player changes nothing", () => {
			const u = Kit.createUniverse({ seed: 66 });
			const a = startWithStore(u);
			const b = startWithStore(u);
			const [profile, lock] = holding(u, a, 2);
			const written = version(u);
			const before = updates(u, a);
			b.store.ReleaseAnnouncer!.Ask(KEY, lock);
			Kit.advance(10);
			expect(updates(u, a) - before).to.equal(0);
			expect(version(u)).to.equal(written);
			expect(profile.IsLoaded).to.equal(true);
			expect(a.store.ReleaseAnnouncer!.AnnouncedCount).to.equal(0);
			u.destroy();
		});

		it("a dropped release still recorded when the server closes is written again within the shutdown, in one request", () => {
			const u = Kit.createUniverse({ seed: 69 });
			const a = startWithStore(u);
			const [profile, lock] = holding(u, a, 1);
			profile.GetSaveData().Coins = 9;
			profile.MarkShouldSave();
			u.dataStores.addFault({ method: "UpdateAsync", key: KEY, server: a.server, mode: "drop-then-ok" });
			expect(leave(a, profile)).to.equal(true);
			expect((stored(u, KEY)!.Session as StoredSession).LockId).to.equal(lock.LockId);
			const before = updates(u, a);
			const start = Kit.now();
			a.server.shutdown();
			expect(Kit.waitUntil(() => a.server.isClosed, 60)).to.equal(true);
			expect(Kit.now() - start <= 30).to.equal(true);
			expect(updates(u, a) - before).to.equal(1);
			expect(stored(u, KEY)!.Session).to.equal(undefined);
			expect(stored(u, KEY)!.Coins).to.equal(9);
			u.destroy();
		});

		it("ordinary hops, either order: no ask, and one UpdateAsync per hop on the server the player leaves", () => {
			const u = Kit.createUniverse({ seed: 68, latency: { min: 0.05, max: 0.3 } });
			const a = startWithStore(u);
			const b = startWithStore(u);
			for (let i = 1; i <= 8; i++) {
				const [profile] = holding(u, a, i);
				Kit.advance(5);
				const before = updates(u, a);
				let onB: CoinsProfile;
				if (i % 2 === 0) {
					profile.EndSession();
					Kit.advance(1 / 60);
					onB = b.store.StartSessionReusable(KEY, [5]);
				} else {
					onB = b.store.StartSessionReusable(KEY, [5]);
					Kit.advance(0.5);
					profile.EndSession();
				}
				expect(Kit.waitUntil(() => onB.IsLoaded, 30)).to.equal(true);
				expect(onB.GetSaveData().Coins).to.equal(i);
				Kit.advance(3);
				expect(updates(u, a) - before).to.equal(1);
				onB.EndSession();
				expect(Kit.waitUntil(() => b.store.GetLockerCount() === 0, 30)).to.equal(true);
				Kit.advance(3);
			}
			expect(b.store.ReleaseAnnouncer!.AskedCount).to.equal(0);
			expect(a.store.ReleaseAnnouncer!.AskedCount).to.equal(0);
			u.destroy();
		});

		it("a join before the leave with a dropped release: the second server still loads the last change within seconds", () => {
			const u = Kit.createUniverse({ seed: 67 });
			const a = startWithStore(u);
			const b = startWithStore(u);
			const [profile] = holding(u, a, 1);
			profile.GetSaveData().Coins = 6;
			profile.MarkShouldSave();
			const onB = b.store.StartSessionReusable(KEY, [5]);
			Kit.advance(0.5);
			u.dataStores.addFault({ method: "UpdateAsync", key: KEY, server: a.server, mode: "drop-then-ok" });
			const left = Kit.now();
			profile.EndSession();
			expect(Kit.waitUntil(() => onB.IsLoaded, 30)).to.equal(true);
			print(string.format("dropped release, join first: loaded %.2f s after the leave", Kit.now() - left));
			expect(Kit.now() - left <= 6).to.equal(true);
			expect(onB.GetSaveData().Coins).to.equal(6);
			u.destroy();
		});
	});
};
