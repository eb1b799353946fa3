import { applyPurchase } from "./apply";
import { hold, restart } from "./holds";
import type { ProductPurchaser } from "./ProductPurchaser";
import type { PurchaseState } from "./PurchaseState";
import { settlePurchase } from "./settle";
import { startVerify, stepVerify } from "./verify";

/** @internal a saving phase: once every involved save resolved, verify them, or start over if one never landed */
function stepSaving(purchaser: ProductPurchaser, ppp: PurchaseState, now: number): void {
	for (const connection of ppp.Connections) if (connection.Connected) return;
	for (const connection of ppp.Connections) {
		if (!connection.Saved) {
			// Some involved data was replaced before it saved (lost lock, release, reset): start over against
			// whatever loads next; the purchase record decides again.
			restart(ppp);
			return;
		}
	}
	if (now < ppp.NextAttemptAt) return;
	startVerify(purchaser, ppp, now);
}

/** @internal a phase before applying: wait for the buyer's data, give up when it cannot load here, or apply */
function stepWaiting(purchaser: ProductPurchaser, ppp: PurchaseState, now: number): void {
	const ls = ppp.LS;
	if (ls.IsDeleted) {
		settlePurchase(purchaser, ppp, "refuse");
		return;
	}
	if (!ls.IsAvailable()) {
		if (ls.releasePending && !ppp.Held.includes(ls)) {
			// The player left and the release is in flight: the data may already be the next holder's, so
			// nothing is applied to it. Holding the locker reloads it once the release lands; the purchase then
			// applies exactly once to the reloaded data.
			hold(ppp, ls);
		} else if (
			ppp.Held.includes(ls) &&
			ls.Session === undefined &&
			ls.LoadStatus !== "loading" &&
			ls.InUse.size() === 1
		) {
			// Only this purchase wants the data, and it does not load here (held elsewhere, or failing): leave
			// the receipt for Roblox to deliver again, wherever the player is.
			settlePurchase(purchaser, ppp, "refuse");
		}
		return;
	}
	if (now < ppp.NextAttemptAt) return;
	applyPurchase(purchaser, ppp, now);
}

/** @internal advances one purchase by its phase */
export function stepPurchase(purchaser: ProductPurchaser, ppp: PurchaseState, now: number): void {
	switch (ppp.Phase.Kind) {
		case "saving":
		case "saving_intent":
			stepSaving(purchaser, ppp, now);
			return;
		case "verifying":
		case "verifying_intent":
			stepVerify(purchaser, ppp, now);
			return;
		case "pending":
		case "intent_durable":
			stepWaiting(purchaser, ppp, now);
			return;
		default:
			return;
	}
}
