import { Defaults, QueryConfig } from "../config";
import type { RawSaveData } from "../protocol/format";
import { TableDeepCopy } from "../util/TableDeepCopy";
import { TableRestoreBackup } from "../util/TableRestoreBackup";
import { isUnsaved, resumeGift, startGiftIntent } from "./gifts";
import { saveInvolved } from "./holds";
import { addGift, addPurchase, hasGift, purchaseEntry } from "./ledger";
import { transition } from "./phase";
import type { ProductPurchaser } from "./ProductPurchaser";
import { runProcessFunction, runRecord } from "./processFunction";
import type { AnyLocker, PurchaseState } from "./PurchaseState";
import { reportPurchase } from "./report";
import { settlePurchase } from "./settle";

/**
 * @internal
 * A gift `apply` named without `validate` announcing it: its half goes to the recipient's data with its proof. If the
 * recipient is not available nothing of the gift was applied anywhere (no record), so the buyer gets a credit.
 * Returns the recipient whose data now holds the gift, or undefined.
 */
function giveUnannouncedGift(
	purchaser: ProductPurchaser,
	ppp: PurchaseState,
	recipient: AnyLocker,
	limit: number,
): AnyLocker | undefined {
	const recipientData = recipient.SaveData as unknown as RawSaveData;
	const purchaseId = ppp.ReceiptInfo.PurchaseId;
	if (!recipient.IsAvailable()) {
		reportPurchase(purchaser, ppp, "gift_recipient_unavailable", "apply", {
			key: recipient.DataStoreKey,
			detail: "the buyer gets a product credit instead",
		});
		return undefined;
	}
	if (hasGift(recipientData, purchaseId)) {
		// No intent was recorded, so its repeat cannot be undone.
		reportPurchase(purchaser, ppp, "gift_recipient_not_validated", "apply", { key: recipient.DataStoreKey });
	} else {
		addGift(recipientData, ppp.ReceiptInfo.ProductId, purchaseId, os.time(), limit);
	}
	return recipient;
}

/**
 * @internal
 * The apply step: runs on available data, in one go, without yielding. A complete record grants at once; a gift
 * record under way resumes the gift; a new gift first records its intent; anything else applies the product (or a
 * credit) and its record to the same data, and saves.
 */
export function applyPurchase(purchaser: ProductPurchaser, ppp: PurchaseState, now: number): void {
	const ls = ppp.LS;
	const receipt = ppp.ReceiptInfo;
	const buyerData = ls.SaveData as unknown as RawSaveData;
	const limit = QueryConfig(ls.LockerSpec.PurchaseHistoryLimit, Defaults.PurchaseHistoryLimit);
	const record = purchaseEntry(buyerData, receipt.PurchaseId);
	if (record !== undefined && record.Mark === undefined) {
		// Recorded and complete in data that came from the DataStore (in-progress ones are joined at intake).
		settlePurchase(purchaser, ppp, "record_found");
		return;
	}
	// "validate" names a gift's recipient before anything is applied.
	const validated = runProcessFunction(ppp, "validate");
	const named = validated.Ok ? validated.Extra : undefined;
	if (record !== undefined) {
		resumeGift(purchaser, ppp, now, record, named, limit);
		return;
	}
	if (named !== undefined && !named.IsDeleted && !named.IsIdling) {
		startGiftIntent(purchaser, ppp, now, named, limit);
		return;
	}

	const buyerBackup = TableDeepCopy(buyerData);
	const applied = runProcessFunction(ppp, "apply");
	if (!applied.Ok) {
		TableRestoreBackup(buyerData, buyerBackup);
		const delay = ppp.retryDelay();
		ppp.NextAttemptAt = now + delay;
		reportPurchase(purchaser, ppp, "process_function_failed", "apply", { detail: applied.Error, delay });
		return;
	}
	let ok = applied.Result;
	let recipient: AnyLocker | undefined;
	if (ok && applied.Extra !== undefined) {
		recipient = giveUnannouncedGift(purchaser, ppp, applied.Extra, limit);
		if (recipient === undefined) {
			TableRestoreBackup(buyerData, buyerBackup);
			ok = false;
		}
	}
	// Credit, record and the purchase record land in the same data, so they are saved together.
	if (!ok) ls.ProductCreditGive(receipt.ProductId, 1, ppp.UserData);
	runRecord(purchaser, ppp);
	addPurchase(
		buyerData,
		receipt.ProductId,
		receipt.PurchaseId,
		os.time(),
		recipient?.DataStoreKey,
		limit,
		recipient !== undefined ? 1 : undefined,
		id => isUnsaved(purchaser, id),
	);
	ppp.Failures = 0;
	ppp.Involved = recipient !== undefined ? [ls, recipient] : [ls];
	saveInvolved(ppp);
	transition(ppp, "applied");
}
