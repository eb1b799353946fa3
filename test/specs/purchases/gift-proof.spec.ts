/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { GIFT_BASE } from "./fixtures/Game";
import { addServer, joinAndLoad, marketplace, stored, storedGift, storedPurchase, worldWith } from "./helpers";

export = () => {
	describe("gift proof kept until the buyer's record is complete", () => {
		it("a gift saved on both sides, then a crash before the grant, then 100 other gifts to the recipient: the redelivered receipt applies it once", () => {
			const world = worldWith(1, { ApplyTimeout: 300 });
			const buyer = joinAndLoad(world, 0, 1);
			joinAndLoad(world, 0, 2);
			const purchase = marketplace(world).purchase(world.servers[0], buyer, GIFT_BASE + 2);
			const id = purchase.receipt.PurchaseId;
			expect(
				Kit.waitUntil(() => storedGift(world, 2, id) && storedPurchase(world, 1, id)?.[3] === 1, 20),
			).to.equal(true);
			world.servers[0].crash();
			expect(purchase.status()).to.equal("pending");
			// Before the buyer returns, the recipient receives 100 other gifts on another server: 99 are written
			// into its ledger here, the 100th is a real gift from player 3.
			const [server, g2] = addServer(world, { ApplyTimeout: 300 });
			Kit.advance(1900); // the crashed server's locks expire
			const entry = world.universe.dataStores.read("Players", "2")!;
			const value = entry.value as { GiftsReceived: Array<[number, string, number]>; Session?: unknown };
			const stamp = value.GiftsReceived[0][2];
			for (let i = 1; i <= 99; i++) value.GiftsReceived.push([GIFT_BASE + 2, `other-${i}`, stamp + i]);
			value.Session = undefined;
			world.universe.dataStores.write("Players", "2", value, { userIds: [2] });
			const third = server.addPlayer({ userId: 3 });
			server.addPlayer({ userId: 2 });
			expect(Kit.waitUntil(() => g2.loaded(2) && g2.loaded(3), 60)).to.equal(true);
			const other = marketplace(world).purchase(server, third, GIFT_BASE + 2);
			expect(Kit.waitUntil(() => other.status() === "granted", 60)).to.equal(true);
			expect(stored(world, 2)!.Gems).to.equal(10);
			// The buyer comes back; the crashed gift's receipt is delivered again.
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => purchase.status() === "granted", 300)).to.equal(true);
			Kit.advance(5);
			expect(stored(world, 2)!.Gems).to.equal(10);
			expect(stored(world, 1)!.GiftsSent).to.equal(1);
			world.universe.destroy();
		});
	});
};
