/**
 * The purchase ledgers inside save data (pure functions; no services, no clocks except arguments).
 *
 * - `Purchases` (v13 format): `[ProductId, PurchaseId, Timestamp, IncompleteMultiSave?, RecipientKey?]`. Field 5
 *   is an addition: the DataStore key of a gift's recipient, present only while field 4 is set. v13 ignores it.
 * - `GiftsReceived` (additive field, in the recipient's data): `[ProductId, PurchaseId, Timestamp]` for every gift
 *   this key received. It is written in the same save as the gift's effect, so "this key already has the gift" is
 *   durable exactly when the effect is. A missing entry is read as "the gift never landed here", so entries are
 *   bounded by age (`GIFT_PROOF_RETENTION`), never by count alone: a buyer's record may stay incomplete until the
 *   buyer's receipt is delivered again, however many gifts the recipient receives meanwhile.
 */
import type { PurchaseRecord, RawSaveData } from "../protocol/format";

/**
 * Seconds a recipient keeps the proof of a gift (90 days), whatever the count limit: a gift interrupted between its
 * two saves is applied exactly once if the buyer's receipt is delivered again within this window. Older proofs are
 * dropped, oldest first, only once the list holds `PurchaseHistoryLimit` entries.
 */
export const GIFT_PROOF_RETENTION = 90 * 24 * 3600;

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

/**
 * Adds a purchase record, keeping at most `limit` entries where possible: the oldest complete records are dropped
 * first, never an incomplete gift record and never one `unsaved` names (a record applied since the last save: if it
 * were dropped before the save, the save could not prove the purchase and a second delivery would apply it again).
 */
export function addPurchase(
	data: RawSaveData,
	productId: number,
	purchaseId: string,
	timestamp: number,
	recipientKey: string | undefined,
	limit: number,
	mark?: 1 | 2,
	unsaved?: (purchaseId: string) => boolean,
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
	appendBounded(
		list,
		record,
		limit,
		entry =>
			!typeIs(entry, "table") ||
			(entry[3] === undefined && (unsaved === undefined || !unsaved(entry[1] as string))),
	);
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

/**
 * Adds a gift record to the recipient's ledger (`timestamp` is now, os.time). Once it holds `limit` entries, only
 * entries older than `GIFT_PROOF_RETENTION` are dropped, oldest first; younger ones are kept beyond the limit.
 */
export function addGift(data: RawSaveData, productId: number, purchaseId: string, timestamp: number, limit: number) {
	let list = listOf<GiftRecord>(data, "GiftsReceived");
	if (list === undefined) {
		list = [];
		data.GiftsReceived = list;
	}
	appendBounded<GiftRecord>(
		list,
		[productId, purchaseId, timestamp],
		limit,
		entry => !typeIs(entry, "table") || !typeIs(entry[2], "number") || timestamp - entry[2] > GIFT_PROOF_RETENTION,
	);
}
