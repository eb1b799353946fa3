import type { LockerState } from "../locker/LockerState";
import type { SaveData } from "../protocol/format";

/**
 * What a `ProductProcessFunction` is asked to do:
 * - `"validate"`: could the product apply now, and to whom? **Must not change anything.** The purchaser calls it
 *   before every `"apply"` to learn a gift's recipient (the second LockerState), so it can roll back a half that
 *   was already saved. Return the same recipient as `"apply"` would.
 * - `"apply"`: grant the product by editing save data (the buyer's, and the recipient's for a gift).
 * - `"record"`: one-time, unconditional bookkeeping (such as total Robux spent), called once per purchase, the first
 *   time it enters the buyer's purchase history.
 *
 * Call counts satisfy validate ≥ apply ≥ record.
 */
export type ProductOp = "validate" | "apply" | "record";

/**
 * Grants a developer product by editing save data. Returns `ok` (false: the product could not apply, and the buyer
 * gets one product credit instead) and, for a gift, the recipient's LockerState.
 * **Edit only save data (the buyer's `LS.SaveData`, the recipient's `SaveData`); anything else would happen again
 * when a purchase is retried. Must not yield.**
 *
 * @example
 * const grantGold: ProductProcessFunction<PlayerData> = (op, _userData, productId, _receipt, ls) => {
 * 	if (op === "apply") ls.SaveData.Gold += GOLD_FOR[productId];
 * 	return $tuple(true);
 * };
 */
export type ProductProcessFunction<T extends SaveData = SaveData> = (
	Op: ProductOp,
	UserData: object,
	ProductId: number,
	ReceiptInfo: ReceiptInfo,
	LS: LockerState<T>,
) => LuaTuple<[ok: boolean, extraLS?: LockerState<T>]> | boolean | undefined;

/** The fields of MarketplaceService's receiptInfo the purchaser uses (the real table has more; they are kept). */
export interface ReceiptInfo {
	/** Unique per purchase: the deduplication key. */
	PurchaseId: string;
	PlayerId: number;
	ProductId: number;
	PlaceIdWherePurchased: number;
	CurrencySpent: number;
}

/** Called once with true (processed and saved: return PurchaseGranted) or false (return NotProcessedYet). */
export type PurchaseCallback = (Granted: boolean) => void;

/**
 * A purchase being processed ("PPP"). Returned by `CallWhenProductIsProcessedAndSaved`; the dummy constructors make
 * ones whose `ReceiptInfo` and `UserData` can be handed to a process function directly (for example when the game
 * spends product credit). **A dummy's PurchaseId is "": never give a dummy to a ProductPurchaser.**
 */
export interface PendingProductPurchase<T extends SaveData = SaveData> {
	readonly ProcessFunction: ProductProcessFunction<T>;
	readonly ReceiptInfo: ReceiptInfo;
	readonly UserData: object;
	/** Threads and callbacks waiting for the outcome. */
	readonly Waiters: Array<thread | PurchaseCallback>;
	/** True once the product was applied in memory (it will be saved; the outcome only waits on saves). */
	Applied: boolean;
	/** True once resolved; `Granted` is the outcome. */
	Done: boolean;
	Granted: boolean;
}
