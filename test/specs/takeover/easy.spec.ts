/// <reference types="@rbxts/testez/globals" />
// Lock protocol v2 through the Easy API: the heartbeat path takes over even when MessagingService loses every
// release request and announcement.
import { Kit } from "../../kit";
import { startWithStore, stored } from "../easy/helpers";

export = () => {
	beforeAll(() => Kit.setFrameStep(0.1));
	afterAll(() => Kit.setFrameStep(1 / 60));

	describe("takeover: Easy API", () => {
		it("every MessagingService message lost: a crashed server's player still loads elsewhere within 30 s", () => {
			const u = Kit.createUniverse({ seed: 51, messageLoss: 1 });
			const a = startWithStore(u);
			const b = startWithStore(u);
			const playersA = a.lib.PlayerProfilesCreate(a.store);
			const playersB = b.lib.PlayerProfilesCreate(b.store);
			a.server.addPlayer({ userId: 5 });
			expect(Kit.waitUntil(() => playersA.GetLoaded(5) !== undefined, 30)).to.equal(true);
			const profile = playersA.GetLoaded(5)!;
			profile.GetSaveData().Coins = 3;
			profile.MarkForceSave();
			expect(Kit.waitUntil(() => stored(u, "5")?.Coins === 3, 30)).to.equal(true);
			Kit.advance(20);
			a.server.crash();
			const joined = Kit.now();
			b.server.addPlayer({ userId: 5 });
			expect(Kit.waitUntil(() => playersB.GetLoaded(5) !== undefined, 30)).to.equal(true);
			print(string.format("Easy API takeover after crash, messages lost: %.1f s from join", Kit.now() - joined));
			expect(playersB.GetLoaded(5)!.GetSaveData().Coins).to.equal(3);
			u.destroy();
		});

		it("in Studio the Easy API keeps no heartbeat (one server)", () => {
			const u = Kit.createUniverse({ seed: 52 });
			const s = startWithStore(u, { studio: true });
			const players = s.lib.PlayerProfilesCreate(s.store);
			s.server.addPlayer({ userId: 6 });
			expect(Kit.waitUntil(() => players.GetLoaded(6) !== undefined, 30)).to.equal(true);
			Kit.advance(30);
			expect(u.memoryStore.requestCount({ server: s.server })).to.equal(0);
			u.destroy();
		});
	});
};
