/**
 * The one place that knows the positions of the purchase ledgers' stored tuples (SessionLocker v13 format). The
 * rest of the library reads and writes named fields; this module converts them to and from the stored arrays.
 *
 * - `Purchases`: `[ProductId, PurchaseId, Timestamp, IncompleteMultiSave?, RecipientKey?]`. v13 wrote the first four
 *   (mark 1 only); mark 2 and field 5 are additions v13 ignores.
 * - `GiftsReceived`: `[ProductId, PurchaseId, Timestamp]`.
 */

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

/**
 * A gift's progress on the buyer's record: 2 = intent only (nothing applied to the buyer yet), 1 = the buyer's half
 * is in this data (v13's IncompleteMultiSave). Absent once the purchase is complete.
 */
export type PurchaseMark = 1 | 2;

/** @internal a purchase record with named fields */
export interface PurchaseEntry {
	ProductId: number;
	PurchaseId: string;
	Timestamp: number;
	Mark: PurchaseMark | undefined;
	/** The DataStore key of a gift's recipient; stored only while `Mark` is set. */
	RecipientKey: string | undefined;
}

/** @internal a gift record with named fields */
export interface GiftEntry {
	ProductId: number;
	PurchaseId: string;
	Timestamp: number;
}

/**
 * @internal
 * Reads a stored purchase record. Returns undefined for anything that is not one (a hand-edited or corrupt entry):
 * the ledger leaves such entries as they are and never re-encodes them.
 */
export function decodePurchase(stored: unknown): PurchaseEntry | undefined {
	if (!typeIs(stored, "table")) return undefined;
	const record = stored as Array<unknown>;
	const purchaseId = record[1];
	const mark = record[3];
	const recipientKey = record[4];
	if (!typeIs(purchaseId, "string")) return undefined;
	return {
		ProductId: record[0] as number,
		PurchaseId: purchaseId,
		Timestamp: record[2] as number,
		// v13 reads any value in field 4 as "incomplete": only 2 (an addition) means intent only.
		Mark: mark === undefined ? undefined : mark === 2 ? 2 : 1,
		RecipientKey: typeIs(recipientKey, "string") ? recipientKey : undefined,
	};
}

/**
 * @internal
 * Writes a purchase record in the stored format. The recipient key is stored only with a mark (a complete record
 * is the plain v13 triple), and a mark without a key stays a v13 four-field record, so the array never has a hole.
 */
export function encodePurchase(entry: PurchaseEntry): StoredPurchaseRecord {
	if (entry.Mark === undefined) return [entry.ProductId, entry.PurchaseId, entry.Timestamp];
	if (entry.RecipientKey === undefined) return [entry.ProductId, entry.PurchaseId, entry.Timestamp, entry.Mark];
	return [entry.ProductId, entry.PurchaseId, entry.Timestamp, entry.Mark, entry.RecipientKey];
}

/** @internal reads a stored gift record; undefined for anything that is not one */
export function decodeGift(stored: unknown): GiftEntry | undefined {
	if (!typeIs(stored, "table")) return undefined;
	const record = stored as Array<unknown>;
	if (!typeIs(record[1], "string")) return undefined;
	return { ProductId: record[0] as number, PurchaseId: record[1], Timestamp: record[2] as number };
}

/** @internal writes a gift record in the stored format */
export function encodeGift(entry: GiftEntry): GiftRecord {
	return [entry.ProductId, entry.PurchaseId, entry.Timestamp];
}
