/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../test/kit";
import type { LockerError } from "../errors";
import { FakeDataStore } from "../gateway/FakeDataStore";
import { RequestGatewayCreate } from "../gateway/RequestGateway";
import { LockerCreate } from "../locker/LockerCreate";
import type { LockerSpec } from "../locker/LockerSpec";
import type { LockerState } from "../locker/LockerState";
import { LockersShutdown } from "../shutdown/LockersShutdown";
import type { SaveData } from "../protocol/format";
import { DummyPPP_FromIds, DummyPPP_FromReceiptInfo, DummyReceiptInfo_FromIds } from "./dummy";
import {
	addPurchase,
	completePurchase,
	findPurchase,
	GIFT_PROOF_RETENTION,
	hasGift,
	addGift,
	purchaseAt,
} from "./ledger";
import { ProcessReceiptCreate } from "./ProcessReceipt";
import { ProductPurchaserCreate } from "./ProductPurchaser";
import type { ProductProcessFunction, ReceiptInfo } from "./types";

interface Data extends SaveData {
	Gold: number;
	Gems: number;
}

/** One place, a fake backend that answers without yielding, and a clock the spec drives. */
class World {
	mono = 100;
	readonly store = new FakeDataStore({ Clock: () => this.mono * 1000 });
	readonly gateway = RequestGatewayCreate({ Clock: () => this.mono, PlaceId: 1, JobId: "A", Random: new Random(1) });
	readonly errors = new Array<LockerError>();
	readonly purchaser = ProductPurchaserCreate({ Clock: () => this.mono, ReportError: e => this.errors.push(e) });
	readonly lockers = new Array<LockerState<Data>>();
	readonly spec: LockerSpec<Data> = {
		DataStore: this.store,
		Gateway: this.gateway,
		SaveDataVersion: 1,
		SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0, Gems: 0 }),
		ReportDataStoreError: () => {},
	};
	locker(key: string): LockerState<Data> {
		const ls = LockerCreate(this.spec, key);
		ls.MarkShouldAcquire();
		this.lockers.push(ls);
		this.tick(3);
		return ls;
	}
	tick(frames = 1) {
		for (let i = 0; i < frames; i++) {
			for (const ls of this.lockers) if (!ls.IsDeleted) ls.SessionUpdate(this.mono);
			this.purchaser.Update();
			Kit.flush();
			this.mono += 0.1;
		}
	}
	stored(key: string): Data {
		const [value] = this.store.Read(key);
		return value as Data;
	}
	hasError(kind: string): boolean {
		for (const e of this.errors) if (e.Kind === kind) return true;
		return false;
	}
}

let nextId = 0;
function receipt(productId = 7): ReceiptInfo {
	nextId += 1;
	return { PurchaseId: `p${nextId}`, PlayerId: 1, ProductId: productId, PlaceIdWherePurchased: 1, CurrencySpent: 5 };
}

const gold: ProductProcessFunction<Data> = (op, _ud, _id, _receipt, ls) => {
	if (op === "apply") ls.SaveData.Gold += 10;
	return $tuple(true);
};

export = () => {
	describe("purchase ledger (stored format)", () => {
		it("keeps at most the limit, dropping the oldest complete records but never an incomplete gift record", () => {
			const data: { [key: string]: unknown } = {};
			addPurchase(data, 1, "gift", 0, "2", 3);
			for (let i = 1; i <= 5; i++) addPurchase(data, 1, `p${i}`, i, undefined, 3);
			const list = data.Purchases as Array<Array<unknown>>;
			expect(list.size()).to.equal(3);
			expect(findPurchase(data, "gift")).to.equal(0);
			expect(list[0][3]).to.equal(1);
			expect(list[0][4]).to.equal("2");
			expect(findPurchase(data, "p5")).to.equal(2);
			expect(findPurchase(data, "p3")).to.equal(-1);
			expect(completePurchase(data, "gift")).to.equal(true);
			expect(purchaseAt(data, 0).size()).to.equal(3);
			expect(completePurchase(data, "gift")).to.equal(false);
		});

		it("records gifts in the recipient's own ledger, bounded by age beyond the count limit", () => {
			const data: { [key: string]: unknown } = {};
			const old = GIFT_PROOF_RETENTION + 10;
			// Older than the window: dropped once the list is full.
			for (let i = 1; i <= 4; i++) addGift(data, 9, `g${i}`, i, 3);
			addGift(data, 9, "g5", old + 5, 3);
			expect(hasGift(data, "g1")).to.equal(false);
			expect(hasGift(data, "g5")).to.equal(true);
			expect((data.GiftsReceived as Array<unknown>).size()).to.equal(3);
		});
	});

	describe("ProductPurchaser", () => {
		it("refuses a dummy receipt (PurchaseId ''): false at once, reported, nothing applied", () => {
			const world = new World();
			const ls = world.locker("1");
			let result: boolean | undefined;
			const dummy = DummyPPP_FromIds(7, 1);
			expect(dummy.ReceiptInfo.PurchaseId).to.equal("");
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, dummy.ReceiptInfo, g => (result = g));
			Kit.flush();
			expect(result).to.equal(false);
			expect(world.hasError("purchase_invalid_receipt")).to.equal(true);
			expect(ls.SaveData.Gold).to.equal(0);
			expect(world.purchaser.HasIncompletePurchases()).to.equal(false);
			expect(DummyPPP_FromReceiptInfo(DummyReceiptInfo_FromIds(3, 4)).ReceiptInfo.ProductId).to.equal(3);
		});

		it("a second call for a PurchaseId in progress joins it instead of applying again", () => {
			const world = new World();
			const ls = world.locker("1");
			const r = receipt();
			const results = new Array<boolean>();
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, r, g => results.push(g));
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, r, g => results.push(g));
			world.tick(10);
			expect(results.size()).to.equal(2);
			expect(results[0] && results[1]).to.equal(true);
			expect(world.stored("1").Gold).to.equal(10);
			// Delivered again later: recognised from the saved record.
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, r, g => results.push(g));
			world.tick(3);
			expect(results[2]).to.equal(true);
			expect(ls.SaveData.Gold).to.equal(10);
		});

		it("reads the key back before granting, unless the locker already verifies awaited saves", () => {
			const world = new World();
			world.spec.VerifyAwaitedSaves = false; // the locker does not read back: the purchaser must
			const ls = world.locker("1");
			let result: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, receipt(), g => (result = g));
			world.tick(10);
			expect(result).to.equal(true);
			expect(world.gateway.RequestCountByOperation.get("UpdateAsync_VerifyPurchase")).to.equal(1);
			world.spec.VerifyAwaitedSaves = true;
			result = undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, receipt(), g => (result = g));
			world.tick(10);
			expect(result).to.equal(true);
			expect(world.gateway.RequestCountByOperation.get("UpdateAsync_VerifyPurchase")).to.equal(1);
			expect((world.gateway.RequestCountByOperation.get("UpdateAsync_Verify") ?? 0) >= 1).to.equal(true);
			expect(world.stored("1").Gold).to.equal(20);
		});

		it("a delivery for a rejoined player's new locker takes over a purchase not yet applied", () => {
			const world = new World();
			const stale = LockerCreate(world.spec, "1");
			const r = receipt();
			const results = new Array<boolean>();
			world.purchaser.CallWhenProductIsProcessedAndSaved(stale, gold, r, g => results.push(g));
			world.tick(2);
			const fresh = world.locker("1");
			world.purchaser.CallWhenProductIsProcessedAndSaved(fresh, gold, r, g => results.push(g));
			stale.MarkDeleted();
			world.tick(10);
			expect(results.size()).to.equal(2);
			expect(results[0] && results[1]).to.equal(true);
			expect(world.stored("1").Gold).to.equal(10);
		});

		it("a process function that throws is rolled back and retried later; the purchase applies once", () => {
			const world = new World();
			const ls = world.locker("1");
			let broken = true;
			const flaky: ProductProcessFunction<Data> = (op, _ud, _id, _r, target) => {
				if (op !== "apply") return $tuple(true);
				target.SaveData.Gold += 10;
				if (broken) error("bug in the game");
				return $tuple(true);
			};
			let result: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, flaky, receipt(), g => (result = g));
			world.tick(3);
			expect(world.hasError("process_function_failed")).to.equal(true);
			expect(ls.SaveData.Gold).to.equal(0);
			expect(result).to.equal(undefined);
			broken = false;
			world.tick(40);
			expect(result).to.equal(true);
			expect(world.stored("1").Gold).to.equal(10);
		});

		it("a gift whose recipient left gives the buyer a product credit instead, saved with the record", () => {
			const world = new World();
			const buyer = world.locker("1");
			const recipient = world.locker("2");
			recipient.MarkShouldRelease();
			world.tick(3);
			expect(recipient.IsIdling).to.equal(true);
			const giftTo: ProductProcessFunction<Data> = (op, _ud, _id, _r, _ls) => {
				if (op === "apply") recipient.SaveData.Gems += 5;
				return $tuple(true, recipient);
			};
			let result: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(buyer, giftTo, receipt(9), g => (result = g));
			world.tick(5);
			expect(result).to.equal(true);
			expect(world.hasError("gift_recipient_unavailable")).to.equal(true);
			expect(buyer.ProductCreditQuery(9)).to.equal(1);
			const stored = world.stored("1") as unknown as { ProductCredit: Array<[number, number]> };
			expect(stored.ProductCredit[0][1]).to.equal(1);
			expect(world.stored("2").Gems).to.equal(0);
		});

		it("a gift re-run whose process function does not name the recipient in validate is reported", () => {
			const world = new World();
			const buyer = world.locker("1");
			const recipient = world.locker("2");
			const r = receipt(9);
			// The recipient already has this gift (its half was saved before a crash); the buyer's record is missing.
			addGift(recipient.SaveData as unknown as { [key: string]: unknown }, 9, r.PurchaseId, 0, 100);
			const noValidate: ProductProcessFunction<Data> = (op, _ud, _id, _r, _ls) => {
				if (op === "validate") return $tuple(true);
				if (op === "apply") recipient.SaveData.Gems += 5;
				return $tuple(true, recipient);
			};
			let result: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(buyer, noValidate, r, g => (result = g));
			world.tick(8);
			expect(result).to.equal(true);
			expect(world.hasError("gift_recipient_not_validated")).to.equal(true);
		});

		it("the same re-run with validate naming the recipient rolls the recipient's repeat back", () => {
			const world = new World();
			const buyer = world.locker("1");
			const recipient = world.locker("2");
			const r = receipt(9);
			addGift(recipient.SaveData as unknown as { [key: string]: unknown }, 9, r.PurchaseId, 0, 100);
			recipient.SaveData.Gems = 5;
			const giftTo: ProductProcessFunction<Data> = (op, _ud, _id, _r, _ls) => {
				if (op === "apply") recipient.SaveData.Gems += 5;
				return $tuple(true, recipient);
			};
			let result: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(buyer, giftTo, r, g => (result = g));
			world.tick(8);
			expect(result).to.equal(true);
			expect(recipient.SaveData.Gems).to.equal(5);
			expect(world.stored("2").Gems).to.equal(5);
			expect(world.hasError("gift_recipient_not_validated")).to.equal(false);
		});

		it("a locker deleted before its data loaded answers false; Destroy answers false to everything pending", () => {
			const world = new World();
			const ls = LockerCreate(world.spec, "9");
			let first: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, receipt(), g => (first = g));
			world.tick(2);
			ls.MarkDeleted();
			world.tick(2);
			expect(first).to.equal(false);
			const other = LockerCreate(world.spec, "10");
			let second: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(other, gold, receipt(), g => (second = g));
			expect(world.purchaser.HasIncompletePurchases()).to.equal(true);
			world.purchaser.Destroy();
			Kit.flush();
			expect(second).to.equal(false);
			expect(world.purchaser.HasIncompletePurchases()).to.equal(false);
		});

		it("the ProcessReceipt handler answers NotProcessedYet when the data never loads, and gives up cleanly", () => {
			const world = new World();
			// Locked by another server: never loads here.
			world.store.Write("5", {
				Version: 1,
				VersionPatch: 0,
				Gold: 0,
				Gems: 0,
				Session: { PlaceId: 1, JobId: "B", LockId: 1, UpdatedAt: 0 },
			});
			const ls = LockerCreate(world.spec, "5");
			ls.MarkShouldAcquire();
			world.lockers.push(ls);
			const handler = ProcessReceiptCreate(world.purchaser, {
				GetLockerState: () => ls,
				ProcessFunction: gold,
				ApplyTimeout: 2,
				Clock: () => world.mono,
				Wait: () => world.tick(),
			});
			expect(handler(receipt())).to.equal(Enum.ProductPurchaseDecision.NotProcessedYet);
			expect(world.purchaser.HasIncompletePurchases()).to.equal(false);
			const none = ProcessReceiptCreate(world.purchaser, {
				GetLockerState: () => undefined,
				ProcessFunction: gold,
				LockerWaitTimeout: 1,
				Clock: () => world.mono,
				Wait: () => world.tick(),
			});
			expect(none(receipt())).to.equal(Enum.ProductPurchaseDecision.NotProcessedYet);
		});

		it("shutdown waits for a purchase in flight: the release save carries it, then it is granted", () => {
			const world = new World();
			const ls = world.locker("1");
			const release = world.store.Hold("1", "before");
			let result: boolean | undefined;
			world.purchaser.CallWhenProductIsProcessedAndSaved(ls, gold, receipt(), g => (result = g));
			world.tick(3);
			expect(world.purchaser.HasIncompletePurchases()).to.equal(true);
			let frames = 0;
			const finished = LockersShutdown(world.lockers, {
				Clock: () => world.mono,
				Deadline: world.mono + 25,
				UpdateLockers: false,
				IsBusy: () => world.purchaser.HasIncompletePurchases(),
				Wait: () => {
					frames += 1;
					if (frames === 5) release();
					world.tick();
				},
			});
			expect(finished).to.equal(true);
			expect(result).to.equal(true);
			expect(world.stored("1").Gold).to.equal(10);
			expect(world.stored("1").Session).to.equal(undefined);
		});
	});
};
