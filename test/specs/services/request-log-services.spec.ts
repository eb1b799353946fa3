/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { startWithStore } from "../easy/helpers";

// Checklist item D4: the request log records every request a library made, by service and method, MessagingService
// and MemoryStoreService included, so a spec can count all of a library's traffic in one place.

export = () => {
	describe("the request log across services (item D4)", () => {
		it("item D4: an Easy API server hop is counted by service and method in one log: DataStore, MessagingService and MemoryStore calls", () => {
			const universe = Kit.createUniverse({ seed: 5, latency: { min: 0.1, max: 0.1 } });
			// No heartbeat (the library's own MemoryStore traffic): the game's one call below is the only one.
			const a = startWithStore(universe, undefined, { Services: { MemoryStoreService: false } });
			const b = startWithStore(universe, undefined, { Services: { MemoryStoreService: false } });
			a.lib.PlayerProfilesCreate(a.store);
			b.lib.PlayerProfilesCreate(b.store);
			// Another player stays on A, so A keeps running after the hop (an emptied server closes).
			a.server.addPlayer({ userId: 4 });
			const player = a.server.addPlayer({ userId: 3 });
			Kit.advance(3);
			a.server.removePlayer(player);
			b.server.addPlayer({ userId: 3 });
			Kit.advance(5);
			// A game's own MemoryStore call on server B lands in the same log.
			const map = b.server.game.GetService("MemoryStoreService").GetHashMap("Sessions");
			task.spawn(() => map.SetAsync("3", "b", 60));
			Kit.advance(1);
			const counts = universe.dataStores.requestCounts();
			// Two loads on A, the release of 3 on A (not read back: releases are confirmed on request), the load on B:
			// every one an UpdateAsync, and nothing else.
			expect(counts["DataStoreService.UpdateAsync"]).to.equal(4);
			// The holder's release announcement, and each server's subscription to announcements.
			expect((counts["MessagingService.PublishAsync"] ?? 0) >= 1).to.equal(true);
			expect((counts["MessagingService.SubscribeAsync"] ?? 0) >= 2).to.equal(true);
			expect(counts["MemoryStoreService.SetAsync"]).to.equal(1);
			// Filters by service and server read the same log.
			const fromB = universe.dataStores.requests({ service: "MemoryStoreService", server: b.server });
			expect(fromB.size()).to.equal(1);
			expect(fromB[0].key).to.equal("3");
			expect(universe.dataStores.requestCount({ service: "MessagingService", server: a.server }) >= 2).to.equal(
				true,
			);
			universe.destroy();
		});
	});
};
