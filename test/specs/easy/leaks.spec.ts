/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import type { EasyProfile } from "../../../src";
import { CoinsData, startWithStore, universeWith } from "./helpers";

/** Connects a handler to every signal of a profile, as a game might, and returns the connections. */
function connectAll(profile: EasyProfile<CoinsData>, onFinished: () => void): Array<RBXScriptConnection> {
	const noop = () => {};
	return [
		profile.Lifecycle.Connect(noop),
		profile.Finished.Connect(onFinished),
		profile.Destroyed.Connect(noop),
		profile.Saved.Connect(noop),
		profile.Replaced.Connect(noop),
		profile.Loaded.Connect(noop),
		profile.Reset.Connect(noop),
		profile.Released.Connect(noop),
		profile.Lost.Connect(noop),
		profile.ProductCreditChanged.Connect(noop),
	];
}

/** What watches a profile for PlayerProfiles (its entry for the player), if anything does. */
function watcherOf(profile: EasyProfile<CoinsData>): unknown {
	return (profile as unknown as { watcher?: unknown }).watcher;
}

/** PlayerProfiles' entries by UserId. */
function entriesOf(players: unknown): Map<number, unknown> {
	return (players as { entries: Map<number, unknown> }).entries;
}

export = () => {
	describe("Easy API leaks", () => {
		it("a long-running server with players joining and leaving keeps a bounded number of live connections", () => {
			const universe = universeWith();
			const { server, store, lib } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const gameConnections = new Array<RBXScriptConnection>();
			const watched = new Array<EasyProfile<CoinsData>>();
			let finished = 0;
			players.ProfileLoaded.Connect((_player, profile) => {
				for (const c of connectAll(profile, () => (finished += 1))) gameConnections.push(c);
			});
			const online = new Array<Player>();
			const cycles = 60;
			for (let i = 1; i <= cycles; i++) {
				// Ten user ids come back again and again: rejoins on the same server and fresh sessions alike.
				const player = server.addPlayer({ userId: (i % 10) + 1 });
				online.push(player);
				expect(Kit.waitUntil(() => players.GetLoaded(player) !== undefined, 30)).to.equal(true);
				const profile = players.GetLoaded(player)!;
				const watcher = watcherOf(profile);
				expect(watcher !== undefined && watcher === entriesOf(players).get(player.UserId)).to.equal(true);
				watched.push(profile);
				Kit.advance(3);
				if (online.size() >= 3) server.removePlayer(online.shift()!);
			}
			for (const player of online) server.removePlayer(player);
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 60)).to.equal(true);
			Kit.flush();

			// Every Finished reached the game's handler before the profile's signals were destroyed.
			expect(finished).to.equal(cycles);
			const live = (list: Array<RBXScriptConnection>) => list.filter(c => c.Connected).size();
			expect(gameConnections.size()).to.equal(cycles * 10);
			expect(live(gameConnections)).to.equal(0);
			// The helper watched every session and let go of each: no profile refers to a Player through it.
			expect(watched.size()).to.equal(cycles);
			expect(watched.filter(profile => watcherOf(profile) !== undefined).size()).to.equal(0);
			expect(entriesOf(players).size()).to.equal(0);
			universe.destroy();
		});

		it("the helper stops watching a profile when the player leaves, before the release lands", () => {
			const universe = universeWith();
			const { server, store, lib } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store, { KickOnLost: true, KickOnLoadFailure: true });
			const player = server.addPlayer({ userId: 3 });
			expect(Kit.waitUntil(() => players.GetLoaded(3) !== undefined, 10)).to.equal(true);
			const profile = players.GetLoaded(3)!;
			expect(watcherOf(profile)).to.equal(entriesOf(players).get(3));
			expect(watcherOf(profile) !== undefined).to.equal(true);
			server.removePlayer(player);
			Kit.flush();
			expect(store.GetLockerCount()).to.equal(1);
			expect(watcherOf(profile)).to.equal(undefined);
			universe.destroy();
		});
	});
};
