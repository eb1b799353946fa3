/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { FAILS, GIFT_BASE, GOLD } from "./fixtures/Game";
import {
	addServer,
	hasReport,
	joinAndLoad,
	marketplace,
	stored,
	storedGift,
	storedPurchase,
	totalOf,
	worldWith,
} from "./helpers";

export = () => {
	describe("ProductPurchaser: exactly-once purchases", () => {
		it("grants only after a save holding both the effect and the purchase record committed", () => {
			const world = worldWith(1);
			const player = joinAndLoad(world, 0, 1);
			const hold = world.universe.dataStores.hold("1");
			const purchase = marketplace(world).purchase(world.servers[0], player, GOLD);
			Kit.advance(3);
			expect(world.games[0].counters.goldApplies).to.equal(1);
			expect(purchase.status()).to.equal("pending");
			expect(stored(world, 1)!.Gold).to.equal(0);
			hold.release();
			expect(Kit.waitUntil(() => purchase.status() === "granted", 20)).to.equal(true);
			const data = stored(world, 1)!;
			expect(data.Gold).to.equal(10);
			expect(data.RobuxSpent).to.equal(100);
			expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)).to.be.ok();
			expect(world.games[0].counters.goldApplies).to.equal(1);
			expect(world.games[0].counters.records).to.equal(1);
			world.universe.destroy();
		});

		for (const mode of ["error", "commit-then-error", "drop-then-ok"] as const) {
			it(`a save failing with "${mode}" is retried; the purchase is applied and saved exactly once`, () => {
				const world = worldWith(1);
				const player = joinAndLoad(world, 0, 1);
				world.universe.dataStores.addFault({
					method: "UpdateAsync",
					key: "1",
					mode,
					count: 1,
					message: "502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
				});
				const purchase = marketplace(world).purchase(world.servers[0], player, GOLD);
				expect(Kit.waitUntil(() => purchase.status() === "granted", 60)).to.equal(true);
				// The grant must already be durable: nothing may depend on a later save.
				const data = stored(world, 1)!;
				expect(data.Gold).to.equal(10);
				expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)).to.be.ok();
				expect(world.games[0].counters.goldApplies).to.equal(1);
				if (mode === "drop-then-ok") {
					// Caught by the purchaser's read-back, or first by the locker's (VerifyAwaitedSaves, on by default).
					const caught =
						hasReport(world.games[0], "purchase_save_not_found") ||
						hasReport(world.games[0], "reading it back did not find it");
					expect(caught).to.equal(true);
				}
				world.universe.destroy();
			});
		}

		it("a receipt delivered again on the same server is acknowledged without a second apply", () => {
			const world = worldWith(1);
			const player = joinAndLoad(world, 0, 1);
			// Roblox fails to record the first grant: the receipt stays unresolved (item 47).
			marketplace(world).failRecording(1);
			const first = marketplace(world).purchase(world.servers[0], player, GOLD);
			expect(Kit.waitUntil(() => world.games[0].counters.granted === 1, 20)).to.equal(true);
			expect(first.status()).to.equal("pending");
			// A new purchase delivers every unresolved receipt again (item 46).
			const second = marketplace(world).purchase(world.servers[0], player, GOLD);
			expect(Kit.waitUntil(() => first.status() === "granted" && second.status() === "granted", 30)).to.equal(
				true,
			);
			expect(first.invocations()).to.equal(2);
			expect(world.games[0].counters.goldApplies).to.equal(2);
			expect(stored(world, 1)!.Gold).to.equal(20);
			world.universe.destroy();
		});

		it("crash after the save but before the grant: another server acknowledges it without applying", () => {
			const world = worldWith(1, { ApplyTimeout: 200 });
			const player = joinAndLoad(world, 0, 1);
			marketplace(world).failRecording(1);
			const purchase = marketplace(world).purchase(world.servers[0], player, GOLD);
			expect(Kit.waitUntil(() => world.games[0].counters.granted === 1, 20)).to.equal(true);
			world.servers[0].crash();
			expect(purchase.status()).to.equal("pending");
			expect(stored(world, 1)!.Gold).to.equal(10);
			const [server, g2] = addServer(world, { ApplyTimeout: 200 });
			server.addPlayer({ userId: 1 });
			// The crashed server's lock must go stale first (SessionExpiry 60 s); the handler waits for the load.
			expect(Kit.waitUntil(() => purchase.status() === "granted", 200)).to.equal(true);
			expect(g2.counters.goldApplies).to.equal(0);
			expect(stored(world, 1)!.Gold).to.equal(10);
			world.universe.destroy();
		});

		it("crash in the moment between the committed save and the grant: another server grants without applying", () => {
			const world = worldWith(1, { ApplyTimeout: 200 });
			const player = joinAndLoad(world, 0, 1);
			const purchase = marketplace(world).purchase(world.servers[0], player, GOLD);
			expect(
				Kit.waitUntil(() => storedPurchase(world, 1, purchase.receipt.PurchaseId) !== undefined, 20),
			).to.equal(true);
			world.servers[0].crash();
			expect(purchase.status()).to.equal("pending");
			const [server, g2] = addServer(world, { ApplyTimeout: 200 });
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => purchase.status() === "granted", 200)).to.equal(true);
			expect(g2.counters.goldApplies).to.equal(0);
			expect(stored(world, 1)!.Gold).to.equal(10);
			world.universe.destroy();
		});

		it("crash between apply and save: the next server applies it once", () => {
			const world = worldWith(1, { ApplyTimeout: 200 });
			const player = joinAndLoad(world, 0, 1);
			const hold = world.universe.dataStores.hold("1");
			const purchase = marketplace(world).purchase(world.servers[0], player, GOLD);
			expect(Kit.waitUntil(() => world.games[0].counters.goldApplies === 1, 10)).to.equal(true);
			world.servers[0].crash();
			hold.release();
			Kit.advance(1);
			expect(stored(world, 1)!.Gold).to.equal(0);
			const [server, g2] = addServer(world, { ApplyTimeout: 200 });
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => purchase.status() === "granted", 200)).to.equal(true);
			expect(g2.counters.goldApplies).to.equal(1);
			expect(stored(world, 1)!.Gold).to.equal(10);
			expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)).to.be.ok();
			world.universe.destroy();
		});

		it("two servers processing the same receipt at once: one applies, the other answers NotProcessedYet", () => {
			const world = worldWith(2, { ApplyTimeout: 5 });
			const player = joinAndLoad(world, 0, 1);
			const hold = world.universe.dataStores.hold("1");
			const purchase = marketplace(world).purchase(world.servers[0], player, GOLD);
			expect(Kit.waitUntil(() => world.games[0].counters.goldApplies === 1, 10)).to.equal(true);
			// The same player shows up on a second server while the first is still saving.
			world.servers[1].addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => world.games[1].counters.notProcessed >= 1, 20)).to.equal(true);
			expect(purchase.invocations()).to.equal(2);
			hold.release();
			expect(Kit.waitUntil(() => purchase.status() === "granted", 20)).to.equal(true);
			expect(totalOf(world, g => g.counters.goldApplies)).to.equal(1);
			expect(stored(world, 1)!.Gold).to.equal(10);
			world.universe.destroy();
		});

		it("a failed apply gives one product credit, saved with the purchase record; callbacks fire on real changes only", () => {
			const world = worldWith(1);
			const player = joinAndLoad(world, 0, 1);
			const purchase = marketplace(world).purchase(world.servers[0], player, FAILS);
			expect(Kit.waitUntil(() => purchase.status() === "granted", 20)).to.equal(true);
			const data = stored(world, 1)!;
			expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)).to.be.ok();
			const credit = (data as unknown as { ProductCredit: Array<[number, number]> }).ProductCredit;
			expect(credit.size()).to.equal(1);
			expect(credit[0][0]).to.equal(FAILS);
			expect(credit[0][1]).to.equal(1);
			const g2 = world.games[0];
			const ls = g2.locker(1)!;
			expect(g2.counters.creditChanges.size()).to.equal(1);
			// B7: using more credit than stored changes nothing and fires nothing.
			expect(ls.ProductCreditUse(FAILS, 2)).to.equal(false);
			expect(g2.counters.creditChanges.size()).to.equal(1);
			expect(ls.ProductCreditUse(FAILS, 1)).to.equal(true);
			expect(g2.counters.creditChanges[1]).to.equal(-1);
			world.universe.destroy();
		});
	});

	describe("ProductPurchaser: shutdown", () => {
		it("ProcessReceiptBind's BindToClose waits for a purchase in flight; it is saved and granted before the server closes", () => {
			const world = worldWith(1, { Bind: true });
			const player = joinAndLoad(world, 0, 1);
			const hold = world.universe.dataStores.hold("1");
			const purchase = marketplace(world).purchase(world.servers[0], player, GOLD);
			expect(Kit.waitUntil(() => world.games[0].counters.goldApplies === 1, 10)).to.equal(true);
			world.servers[0].shutdown();
			Kit.advance(3);
			// The purchase cannot save yet, so the server is still closing.
			expect(world.servers[0].isClosed).to.equal(false);
			expect(purchase.status()).to.equal("pending");
			hold.release();
			expect(Kit.waitUntil(() => world.servers[0].isClosed, 30)).to.equal(true);
			expect(purchase.status()).to.equal("granted");
			const data = stored(world, 1)!;
			expect(data.Gold).to.equal(10);
			expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)).to.be.ok();
			world.universe.destroy();
		});
	});

	describe("ProductPurchaser: gifts exactly once for both players", () => {
		it("a gift lands in the recipient's data with a gift record, and in the buyer's with the purchase record", () => {
			const world = worldWith(1);
			const buyer = joinAndLoad(world, 0, 1);
			joinAndLoad(world, 0, 2);
			const purchase = marketplace(world).purchase(world.servers[0], buyer, GIFT_BASE + 2);
			expect(Kit.waitUntil(() => purchase.status() === "granted", 20)).to.equal(true);
			expect(stored(world, 2)!.Gems).to.equal(5);
			expect(storedGift(world, 2, purchase.receipt.PurchaseId)).to.equal(true);
			expect(stored(world, 1)!.GiftsSent).to.equal(1);
			// Both halves durable: the buyer's "incomplete" mark is cleared by a follow-up save.
			expect(
				Kit.waitUntil(() => {
					const record = storedPurchase(world, 1, purchase.receipt.PurchaseId);
					return record !== undefined && record[3] === undefined && record[4] === undefined;
				}, 20),
			).to.equal(true);
			world.universe.destroy();
		});

		it("crash after the buyer's save but before the recipient's: the retry gives the recipient its gift once and the buyer nothing more", () => {
			const world = worldWith(1, { ApplyTimeout: 200 });
			const buyer = joinAndLoad(world, 0, 1);
			joinAndLoad(world, 0, 2);
			const hold = world.universe.dataStores.hold("2");
			const purchase = marketplace(world).purchase(world.servers[0], buyer, GIFT_BASE + 2);
			// Mark 1: the buyer's half is saved (mark 2 would be the intent alone).
			expect(Kit.waitUntil(() => storedPurchase(world, 1, purchase.receipt.PurchaseId)?.[3] === 1, 20)).to.equal(
				true,
			);
			world.servers[0].crash();
			hold.release();
			expect(stored(world, 1)!.GiftsSent).to.equal(1);
			expect(stored(world, 2)!.Gems).to.equal(0);
			const [server, g2] = addServer(world, { ApplyTimeout: 200 });
			server.addPlayer({ userId: 2 });
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => purchase.status() === "granted", 200)).to.equal(true);
			expect(g2.counters.giftApplies).to.equal(1);
			expect(stored(world, 2)!.Gems).to.equal(5);
			expect(stored(world, 1)!.GiftsSent).to.equal(1);
			expect(storedGift(world, 2, purchase.receipt.PurchaseId)).to.equal(true);
			world.universe.destroy();
		});

		it("crash after the recipient's save but before the buyer's: the retry gives the buyer its half once and the recipient nothing more", () => {
			const world = worldWith(1, { ApplyTimeout: 200 });
			const buyer = joinAndLoad(world, 0, 1);
			joinAndLoad(world, 0, 2);
			// The buyer's intent save goes through; every later write of the buyer fails.
			world.universe.dataStores.addFault({ key: "1", mode: "error", count: math.huge, after: 1 });
			const purchase = marketplace(world).purchase(world.servers[0], buyer, GIFT_BASE + 2);
			expect(Kit.waitUntil(() => storedGift(world, 2, purchase.receipt.PurchaseId), 20)).to.equal(true);
			world.servers[0].crash();
			world.universe.dataStores.clearFaults();
			expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)![3]).to.equal(2);
			expect(stored(world, 2)!.Gems).to.equal(5);
			expect(stored(world, 1)!.GiftsSent).to.equal(0);
			const [server, g2] = addServer(world, { ApplyTimeout: 200 });
			server.addPlayer({ userId: 2 });
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => purchase.status() === "granted", 200)).to.equal(true);
			expect(g2.counters.giftApplies).to.equal(1);
			expect(stored(world, 2)!.Gems).to.equal(5);
			expect(stored(world, 1)!.GiftsSent).to.equal(1);
			expect(g2.counters.records).to.equal(1);
			world.universe.destroy();
		});

		it("an interrupted gift never turns into a credit: it waits until buyer and recipient share a server", () => {
			const world = worldWith(1, { ApplyTimeout: 300 });
			const buyer = joinAndLoad(world, 0, 1);
			joinAndLoad(world, 0, 2);
			// The intent is saved; after that no write of either player lands before the crash.
			world.universe.dataStores.addFault({ key: "1", mode: "error", count: math.huge, after: 1 });
			const hold = world.universe.dataStores.hold("2");
			const purchase = marketplace(world).purchase(world.servers[0], buyer, GIFT_BASE + 2);
			expect(Kit.waitUntil(() => world.games[0].counters.giftApplies === 1, 20)).to.equal(true);
			world.servers[0].crash();
			world.universe.dataStores.clearFaults();
			hold.release();
			expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)![3]).to.equal(2);
			const [server, g2] = addServer(world, { ApplyTimeout: 300 });
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => g2.loaded(1), 120)).to.equal(true);
			Kit.advance(10);
			// Alone, the buyer cannot learn whether the recipient's half landed: no apply, no credit, no grant.
			expect(purchase.status()).to.equal("pending");
			expect(hasReport(g2, "gift_recipient_unavailable")).to.equal(true);
			expect(g2.counters.giftApplies).to.equal(0);
			expect(g2.locker(1)!.ProductCreditQuery(GIFT_BASE + 2)).to.equal(0);
			server.addPlayer({ userId: 2 });
			expect(Kit.waitUntil(() => purchase.status() === "granted", 120)).to.equal(true);
			expect(stored(world, 2)!.Gems).to.equal(5);
			expect(stored(world, 1)!.GiftsSent).to.equal(1);
			expect(g2.locker(1)!.ProductCreditQuery(GIFT_BASE + 2)).to.equal(0);
			world.universe.destroy();
		});

		it("crash after both saves but before the grant: the retry applies nothing to either player", () => {
			const world = worldWith(1, { ApplyTimeout: 200 });
			const buyer = joinAndLoad(world, 0, 1);
			joinAndLoad(world, 0, 2);
			const purchase = marketplace(world).purchase(world.servers[0], buyer, GIFT_BASE + 2);
			expect(
				Kit.waitUntil(
					() =>
						storedGift(world, 2, purchase.receipt.PurchaseId) &&
						storedPurchase(world, 1, purchase.receipt.PurchaseId)?.[3] === 1,
					20,
				),
			).to.equal(true);
			// Crash at once, before the grant is returned: the buyer's record still carries the "incomplete" mark.
			world.servers[0].crash();
			expect(purchase.status()).to.equal("pending");
			expect(storedPurchase(world, 1, purchase.receipt.PurchaseId)![3]).to.equal(1);
			const [server, g2] = addServer(world, { ApplyTimeout: 200 });
			server.addPlayer({ userId: 2 });
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => purchase.status() === "granted", 200)).to.equal(true);
			expect(g2.counters.granted).to.equal(1);
			Kit.advance(5);
			expect(stored(world, 2)!.Gems).to.equal(5);
			expect(stored(world, 1)!.GiftsSent).to.equal(1);
			const record = storedPurchase(world, 1, purchase.receipt.PurchaseId)!;
			expect(record[3]).to.equal(undefined);
			world.universe.destroy();
		});
	});
};
