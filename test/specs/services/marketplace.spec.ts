/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer } from "../../kit";
import { errorOf, universeWith } from "./helpers";

function marketplace(server: KitServer) {
	return server.game.GetService("MarketplaceService");
}

// Platform checklist items 44–47: ProcessReceipt delivery.
export = () => {
	describe("MarketplaceService.ProcessReceipt (items 44–47)", () => {
		it("item 44: ProcessReceipt can be set but not read; assigning again replaces it", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = marketplace(server);
			let firstCalls = 0;
			let secondCalls = 0;
			service.ProcessReceipt = () => {
				firstCalls += 1;
				return Enum.ProductPurchaseDecision.NotProcessedYet;
			};
			expect(errorOf(() => service.ProcessReceipt)!.find("callback member", 1, true)[0]).never.to.equal(
				undefined,
			);
			service.ProcessReceipt = () => {
				secondCalls += 1;
				return Enum.ProductPurchaseDecision.PurchaseGranted;
			};
			const handle = universe.marketplace.purchase(server, server.addPlayer(), 10);
			Kit.flush();
			expect(firstCalls).to.equal(0);
			expect(secondCalls).to.equal(1);
			expect(handle.status()).to.equal("granted");
			universe.destroy();
		});

		it("item 44: with no handler a receipt is acknowledged and never replayed", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const handle = universe.marketplace.purchase(server, server.addPlayer(), 10);
			expect(handle.status()).to.equal("granted");
			expect(handle.invocations()).to.equal(0);
			expect(universe.marketplace.pending().size()).to.equal(0);
			universe.destroy();
		});

		it("item 45: the receipt carries PurchaseId, PlayerId, ProductId, PlaceIdWherePurchased, CurrencySpent, CurrencyType, channel", () => {
			const universe = universeWith({ placeId: 4242 });
			const server = universe.startServer();
			let seen: ReceiptInfo | undefined;
			marketplace(server).ProcessReceipt = info => {
				seen = info;
				return Enum.ProductPurchaseDecision.PurchaseGranted;
			};
			const player = server.addPlayer({ userId: 555 });
			const handle = universe.marketplace.purchase(server, player, 77, { price: 25 });
			expect(seen).never.to.equal(undefined);
			expect(seen!.PurchaseId).to.equal(handle.receipt.PurchaseId);
			expect(seen!.PlayerId).to.equal(555);
			expect(seen!.ProductId).to.equal(77);
			expect(seen!.PlaceIdWherePurchased).to.equal(4242);
			expect(seen!.CurrencySpent).to.equal(25);
			expect(seen!.CurrencyType).to.equal(Enum.CurrencyType.Robux);
			expect(Enum.ProductPurchaseDecision.NotProcessedYet.Value).to.equal(0);
			expect(Enum.ProductPurchaseDecision.PurchaseGranted.Value).to.equal(1);
			universe.destroy();
		});

		it("item 46: an unresolved receipt is re-delivered on the next purchase on that server, and on joining any server; no timed retry", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			const seenOnA = new Array<number>();
			marketplace(a).ProcessReceipt = info => {
				seenOnA.push(info.ProductId);
				return Enum.ProductPurchaseDecision.NotProcessedYet;
			};
			marketplace(b).ProcessReceipt = () => Enum.ProductPurchaseDecision.PurchaseGranted;
			const player = a.addPlayer({ userId: 9 });
			Kit.advance(1); // let the join delivery (nothing pending yet) pass
			const first = universe.marketplace.purchase(a, player, 1);
			expect(first.invocations()).to.equal(1);
			Kit.advance(600);
			expect(first.invocations()).to.equal(1);
			expect(first.status()).to.equal("pending");
			// A new purchase on the same server delivers both.
			const second = universe.marketplace.purchase(a, player, 2);
			expect(first.invocations()).to.equal(2);
			expect(second.invocations()).to.equal(1);
			expect(universe.marketplace.pending().size()).to.equal(2);
			expect(seenOnA.size()).to.equal(3);
			// Joining another server delivers the unresolved receipts there.
			b.addPlayer({ userId: 9 });
			Kit.advance(1);
			expect(first.status()).to.equal("granted");
			expect(second.status()).to.equal("granted");
			expect(universe.marketplace.granted().size()).to.equal(2);
			expect(universe.marketplace.pending().size()).to.equal(0);
			universe.destroy();
		});

		it("item 46 (receiptReinvocation off, the pre-2025 rule): a receipt is not re-invoked on a server while it runs there, but can run concurrently on two servers", () => {
			const universe = universeWith({ receiptReinvocation: false });
			const a = universe.startServer();
			const b = universe.startServer();
			let runningNow = 0;
			let maxConcurrent = 0;
			const slow = () => {
				runningNow += 1;
				maxConcurrent = math.max(maxConcurrent, runningNow);
				task.wait(10);
				runningNow -= 1;
				return Enum.ProductPurchaseDecision.PurchaseGranted;
			};
			marketplace(a).ProcessReceipt = slow;
			marketplace(b).ProcessReceipt = slow;
			const player = a.addPlayer({ userId: 3 });
			const first = universe.marketplace.purchase(a, player, 1);
			universe.marketplace.purchase(a, player, 2);
			expect(first.invocations()).to.equal(1);
			b.addPlayer({ userId: 3 });
			Kit.advance(1);
			expect(first.invocations()).to.equal(2);
			expect(maxConcurrent >= 2).to.equal(true);
			// A yielding callback's late result is still accepted.
			Kit.advance(15);
			expect(first.status()).to.equal("granted");
			universe.destroy();
		});

		it("item 47: errors and non-enum returns count as NotProcessedYet; a grant is recorded after the player left", () => {
			const universe = universeWith();
			const server = universe.startServer({ stayOpenWhenEmpty: true }); // as if other players stayed
			let mode = "error";
			marketplace(server).ProcessReceipt = () => {
				if (mode === "error") throw "handler failed";
				if (mode === "junk") return true as unknown as Enum.ProductPurchaseDecision;
				task.wait(5);
				return Enum.ProductPurchaseDecision.PurchaseGranted;
			};
			const player = server.addPlayer({ userId: 4 });
			const handle = universe.marketplace.purchase(server, player, 1);
			Kit.flush();
			expect(handle.status()).to.equal("pending");
			expect(server.outputOf("error")[0].find("handler failed", 1, true)[0]).never.to.equal(undefined);
			mode = "junk";
			universe.marketplace.purchase(server, player, 2);
			Kit.flush();
			expect(handle.status()).to.equal("pending");
			mode = "slow";
			universe.marketplace.purchase(server, player, 3);
			server.removePlayer(player);
			Kit.advance(6);
			expect(handle.status()).to.equal("granted");
			universe.destroy();
		});

		it("item 47: a PurchaseGranted that fails to record leaves the receipt unresolved", () => {
			const universe = universeWith();
			const server = universe.startServer();
			marketplace(server).ProcessReceipt = () => Enum.ProductPurchaseDecision.PurchaseGranted;
			universe.marketplace.failRecording(1);
			const player = server.addPlayer();
			const handle = universe.marketplace.purchase(server, player, 1);
			expect(handle.status()).to.equal("pending");
			universe.marketplace.purchase(server, player, 2);
			expect(handle.status()).to.equal("granted");
			expect(handle.invocations()).to.equal(2);
			universe.destroy();
		});

		it("item 48: a bound DeveloperProduct receipt handler takes precedence; unmatched products fall through", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = marketplace(server);
			const viaCallback = new Array<number>();
			const viaBinding = new Array<number>();
			service.ProcessReceipt = info => {
				viaCallback.push(info.ProductId);
				return Enum.ProductPurchaseDecision.PurchaseGranted;
			};
			const connection = service.BindReceiptHandler(
				Enum.ReceiptType.DeveloperProduct,
				(info: ReceiptInfo) => {
					viaBinding.push(info.ProductId);
					return Enum.ReceiptDecision.Processed;
				},
				[1],
			);
			const player = server.addPlayer();
			const bound = universe.marketplace.purchase(server, player, 1);
			const other = universe.marketplace.purchase(server, player, 2);
			expect(viaBinding.join(",")).to.equal("1");
			expect(viaCallback.join(",")).to.equal("2");
			expect(bound.status()).to.equal("granted");
			expect(other.status()).to.equal("granted");
			connection.Disconnect();
			universe.marketplace.purchase(server, player, 1);
			expect(viaCallback.join(",")).to.equal("2,1");
			universe.destroy();
		});

		it("ProcessReceipt is invoked again, concurrently, on the same server for an unresolved receipt on each new purchase and each join (creator-docs MarketplaceService.ProcessReceipt, January 2025 revision)", () => {
			const universe = universeWith();
			const server = universe.startServer({ stayOpenWhenEmpty: true });
			let runningNow = 0;
			let maxConcurrent = 0;
			marketplace(server).ProcessReceipt = () => {
				runningNow += 1;
				maxConcurrent = math.max(maxConcurrent, runningNow);
				task.wait(10);
				runningNow -= 1;
				return Enum.ProductPurchaseDecision.PurchaseGranted;
			};
			const player = server.addPlayer({ userId: 5 });
			Kit.advance(1); // the join's delivery finds nothing yet
			const first = universe.marketplace.purchase(server, player, 1);
			expect(first.invocations()).to.equal(1);
			// A new purchase delivers every unresolved receipt again, the first one included, although it still runs.
			const second = universe.marketplace.purchase(server, player, 2);
			expect(first.invocations()).to.equal(2);
			expect(second.invocations()).to.equal(1);
			expect(maxConcurrent).to.equal(3);
			// So does a rejoin, on the same server.
			server.removePlayer(player);
			server.addPlayer({ userId: 5 });
			Kit.advance(1);
			expect(first.invocations()).to.equal(3);
			expect(second.invocations()).to.equal(2);
			Kit.advance(12);
			expect(first.status()).to.equal("granted");
			expect(second.status()).to.equal("granted");
			universe.destroy();
		});

		it("BindReceiptHandler throws for a second catch-all or a second handler for the same product (creator-docs MarketplaceService:BindReceiptHandler, Errors)", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = marketplace(server);
			const processed = () => Enum.ReceiptDecision.Processed;
			const catchAll = service.BindReceiptHandler(Enum.ReceiptType.DeveloperProduct, processed);
			const again = errorOf(() => service.BindReceiptHandler(Enum.ReceiptType.DeveloperProduct, processed));
			expect(
				again!.find(
					"A catch-all receipt handler is already bound for ReceiptType.DeveloperProduct",
					1,
					true,
				)[0],
			).never.to.equal(undefined);
			service.BindReceiptHandler(Enum.ReceiptType.DeveloperProduct, processed, [1, 2]);
			const overlap = errorOf(() =>
				service.BindReceiptHandler(Enum.ReceiptType.DeveloperProduct, processed, [3, 2]),
			);
			expect(
				overlap!.find("already bound for ReceiptType.DeveloperProduct and product 2", 1, true)[0],
			).never.to.equal(undefined);
			// Other receipt types are separate, and Disconnect frees the slot.
			expect(errorOf(() => service.BindReceiptHandler(Enum.ReceiptType.RobuxTransferSender, processed))).to.equal(
				undefined,
			);
			catchAll.Disconnect();
			expect(errorOf(() => service.BindReceiptHandler(Enum.ReceiptType.DeveloperProduct, processed))).to.equal(
				undefined,
			);
			universe.destroy();
		});

		it("a product-filtered handler takes precedence over the catch-all, whichever was bound first (creator-docs MarketplaceService:BindReceiptHandler)", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = marketplace(server);
			const log = new Array<string>();
			service.BindReceiptHandler(
				Enum.ReceiptType.DeveloperProduct,
				(info: ReceiptInfo) => {
					log.push(`filtered ${info.ProductId}`);
					return Enum.ReceiptDecision.Processed;
				},
				[7],
			);
			service.BindReceiptHandler(Enum.ReceiptType.DeveloperProduct, (info: ReceiptInfo) => {
				log.push(`catch-all ${info.ProductId}`);
				return Enum.ReceiptDecision.Processed;
			});
			const player = server.addPlayer();
			universe.marketplace.purchase(server, player, 7);
			universe.marketplace.purchase(server, player, 8);
			expect(log.join(",")).to.equal("filtered 7,catch-all 8");
			universe.destroy();
		});
	});
};
