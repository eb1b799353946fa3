/// <reference types="@rbxts/testez/globals" />
import { addGift, addPurchase, findPurchase, GIFT_PROOF_RETENTION, hasGift } from "../../../src/purchases/ledger";

const DAY = 24 * 3600;

export = () => {
	describe("purchase ledgers never evict a proof that a retry still needs", () => {
		it("a recipient keeps a gift's proof whatever it received meanwhile, for the documented window", () => {
			const data: { [key: string]: unknown } = {};
			const t0 = 1_780_000_000;
			addGift(data, 9, "crashed-gift", t0, 100);
			// 100 other gifts on another server before the buyer comes back.
			for (let i = 1; i <= 100; i++) addGift(data, 9, `other-${i}`, t0 + i * 60, 100);
			expect(hasGift(data, "crashed-gift")).to.equal(true);
			// Beyond the window (and the count limit), old proofs go, oldest first.
			addGift(data, 9, "much-later", t0 + GIFT_PROOF_RETENTION + DAY, 100);
			expect(hasGift(data, "crashed-gift")).to.equal(false);
			expect(hasGift(data, "much-later")).to.equal(true);
			expect(GIFT_PROOF_RETENTION >= 30 * DAY).to.equal(true);
		});

		it("more than PurchaseHistoryLimit receipts between two saves never evict a record that is not saved yet", () => {
			const data: { [key: string]: unknown } = {};
			for (let i = 1; i <= 100; i++) addPurchase(data, 1, `saved-${i}`, i, undefined, 100);
			// 101 purchases applied before the next save: all are pending (unsaved) until it lands.
			const pending = new Set<string>();
			for (let i = 1; i <= 101; i++) {
				pending.add(`new-${i}`);
				addPurchase(data, 1, `new-${i}`, 1000 + i, undefined, 100, undefined, id => pending.has(id));
			}
			for (let i = 1; i <= 101; i++) expect(findPurchase(data, `new-${i}`) >= 0).to.equal(true);
			// Saved records are the ones dropped, oldest first.
			expect(findPurchase(data, "saved-1")).to.equal(-1);
		});
	});
};
