import type { SaveData } from "../protocol/format";
import type { ProductPurchaser } from "./ProductPurchaser";
import { AnyLocker, isLocker, PurchaseState } from "./PurchaseState";
import { reportPurchase } from "./report";
import { finishPurchase } from "./settle";
import type { ProductProcessFunction, PurchaseCallback, ReceiptInfo } from "./types";

/** @internal why a receipt cannot be processed, or undefined when it can */
export function receiptProblem(receipt: unknown): string | undefined {
	if (!typeIs(receipt, "table")) return `receiptInfo is a ${typeOf(receipt)}`;
	const r = receipt as { PurchaseId?: unknown; ProductId?: unknown; PlayerId?: unknown };
	if (!typeIs(r.PurchaseId, "string") || r.PurchaseId === "") return "PurchaseId is empty or missing";
	if (!typeIs(r.ProductId, "number")) return "ProductId is missing";
	return undefined;
}

/**
 * @internal
 * Receipt intake: a second delivery of a PurchaseId in progress joins the first; an invalid receipt, a destroyed
 * purchaser or a missing locker resolves false at once; anything else is queued for `Update`.
 */
export function enqueuePurchase(
	purchaser: ProductPurchaser,
	ls: unknown,
	pf: unknown,
	receipt: ReceiptInfo,
	waiter: thread | PurchaseCallback,
	userData: object | undefined,
): PurchaseState {
	const problem = receiptProblem(receipt);
	const existing = problem === undefined ? purchaser.byPurchaseId.get(receipt.PurchaseId) : undefined;
	if (existing !== undefined && !existing.Done) {
		// A player who rejoined has a new locker; a purchase not yet applied follows it.
		if (!existing.Applied && isLocker(ls) && existing.LS !== ls) existing.LS = ls;
		existing.Waiters.push(waiter);
		return existing;
	}
	const ppp = new PurchaseState(ls as AnyLocker, pf as ProductProcessFunction<SaveData>, receipt, userData ?? {});
	ppp.Waiters.push(waiter);
	if (problem !== undefined || purchaser.IsDestroyed || !isLocker(ls)) {
		if (problem !== undefined) {
			reportPurchase(purchaser, ppp, "purchase_invalid_receipt", "Enqueue", { detail: problem });
		}
		finishPurchase(ppp, "refuse");
		return ppp;
	}
	purchaser.purchases.push(ppp);
	purchaser.byPurchaseId.set(receipt.PurchaseId, ppp);
	purchaser.onQueued?.();
	return ppp;
}
