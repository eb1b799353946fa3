/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsData, CoinsProfile, startWithStore, stored, STORE, universeWith } from "./helpers";

function kicks(lines: Array<string>): Array<string> {
	return lines.filter(line => line.find("kicked", 1, true)[0] !== undefined);
}

export = () => {
	describe("PlayerProfiles", () => {
		it("gives each joining player a session keyed by UserId and ends it when they leave", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const loaded = new Array<number>();
			players.ProfileLoaded.Connect(player => loaded.push(player.UserId));
			const player = server.addPlayer({ userId: 5 });
			expect(Kit.waitUntil(() => players.GetLoaded(5) !== undefined, 10)).to.equal(true);
			expect(Kit.waitUntil(() => loaded.size() > 0, 2)).to.equal(true);
			expect(loaded.join(",")).to.equal("5");
			expect(players.Get(player)).to.equal(players.Get(5));
			(players.Get(5) as CoinsProfile).GetSaveData().Coins = 12;
			server.removePlayer(player);
			expect(Kit.waitUntil(() => players.Get(5) === undefined, 1)).to.equal(true);
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 10)).to.equal(true);
			expect((stored(universe, "5") as CoinsData).Coins).to.equal(12);
			universe.destroy();
		});

		it("players who joined before the helper was created still get a session (Studio solo tests)", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			server.addPlayer({ userId: -1, name: "Player1" });
			Kit.flush();
			const players = lib.PlayerProfilesCreate(store);
			expect(Kit.waitUntil(() => players.GetLoaded(-1) !== undefined, 10)).to.equal(true);
			expect(store.GetActiveProfiles("-1").size()).to.equal(1);
			universe.destroy();
		});

		it("a reconnection (new Player object, same UserId) gets the same session back without a request", () => {
			const universe = universeWith();
			// The player leaves and rejoins the same server, so it must not close when empty.
			const { server, lib, store } = startWithStore(universe, { stayOpenWhenEmpty: true });
			const players = lib.PlayerProfilesCreate(store);
			let reconnected = 0;
			players.Reconnected.Connect(() => (reconnected += 1));
			const first = server.addPlayer({ userId: 6 });
			expect(Kit.waitUntil(() => players.GetLoaded(6) !== undefined, 10)).to.equal(true);
			const profile = players.Get(6) as CoinsProfile;
			profile.GetSaveData().Coins = 3;
			profile.MarkShouldSave();
			Kit.advance(5);
			const before = universe.dataStores.requestCount({ server });
			server.removePlayer(first);
			const second = server.addPlayer({ userId: 6 });
			Kit.flush();
			const again = players.Get(second) as CoinsProfile;
			expect(again.ELS).to.equal(profile.ELS);
			expect(again.IsLoaded).to.equal(true);
			expect(again.GetSaveData().Coins).to.equal(3);
			Kit.advance(2);
			expect(reconnected).to.equal(1);
			expect(universe.dataStores.requestCount({ server })).to.equal(before);
			universe.destroy();
		});

		it("a duplicate login (the first Player still here) moves the session to the new Player and kicks the old one", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const duplicates = new Array<string>();
			players.DuplicateLogin.Connect((kept, kicked) => duplicates.push(`${kept.Name}>${kicked.Name}`));
			const first = server.addPlayer({ userId: 8, name: "Laptop" });
			expect(Kit.waitUntil(() => players.GetLoaded(8) !== undefined, 10)).to.equal(true);
			const profile = players.Get(8) as CoinsProfile;
			const second = server.addPlayer({ userId: 8, name: "Phone" });
			expect(Kit.waitUntil(() => duplicates.size() > 0, 2)).to.equal(true);
			expect(duplicates.join(",")).to.equal("Phone>Laptop");
			expect(players.Get(second)).to.equal(profile);
			expect(profile.IsActive).to.equal(true);
			expect(
				kicks(server.outputOf("info"))
					.join("\n")
					.find("Laptop kicked: You joined this experience from another device", 1, true)[0],
			).to.be.ok();
			// The old Player leaving does not end the session now owned by the new one.
			if (first.Parent !== undefined) server.removePlayer(first);
			Kit.advance(1);
			expect(profile.IsActive).to.equal(true);
			universe.destroy();
		});

		it("kicks with a clear message when the session is lost, where the game asks for it", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			lib.PlayerProfilesCreate(store, { KickOnLost: true });
			server.addPlayer({ userId: 9, name: "Victim" });
			expect(Kit.waitUntil(() => store.GetActiveProfiles("9")[0]?.IsLoaded === true, 10)).to.equal(true);
			const value = stored(universe, "9") as CoinsData;
			(value.Session as { LockId: number }).LockId += 1;
			universe.dataStores.write(STORE, "9", value);
			store.GetActiveProfiles("9")[0].MarkForceSave();
			expect(
				Kit.waitUntil(
					() =>
						kicks(server.outputOf("info"))
							.join("\n")
							.find("Victim kicked: Your data was opened on another server", 1, true)[0] !== undefined,
					30,
				),
			).to.equal(true);
			universe.destroy();
		});

		it("kicks on a load failure (a newer data version) and after LoadTimeout while locked", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			lib.PlayerProfilesCreate(store, { KickOnLoadFailure: true, LoadTimeout: 20 });
			universe.dataStores.write(STORE, "21", { Version: 5, VersionPatch: 0, Coins: 1 });
			universe.dataStores.write(STORE, "22", {
				Version: 1,
				VersionPatch: 0,
				Coins: 1,
				Session: { PlaceId: 1, JobId: "elsewhere", LockId: 1, UpdatedAt: os.time() },
			});
			server.addPlayer({ userId: 21, name: "Future" });
			server.addPlayer({ userId: 22, name: "Locked" });
			expect(
				Kit.waitUntil(
					() =>
						kicks(server.outputOf("info"))
							.join("\n")
							.find("Future kicked: This server is older", 1, true)[0] !== undefined,
					10,
				),
			).to.equal(true);
			Kit.advance(5);
			expect(kicks(server.outputOf("info")).join("\n").find("Locked kicked", 1, true)[0]).to.equal(undefined);
			expect(
				Kit.waitUntil(
					() =>
						kicks(server.outputOf("info"))
							.join("\n")
							.find("Locked kicked: Your data is still in use", 1, true)[0] !== undefined,
					30,
				),
			).to.equal(true);
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 30)).to.equal(true);
			universe.destroy();
		});

		it("KickOnLoadFailure kicks at LoadTimeout, not before, without polling the load status", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store, { KickOnLoadFailure: true, LoadTimeout: 20 });
			universe.dataStores.write(STORE, "23", {
				Version: 1,
				VersionPatch: 0,
				Coins: 1,
				Session: { PlaceId: 1, JobId: "elsewhere", LockId: 1, UpdatedAt: os.time() },
			});
			const joinedAt = Kit.now();
			server.addPlayer({ userId: 23, name: "Waiting" });
			expect(Kit.waitUntil(() => players.Get(23) !== undefined, 1)).to.equal(true);
			const profile = players.Get(23) as CoinsProfile;
			let statusReads = 0;
			const counted = profile as unknown as { GetLoadStatus: (self: unknown) => string };
			const read = counted.GetLoadStatus;
			counted.GetLoadStatus = target => {
				statusReads += 1;
				return read(target);
			};
			const kicked = () =>
				kicks(server.outputOf("info"))
					.join("\n")
					.find("Waiting kicked: Your data is still in use", 1, true)[0] !== undefined;
			Kit.advance(19.8 - (Kit.now() - joinedAt));
			expect(profile.GetLoadStatus()).to.equal("session_is_locked");
			expect(kicked()).to.equal(false);
			// Only changes of the status are looked at (about 4 times a second when polled).
			expect(statusReads < 10).to.equal(true);
			expect(Kit.waitUntil(kicked, 0.5)).to.equal(true);
			expect(profile.IsActive).to.equal(false);
			expect(players.Get(23)).to.equal(undefined);
			universe.destroy();
		});

		it("a failed load is kicked in the frame it is applied, and the game's own LoadStatusChanged still runs", () => {
			const universe = universeWith();
			const seen = new Array<string>();
			const { server, lib, store } = startWithStore(universe, undefined, {
				Config: { LoadStatusChanged: ls => seen.push(`${ls.DataStoreKey}:${ls.LoadStatus}`) },
			});
			lib.PlayerProfilesCreate(store, { KickOnLoadFailure: true });
			universe.dataStores.write(STORE, "24", { Version: 5, VersionPatch: 0, Coins: 1 });
			server.addPlayer({ userId: 24, name: "Future" });
			const kicked = () =>
				kicks(server.outputOf("info")).join("\n").find("Future kicked: This server is older", 1, true)[0] !==
				undefined;
			// The frame that applied the failed load (and called the game's callback) also kicked.
			expect(Kit.waitUntil(() => seen.includes("24:invalid_version"), 10)).to.equal(true);
			expect(kicked()).to.equal(true);
			expect(store.GetActiveProfiles("24").size()).to.equal(0);
			universe.destroy();
		});
	});
};
