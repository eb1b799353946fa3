import type { SaveData } from "../protocol/format";
import type { PendingProductPurchase, ProductProcessFunction, ReceiptInfo } from "./types";

const noProcess = (() => $tuple(false)) as ProductProcessFunction<SaveData>;

/**
 * A receipt for calling a process function directly (for example when the game spends product credit). Its
 * PurchaseId is "". **Never give it to a ProductPurchaser: it would be refused.**
 *
 * @example
 * const receipt = DummyReceiptInfo_FromIds(GOLD_PACK, player.UserId);
 */
export function DummyReceiptInfo_FromIds(ProductId: number, PlayerId: number): ReceiptInfo {
	return { PurchaseId: "", PlayerId, ProductId, PlaceIdWherePurchased: game.PlaceId, CurrencySpent: 0 };
}

/**
 * A pending purchase built from a receipt, so that game code can run a process function the same way the
 * purchaser does. **Not for the purchaser.**
 *
 * @example
 * const ppp = DummyPPP_FromReceiptInfo(receipt);
 * grantGold("apply", ppp.UserData, receipt.ProductId, ppp.ReceiptInfo, ls);
 */
export function DummyPPP_FromReceiptInfo<T extends SaveData = SaveData>(
	ReceiptInfo: ReceiptInfo,
	ProcessFunction?: ProductProcessFunction<T>,
): PendingProductPurchase<T> {
	return {
		ProcessFunction: (ProcessFunction ?? noProcess) as ProductProcessFunction<T>,
		ReceiptInfo,
		UserData: {},
		Waiters: [],
		Applied: false,
		Done: false,
		Granted: false,
	};
}

/**
 * A pending purchase for a product and player with no real receipt (PurchaseId ""), for example to spend a
 * product credit through the product's process function. **Not for the purchaser.**
 *
 * @example
 * if (ls.ProductCreditUse(GOLD_PACK, 1)) {
 * 	const ppp = DummyPPP_FromIds(GOLD_PACK, player.UserId);
 * 	grantGold("apply", ppp.UserData, GOLD_PACK, ppp.ReceiptInfo, ls);
 * }
 */
export function DummyPPP_FromIds<T extends SaveData = SaveData>(
	ProductId: number,
	PlayerId: number,
	ProcessFunction?: ProductProcessFunction<T>,
): PendingProductPurchase<T> {
	return DummyPPP_FromReceiptInfo(DummyReceiptInfo_FromIds(ProductId, PlayerId), ProcessFunction);
}
