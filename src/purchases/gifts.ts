import type { RawSaveData } from "../protocol/format";
import { TableDeepCopy } from "../util/TableDeepCopy";
import { TableRestoreBackup } from "../util/TableRestoreBackup";
import { hold, saveInvolved } from "./holds";
import { addGift, addPurchase, hasGift, markPurchase } from "./ledger";
import type { PurchaseEntry } from "./ledgerCodec";
import { transition } from "./phase";
import type { ProductPurchaser } from "./ProductPurchaser";
import { runProcessFunction, runRecord } from "./processFunction";
import type { AnyLocker, PurchaseState } from "./PurchaseState";
import { reportPurchase } from "./report";

/** Wait (s) before re-checking a gift recipient that is still loading or not here. */
export const RECIPIENT_WAIT = 1;

/** @internal true while the purchase is applied here but not yet granted: its record is not proven saved */
export function isUnsaved(purchaser: ProductPurchaser, purchaseId: string): boolean {
	const ppp = purchaser.byPurchaseId.get(purchaseId);
	return ppp !== undefined && !ppp.Done;
}

/**
 * @internal
 * A new gift to `recipient`: first make the intent durable (the buyer's record with mark 2 and the recipient's
 * key) while holding both lockers. From then on every retry knows a gift is under way and to whom, and never
 * guesses. Does nothing but wait while the recipient is still loading.
 */
export function startGiftIntent(
	purchaser: ProductPurchaser,
	ppp: PurchaseState,
	now: number,
	recipient: AnyLocker,
	limit: number,
): void {
	if (!recipient.IsAvailable()) {
		// The recipient is still loading: wait rather than apply something we would roll back.
		ppp.NextAttemptAt = now + RECIPIENT_WAIT;
		return;
	}
	const buyerData = ppp.LS.SaveData as unknown as RawSaveData;
	const receipt = ppp.ReceiptInfo;
	addPurchase(buyerData, receipt.ProductId, receipt.PurchaseId, os.time(), recipient.DataStoreKey, limit, 2, id =>
		isUnsaved(purchaser, id),
	);
	hold(ppp, recipient);
	ppp.Involved = [ppp.LS];
	saveInvolved(ppp);
	transition(ppp, "intent_recorded");
}

/** @internal waits for a gift's recipient named by the buyer's record, reporting the wait once */
function waitForRecipient(purchaser: ProductPurchaser, ppp: PurchaseState, now: number, key: string | undefined) {
	// Whether the recipient's half landed is only known from its data, loaded here: never guess.
	ppp.NextAttemptAt = now + RECIPIENT_WAIT;
	if (ppp.WaitReported) return;
	ppp.WaitReported = true;
	reportPurchase(purchaser, ppp, "gift_recipient_unavailable", "apply", {
		key: key ?? "?",
		detail: "the purchase waits until the recipient's data is loaded on the buyer's server",
	});
}

/**
 * @internal
 * A gift under way: its intent (mark 2) or the buyer's half (mark 1) is durable and the recipient's half may be.
 * Applies again with both lockers loaded here, then rolls back each half whose record says it already landed.
 */
export function resumeGift(
	purchaser: ProductPurchaser,
	ppp: PurchaseState,
	now: number,
	record: PurchaseEntry,
	named: AnyLocker | undefined,
	limit: number,
): void {
	const ls = ppp.LS;
	const purchaseId = ppp.ReceiptInfo.PurchaseId;
	const buyerData = ls.SaveData as unknown as RawSaveData;
	const recipientKey = record.RecipientKey;
	const matches = named !== undefined && (recipientKey === undefined || named.DataStoreKey === recipientKey);
	if (named !== undefined && matches && !named.IsDeleted) hold(ppp, named);
	if (named === undefined || !matches || !named.IsAvailable()) {
		waitForRecipient(purchaser, ppp, now, recipientKey);
		return;
	}
	const recipientData = named.SaveData as unknown as RawSaveData;
	const buyerBackup = TableDeepCopy(buyerData);
	const recipientBackup = TableDeepCopy(recipientData);
	const applied = runProcessFunction(ppp, "apply");
	if (!applied.Ok || !applied.Result || applied.Extra !== named) {
		TableRestoreBackup(buyerData, buyerBackup);
		TableRestoreBackup(recipientData, recipientBackup);
		const delay = ppp.retryDelay();
		ppp.NextAttemptAt = now + delay;
		reportPurchase(purchaser, ppp, "process_function_failed", "apply", {
			detail: applied.Ok ? "it no longer gifts to the recipient it named" : applied.Error,
			delay,
		});
		return;
	}
	if (record.Mark === 1) {
		// The buyer's half is durable: undo this repeat.
		TableRestoreBackup(buyerData, buyerBackup);
	} else {
		// Intent only: the buyer's half is new; it and the record call are saved with the mark going to 1.
		runRecord(purchaser, ppp);
		markPurchase(buyerData, purchaseId, 1);
	}
	if (hasGift(recipientData, purchaseId)) {
		// The recipient's half is already in its data (saved, or about to be): undo this repeat.
		TableRestoreBackup(recipientData, recipientBackup);
	} else {
		addGift(recipientData, ppp.ReceiptInfo.ProductId, purchaseId, os.time(), limit);
	}
	ppp.Failures = 0;
	ppp.Involved = [ls, named];
	saveInvolved(ppp);
	transition(ppp, "applied");
}
