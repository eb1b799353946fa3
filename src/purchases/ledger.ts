/**
 * The purchase ledgers inside save data (pure functions; no services, no clocks except arguments). Entries are read
 * and written through `ledgerCodec`, which alone knows the stored tuple positions.
 *
 * - `Purchases` (v13 format): one record per purchase. A gift's record carries a mark and its recipient's key while
 *   the gift is under way; v13 ignores the key.
 * - `GiftsReceived` (additive field, in the recipient's data): one record for every gift this key received. It is
 *   written in the same save as the gift's effect, so "this key already has the gift" is durable exactly when the
 *   effect is. A missing entry is read as "the gift never landed here", so entries are bounded by age
 *   (`GIFT_PROOF_RETENTION`), never by count alone: a buyer's record may stay incomplete until the buyer's receipt
 *   is delivered again, however many gifts the recipient receives meanwhile.
 */
import type { RawSaveData } from "../protocol/format";
import {
	decodeGift,
	decodePurchase,
	encodeGift,
	encodePurchase,
	PurchaseEntry,
	PurchaseMark,
	StoredPurchaseRecord,
} from "./ledgerCodec";

export type { GiftRecord, StoredPurchaseRecord } from "./ledgerCodec";

/**
 * Seconds a recipient keeps the proof of a gift (90 days), whatever the count limit: a gift interrupted between its
 * two saves is applied exactly once if the buyer's receipt is delivered again within this window. Older proofs are
 * dropped, oldest first, only once the list holds `PurchaseHistoryLimit` entries.
 */
export const GIFT_PROOF_RETENTION = 90 * 24 * 3600;

function listOf(data: RawSaveData, field: "Purchases" | "GiftsReceived"): Array<defined> | undefined {
	const list = data[field];
	return typeIs(list, "table") ? (list as Array<defined>) : undefined;
}

function listFor(data: RawSaveData, field: "Purchases" | "GiftsReceived"): Array<defined> {
	const list = listOf(data, field);
	if (list !== undefined) return list;
	const created = new Array<defined>();
	data[field] = created;
	return created;
}

/** Index (0-based) of the purchase record with this PurchaseId, or -1. */
export function findPurchase(data: RawSaveData, purchaseId: string): number {
	const list = listOf(data, "Purchases");
	if (list === undefined) return -1;
	for (let i = 0; i < list.size(); i++) {
		if (decodePurchase(list[i])?.PurchaseId === purchaseId) return i;
	}
	return -1;
}

/** The stored record at `index` of `Purchases`, as stored. */
export function purchaseAt(data: RawSaveData, index: number): StoredPurchaseRecord {
	return (data.Purchases as Array<StoredPurchaseRecord>)[index];
}

/** @internal the purchase record with this PurchaseId, with named fields, or undefined */
export function purchaseEntry(data: RawSaveData, purchaseId: string): PurchaseEntry | undefined {
	const index = findPurchase(data, purchaseId);
	return index >= 0 ? decodePurchase(purchaseAt(data, index)) : undefined;
}

/** True when the key's gift ledger has this PurchaseId. */
export function hasGift(data: RawSaveData, purchaseId: string): boolean {
	const list = listOf(data, "GiftsReceived");
	if (list === undefined) return false;
	for (const record of list) if (decodeGift(record)?.PurchaseId === purchaseId) return true;
	return false;
}

/**
 * Appends to a bounded list, dropping the oldest entries that `removable` allows once it holds `limit` entries.
 * Incomplete multi-save records are never dropped: they are what makes a gift's retry safe.
 */
function appendBounded(list: Array<defined>, entry: defined, limit: number, removable: (entry: unknown) => boolean) {
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
 * `mark` (default 1) is stored only with a recipient.
 */
export function addPurchase(
	data: RawSaveData,
	productId: number,
	purchaseId: string,
	timestamp: number,
	recipientKey: string | undefined,
	limit: number,
	mark?: PurchaseMark,
	unsaved?: (purchaseId: string) => boolean,
): void {
	const entry: PurchaseEntry = {
		ProductId: productId,
		PurchaseId: purchaseId,
		Timestamp: timestamp,
		Mark: recipientKey !== undefined ? (mark ?? 1) : undefined,
		RecipientKey: recipientKey,
	};
	appendBounded(listFor(data, "Purchases"), encodePurchase(entry), limit, stored => {
		const record = decodePurchase(stored);
		return record === undefined || (record.Mark === undefined && !(unsaved?.(record.PurchaseId) ?? false));
	});
}

/** Replaces the record of `purchaseId` (if any) with `change` applied to it; returns true when one was found. */
function rewritePurchase(data: RawSaveData, purchaseId: string, change: (entry: PurchaseEntry) => boolean): boolean {
	const index = findPurchase(data, purchaseId);
	if (index < 0) return false;
	const list = data.Purchases as Array<StoredPurchaseRecord>;
	const entry = decodePurchase(list[index])!;
	if (!change(entry)) return false;
	// Rebuilt rather than edited in place, so the stored array never has a hole.
	list[index] = encodePurchase(entry);
	return true;
}

/** Sets the incomplete mark of a gift's purchase record (2: intent only, 1: the buyer's half is applied). */
export function markPurchase(data: RawSaveData, purchaseId: string, mark: PurchaseMark): void {
	rewritePurchase(data, purchaseId, entry => {
		entry.Mark = mark;
		return true;
	});
}

/** Marks a gift's purchase record complete (drops its mark and recipient). Returns true when it changed anything. */
export function completePurchase(data: RawSaveData, purchaseId: string): boolean {
	return rewritePurchase(data, purchaseId, entry => {
		if (entry.Mark === undefined && entry.RecipientKey === undefined) return false;
		entry.Mark = undefined;
		entry.RecipientKey = undefined;
		return true;
	});
}

/**
 * Adds a gift record to the recipient's ledger (`timestamp` is now, os.time). Once it holds `limit` entries, only
 * entries older than `GIFT_PROOF_RETENTION` are dropped, oldest first; younger ones are kept beyond the limit.
 */
export function addGift(data: RawSaveData, productId: number, purchaseId: string, timestamp: number, limit: number) {
	const gift = encodeGift({ ProductId: productId, PurchaseId: purchaseId, Timestamp: timestamp });
	appendBounded(listFor(data, "GiftsReceived"), gift, limit, stored => {
		const record = decodeGift(stored);
		return (
			record === undefined ||
			!typeIs(record.Timestamp, "number") ||
			timestamp - record.Timestamp > GIFT_PROOF_RETENTION
		);
	});
}
