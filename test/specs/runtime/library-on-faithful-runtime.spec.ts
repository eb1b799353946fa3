/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsData, startWithStore, stored, universeWith } from "../easy/helpers";
import { joinAndLoad, stored as storedPlayer, worldWith } from "../purchases/helpers";
import type { LockerState } from "../../../src";

const COIN_PACK = 1001;

function grantCoins(op: string, _userData: object, productId: number, _receipt: unknown, ls: LockerState<CoinsData>) {
	if (op === "apply" && productId === COIN_PACK) ls.SaveData.Coins += 100;
	return true;
}

// The library on the behaviours where Roblox is harsher than a naive emulator: servers that close when empty, and
// ProcessReceipt invoked again while an earlier invocation still runs.
export = () => {
	describe("the library on the faithful runtime", () => {
		it("a player leaves the last occupied server, which closes with ServerEmpty, and the save still lands (creator-docs Enum.CloseReason.ServerEmpty)", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const player = server.addPlayer({ userId: 41 });
			expect(Kit.waitUntil(() => players.GetLoaded(41) !== undefined, 10)).to.equal(true);
			const profile = players.GetLoaded(41)!;
			profile.GetSaveData().Coins = 77;
			profile.MarkShouldSave();
			server.removePlayer(player);
			expect(Kit.waitUntil(() => server.isClosed, 40)).to.equal(true);
			expect((stored(universe, "41") as CoinsData).Coins).to.equal(77);
			universe.destroy();
		});

		it("ProcessReceipt invoked again, concurrently, on the same server applies the purchase once (creator-docs MarketplaceService.ProcessReceipt, January 2025 revision)", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			players.ProcessReceipts(grantCoins);
			const buyer = server.addPlayer({ userId: 42 });
			expect(Kit.waitUntil(() => players.GetLoaded(42) !== undefined, 10)).to.equal(true);
			// Saves hang, so the first invocation is still running when the next purchase re-invokes it.
			const hold = universe.dataStores.hold("42");
			const first = universe.marketplace.purchase(server, buyer, COIN_PACK);
			Kit.advance(1);
			const second = universe.marketplace.purchase(server, buyer, COIN_PACK);
			Kit.advance(1);
			universe.marketplace.purchase(server, buyer, COIN_PACK + 1);
			// At least once per purchase (and once more if the join delivery came after the first purchase).
			expect(first.invocations() >= 3).to.equal(true);
			hold.release();
			expect(Kit.waitUntil(() => first.status() === "granted" && second.status() === "granted", 60)).to.equal(
				true,
			);
			Kit.advance(10);
			expect((stored(universe, "42") as CoinsData).Coins).to.equal(200);
			expect(players.GetLoaded(42)!.GetSaveData().Coins).to.equal(200);
			universe.destroy();
		});

		it("remote changes are applied exactly once when every MessagingService delivery is lost (creator-docs MessagingService: delivery is best effort and not guaranteed)", () => {
			const world = worldWith(2);
			world.universe.messaging.setLossRate(1);
			joinAndLoad(world, 0, 1);
			world.games[1].send(1, 3);
			world.games[1].send(1, 4);
			expect(Kit.waitUntil(() => storedPlayer(world, 1)!.Gold === 7, 600)).to.equal(true);
			Kit.advance(30);
			expect(storedPlayer(world, 1)!.Gold).to.equal(7);
			expect(world.games[0].listener.NudgeCount).to.equal(0);
			expect(world.games[0].counters.remoteApplies).to.equal(2);
			expect(world.universe.messaging.lostCount() > 0).to.equal(true);
			world.universe.destroy();
		});
	});
};
