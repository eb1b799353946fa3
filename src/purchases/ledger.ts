/**
 * The purchase ledgers inside save data (pure functions; no services, no clocks except arguments).
 *
 * - `Purchases` (v13 format): `[ProductId, PurchaseId, Timestamp, IncompleteMultiSave?, RecipientKey?]`. Field 5
 *   is an addition: the DataStore key of a gift's recipient, present only while field 4 is set. v13 ignores it.
 * - `GiftsReceived` (additive field, in the recipient's data): `[ProductId, PurchaseId, Timestamp]` for every gift
 *   this key received. It is written in the same save as the gift's effect, so "this key already has the gift" is
 *   durable exactly when the effect is.
 */
import type { PurchaseRecord, RawSaveData } from "../protocol/format";

/** `[ProductId, PurchaseId, Timestamp (os.time)]` of a gift received from another player's purchase. */
export type GiftRecord = [ProductId: number, PurchaseId: string, Timestamp: number];

/** A purchase record with the additive recipient field. */
export type StoredPurchaseRecord = [
	ProductId: number,
	PurchaseId: string,
	Timestamp: number,
	IncompleteMultiSave?: 1 | 2,
	RecipientKey?: string,
];

function listOf<V extends defined>(data: RawSaveData, field: string): Array<V> | undefined {
	const list = data[field];
	return typeIs(list, "table") ? (list as Array<V>) : undefined;
}

/** Index (0-based) of the purchase record with this PurchaseId, or -1. */
export function findPurchase(data: RawSaveData, purchaseId: string): number {
	const list = listOf<StoredPurchaseRecord>(data, "Purchases");
	if (list === undefined) return -1;
	for (let i = 0; i < list.size(); i++) {
		const record = list[i];
		if (typeIs(record, "table") && record[1] === purchaseId) return i;
	}
	return -1;
}

/** The record at `index` of `Purchases`. */
export function purchaseAt(data: RawSaveData, index: number): StoredPurchaseRecord {
	return (data.Purchases as Array<StoredPurchaseRecord>)[index];
}

/** True when the key's gift ledger has this PurchaseId. */
export function hasGift(data: RawSaveData, purchaseId: string): boolean {
	const list = listOf<GiftRecord>(data, "GiftsReceived");
	if (list === undefined) return false;
	for (const record of list) if (typeIs(record, "table") && record[1] === purchaseId) return true;
	return false;
}

/**
 * Appends to a bounded list, dropping the oldest entries that `removable` allows once it holds `limit` entries.
 * Incomplete multi-save records are never dropped: they are what makes a gift's retry safe.
 */
function appendBounded<V extends defined>(
	list: Array<V>,
	entry: V,
	limit: number,
	removable: (entry: V) => boolean,
): void {
	let i = 0;
	while (list.size() >= math.max(limit, 1) && i < list.size()) {
		if (removable(list[i])) list.remove(i);
		else i += 1;
	}
	list.push(entry);
}

/** Adds a purchase record, keeping at most `limit` entries (oldest complete ones are dropped first). */
export function addPurchase(
	data: RawSaveData,
	productId: number,
	purchaseId: string,
	timestamp: number,
	recipientKey: string | undefined,
	limit: number,
	mark?: 1 | 2,
): void {
	let list = listOf<StoredPurchaseRecord>(data, "Purchases");
	if (list === undefined) {
		list = [];
		data.Purchases = list;
	}
	const record: StoredPurchaseRecord =
		recipientKey !== undefined
			? [productId, purchaseId, timestamp, mark ?? 1, recipientKey]
			: [productId, purchaseId, timestamp];
	appendBounded(list, record, limit, entry => !typeIs(entry, "table") || entry[3] === undefined);
}

/** Sets the incomplete mark of a gift's purchase record (2: intent only, 1: the buyer's half is applied). */
export function markPurchase(data: RawSaveData, purchaseId: string, mark: 1 | 2): void {
	const index = findPurchase(data, purchaseId);
	if (index >= 0) purchaseAt(data, index)[3] = mark;
}

/** Marks a gift's purchase record complete (drops fields 4 and 5). Returns true when it changed anything. */
export function completePurchase(data: RawSaveData, purchaseId: string): boolean {
	const index = findPurchase(data, purchaseId);
	if (index < 0) return false;
	const record = purchaseAt(data, index);
	if (record[3] === undefined && record[4] === undefined) return false;
	// Rebuilt rather than nil-ed in place, so the stored array never has a hole.
	(data.Purchases as Array<PurchaseRecord>)[index] = [record[0], record[1], record[2]];
	return true;
}

/** Adds a gift record to the recipient's ledger, keeping at most `limit` entries. */
export function addGift(data: RawSaveData, productId: number, purchaseId: string, timestamp: number, limit: number) {
	let list = listOf<GiftRecord>(data, "GiftsReceived");
	if (list === undefined) {
		list = [];
		data.GiftsReceived = list;
	}
	appendBounded<GiftRecord>(list, [productId, purchaseId, timestamp], limit, () => true);
}
