import type { ProductPurchaser } from "./ProductPurchaser";
import { PurchaseEvent, transition } from "./phase";
import type { PurchaseState } from "./PurchaseState";
import { dropSaves, releaseHolds } from "./holds";

/** @internal resolves a purchase never queued (invalid receipt, destroyed purchaser): only its waiters to wake */
export function finishPurchase(ppp: PurchaseState, event: PurchaseEvent): void {
	if (ppp.Done) return;
	transition(ppp, event);
	const granted = ppp.Granted;
	const waiters = table.clone(ppp.Waiters);
	ppp.Waiters.clear();
	for (const waiter of waiters) {
		if (typeIs(waiter, "thread")) {
			if (coroutine.status(waiter) === "suspended") task.defer(waiter, granted);
		} else {
			task.defer(waiter, granted);
		}
	}
}

/** @internal resolves a queued purchase: drops its saves and holds, forgets it, and wakes its waiters */
export function settlePurchase(purchaser: ProductPurchaser, ppp: PurchaseState, event: PurchaseEvent): void {
	dropSaves(ppp);
	releaseHolds(ppp);
	const index = purchaser.purchases.indexOf(ppp);
	if (index >= 0) purchaser.purchases.remove(index);
	const purchaseId = ppp.ReceiptInfo.PurchaseId;
	if (purchaser.byPurchaseId.get(purchaseId) === ppp) purchaser.byPurchaseId.delete(purchaseId);
	finishPurchase(ppp, event);
}
