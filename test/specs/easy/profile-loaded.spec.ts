/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsProfile, startWithStore, universeWith } from "./helpers";

export = () => {
	describe("PlayerProfiles.ProfileLoaded (no polling)", () => {
		it("fires in the frame the profile loads, and GetLoaded returns the profile only after its handlers ran", () => {
			const universe = universeWith();
			const { server, store, lib } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			let firedAt: number | undefined;
			let loadedAt: number | undefined;
			let earlyGetLoaded = 0;
			players.ProfileLoaded.Connect(() => (firedAt = Kit.now()));
			const heartbeat = server.game.GetService("RunService").Heartbeat.Connect(() => {
				const profile = players.Get(5);
				if (profile !== undefined && profile.IsLoaded && loadedAt === undefined) loadedAt = Kit.now();
				if (players.GetLoaded(5) !== undefined && firedAt === undefined) earlyGetLoaded += 1;
			});
			server.addPlayer({ userId: 5 });
			expect(Kit.waitUntil(() => firedAt !== undefined, 10)).to.equal(true);
			Kit.advance(1);
			heartbeat.Disconnect();
			expect(earlyGetLoaded).to.equal(0);
			expect(loadedAt).to.be.ok();
			// Same frame: the load and the event share one virtual time.
			expect(firedAt).to.equal(loadedAt);
			expect(players.GetLoaded(5)).to.be.ok();
			universe.destroy();
		});

		it("still fires when the player leaves in the frame the data arrives", () => {
			const universe = universeWith();
			const { server, store, lib } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const fired = new Array<number>();
			players.ProfileLoaded.Connect(player => fired.push(player.UserId));
			const player = server.addPlayer({ userId: 6 });
			expect(Kit.waitUntil(() => players.Get(6) !== undefined, 1)).to.equal(true);
			const profile = players.Get(6) as CoinsProfile;
			// The player leaves as soon as the profile reports its load, before any later frame.
			profile.Loaded.Connect(() => server.removePlayer(player));
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 10)).to.equal(true);
			expect(fired.join(",")).to.equal("6");
			expect(players.GetLoaded(6)).to.equal(undefined);
			universe.destroy();
		});

		it("fires again for a reconnection that reuses the loaded session, after Reconnected", () => {
			const universe = universeWith();
			// The player leaves and rejoins the same server, which must not close in between.
			const { server, store, lib } = startWithStore(universe, { stayOpenWhenEmpty: true });
			const players = lib.PlayerProfilesCreate(store);
			const events = new Array<string>();
			players.ProfileLoaded.Connect(player => events.push(`loaded ${player.UserId}`));
			players.Reconnected.Connect(player => events.push(`reconnected ${player.UserId}`));
			const first = server.addPlayer({ userId: 7 });
			expect(Kit.waitUntil(() => players.GetLoaded(7) !== undefined, 10)).to.equal(true);
			server.removePlayer(first);
			server.addPlayer({ userId: 7 });
			expect(Kit.waitUntil(() => events.size() === 3, 2)).to.equal(true);
			expect(events.join(";")).to.equal("loaded 7;reconnected 7;loaded 7");
			expect(players.GetLoaded(7)).to.be.ok();
			universe.destroy();
		});
	});
};
