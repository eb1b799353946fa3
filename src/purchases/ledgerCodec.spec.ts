/// <reference types="@rbxts/testez/globals" />
import type { RawSaveData } from "../protocol/format";
import { addPurchase, completePurchase, markPurchase, purchaseAt } from "./ledger";
import { decodeGift, decodePurchase, encodeGift, encodePurchase, GiftEntry, PurchaseEntry } from "./ledgerCodec";

const T = 1_700_000_000;

/**
 * Stored purchase records as SessionLocker v13 and this library write them, oldest variants first: v13's complete
 * triple, v13's incomplete multi-save (mark 1, no recipient), then a gift's intent (mark 2) and a gift whose buyer's
 * half is applied (mark 1), both with the recipient's key.
 */
const STORED_PURCHASES: Array<Array<unknown>> = [
	[123, "v13-complete", T],
	[123, "v13-incomplete", T, 1],
	[456, "gift-intent", T + 5, 2, "789"],
	[456, "gift-buyer-half", T + 6, 1, "789"],
];

const STORED_GIFTS: Array<Array<unknown>> = [[456, "gift-buyer-half", T + 7]];

function sameList(actual: unknown, expected: Array<unknown>): boolean {
	if (!typeIs(actual, "table")) return false;
	const list = actual as Array<unknown>;
	if (list.size() !== expected.size()) return false;
	for (let i = 0; i < expected.size(); i++) if (list[i] !== expected[i]) return false;
	return true;
}

function samePurchase(a: PurchaseEntry | undefined, b: PurchaseEntry): boolean {
	return (
		a !== undefined &&
		a.ProductId === b.ProductId &&
		a.PurchaseId === b.PurchaseId &&
		a.Timestamp === b.Timestamp &&
		a.Mark === b.Mark &&
		a.RecipientKey === b.RecipientKey
	);
}

export = () => {
	describe("ledgerCodec: named fields <-> the stored v13 tuples", () => {
		it("encode(decode(stored)) is the stored record, for every stored variant", () => {
			for (const stored of STORED_PURCHASES) {
				const entry = decodePurchase(stored);
				expect(entry).to.be.ok();
				expect(sameList(encodePurchase(entry!), stored)).to.equal(true);
			}
			for (const stored of STORED_GIFTS) {
				expect(sameList(encodeGift(decodeGift(stored)!), stored)).to.equal(true);
			}
		});

		it("names the stored positions", () => {
			const entry = decodePurchase([456, "gift-intent", T + 5, 2, "789"])!;
			expect(entry.ProductId).to.equal(456);
			expect(entry.PurchaseId).to.equal("gift-intent");
			expect(entry.Timestamp).to.equal(T + 5);
			expect(entry.Mark).to.equal(2);
			expect(entry.RecipientKey).to.equal("789");
			const v13 = decodePurchase([123, "v13-complete", T])!;
			expect(v13.Mark).to.equal(undefined);
			expect(v13.RecipientKey).to.equal(undefined);
			const gift = decodeGift([456, "g", T])!;
			expect(gift.ProductId).to.equal(456);
			expect(gift.PurchaseId).to.equal("g");
			expect(gift.Timestamp).to.equal(T);
		});

		it("decode(encode(entry)) is the entry, for every shape the library writes", () => {
			const entries: Array<PurchaseEntry> = [
				{ ProductId: 1, PurchaseId: "a", Timestamp: T, Mark: undefined, RecipientKey: undefined },
				{ ProductId: 1, PurchaseId: "b", Timestamp: T, Mark: 1, RecipientKey: undefined },
				{ ProductId: 1, PurchaseId: "c", Timestamp: T, Mark: 2, RecipientKey: "9" },
				{ ProductId: 1, PurchaseId: "d", Timestamp: T, Mark: 1, RecipientKey: "9" },
			];
			for (const entry of entries)
				expect(samePurchase(decodePurchase(encodePurchase(entry)), entry)).to.equal(true);
			const gift: GiftEntry = { ProductId: 2, PurchaseId: "g", Timestamp: T };
			const back = decodeGift(encodeGift(gift))!;
			expect(back.ProductId === 2 && back.PurchaseId === "g" && back.Timestamp === T).to.equal(true);
		});

		it("a complete record stores no recipient, so the stored array never has a hole", () => {
			const stored = encodePurchase({
				ProductId: 1,
				PurchaseId: "a",
				Timestamp: T,
				Mark: undefined,
				RecipientKey: "9",
			});
			expect(sameList(stored, [1, "a", T])).to.equal(true);
		});

		it("reads any other value in field 4 as v13 does (incomplete), and refuses what is not a record", () => {
			expect(decodePurchase([1, "x", T, true])!.Mark).to.equal(1);
			expect(decodePurchase("not a record")).to.equal(undefined);
			expect(decodePurchase([1, 2, T])).to.equal(undefined);
			expect(decodeGift(5)).to.equal(undefined);
		});

		it("the ledger writes exactly the codec's tuples as a gift moves from intent to complete", () => {
			const data: RawSaveData = {};
			addPurchase(data, 456, "gift", T, "789", 100, 2);
			expect(sameList(purchaseAt(data, 0), [456, "gift", T, 2, "789"])).to.equal(true);
			markPurchase(data, "gift", 1);
			expect(sameList(purchaseAt(data, 0), [456, "gift", T, 1, "789"])).to.equal(true);
			expect(completePurchase(data, "gift")).to.equal(true);
			expect(sameList(purchaseAt(data, 0), [456, "gift", T])).to.equal(true);
			addPurchase(data, 123, "plain", T, undefined, 100, 2);
			expect(sameList(purchaseAt(data, 1), [123, "plain", T])).to.equal(true);
		});
	});
};
