import type { ProductPurchaser } from "./ProductPurchaser";
import type { ProductProcessFunction, ProductOp } from "./types";
import { AnyLocker, isLocker, PurchaseState } from "./PurchaseState";
import { reportPurchase } from "./report";

/** @internal what one call of a process function returned */
export interface ProcessOutcome {
	Ok: boolean;
	Error: string;
	Result: boolean;
	/** The gift's recipient it named, if any (never the buyer's own locker). */
	Extra: AnyLocker | undefined;
}

/**
 * @internal
 * Runs a process function in its own coroutine so that neither an error nor a yield can break `Update`, and keeps
 * both of its results (ok, extraLS).
 */
export function runProcessFunction(ppp: PurchaseState, op: ProductOp): ProcessOutcome {
	const receipt = ppp.ReceiptInfo;
	const fn = ppp.ProcessFunction as ProductProcessFunction as unknown as (
		...args: Array<unknown>
	) => LuaTuple<[unknown, unknown]>;
	const thread = coroutine.create(fn);
	const [resumed, first, second] = coroutine.resume(
		thread,
		op,
		ppp.UserData,
		receipt.ProductId,
		receipt,
		ppp.LS,
	) as unknown as LuaTuple<[boolean, unknown, unknown]>;
	if (coroutine.status(thread) !== "dead") {
		task.cancel(thread);
		return { Ok: false, Error: "the process function yielded", Result: false, Extra: undefined };
	}
	if (!resumed) return { Ok: false, Error: tostring(first), Result: false, Extra: undefined };
	const extra = isLocker(second) && second !== ppp.LS ? second : undefined;
	return { Ok: true, Error: "", Result: first === true, Extra: extra };
}

/**
 * @internal
 * The one-time "record" call, made as the purchase enters the buyer's history. A failure is reported, not retried:
 * the record goes into the history anyway, so retrying could call it twice.
 */
export function runRecord(purchaser: ProductPurchaser, ppp: PurchaseState): void {
	const recorded = runProcessFunction(ppp, "record");
	if (!recorded.Ok) {
		reportPurchase(purchaser, ppp, "process_function_failed", "record", { detail: recorded.Error, delay: 0 });
	}
}
