import { ErrorFields, LockerErrorCreate, LockerErrorKind } from "../errors";
import type { ProductPurchaser } from "./ProductPurchaser";
import { isLocker, PurchaseState } from "./PurchaseState";

/** @internal reports an error of one purchase (with its PurchaseId and key) to `ReportError`, or warns */
export function reportPurchase(
	purchaser: ProductPurchaser,
	ppp: PurchaseState,
	kind: LockerErrorKind,
	operation: string,
	fields: ErrorFields,
): void {
	const withIds: { [name: string]: string | number | undefined } = {
		purchase: ppp.ReceiptInfo !== undefined ? tostring(ppp.ReceiptInfo.PurchaseId) : "?",
		key: isLocker(ppp.LS) ? ppp.LS.DataStoreKey : "?",
	};
	for (const [k, v] of pairs(fields)) withIds[k as string] = v;
	const err = LockerErrorCreate(kind, operation, withIds);
	const reporter = purchaser.options.ReportError;
	if (reporter !== undefined) {
		const [ok, problem] = pcall(reporter, err, ppp);
		if (!ok) warn(`[SessionLocker][ProductPurchaser] ReportError threw: ${tostring(problem)}`);
		return;
	}
	const prefix = isLocker(ppp.LS) ? ppp.LS.LogPrefix : "[SessionLocker]";
	warn(`${prefix}[ProductPurchaser] ${err.Message}`);
}
