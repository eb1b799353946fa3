import type { LockerState } from "../locker/LockerState";
import type { SavedConnection } from "../locker/SavedConnection";
import type { SaveData } from "../protocol/format";
import type { PurchasePhase } from "./phase";
import type { PendingProductPurchase, ProductProcessFunction, PurchaseCallback, ReceiptInfo } from "./types";

/**
 * Base wait (s) before retrying after a process function threw or a verification read failed; the gateway backs off
 * from it (up to six times as long) and shortens it while the server closes.
 */
const RETRY_BASE = 2;

/** @internal */
export type AnyLocker = LockerState<SaveData>;

/** @internal true for a LockerState (a process function may return anything as its second result) */
export function isLocker(value: unknown): value is AnyLocker {
	return (
		typeIs(value, "table") &&
		typeIs((value as { SaveData?: unknown }).SaveData, "table") &&
		typeIs((value as { IsAvailable?: unknown }).IsAvailable, "function")
	);
}

/** @internal the read-back of a purchase's saves, run in its own thread */
export interface VerifyJob {
	Thread: thread | undefined;
	Done: boolean;
	/** Per involved locker: the record is in the stored value ("present"), is not ("absent"), or the read failed. */
	Results: Array<"present" | "absent" | "error">;
	ErrorMessage: string;
}

/** @internal the purchaser's private view of a PPP; only `transition()` changes `Phase`, `Applied`, `Done`, `Granted` */
export class PurchaseState implements PendingProductPurchase {
	readonly ProcessFunction: ProductProcessFunction<SaveData>;
	readonly ReceiptInfo: ReceiptInfo;
	readonly UserData: object;
	readonly Waiters = new Array<thread | PurchaseCallback>();
	Applied = false;
	Done = false;
	Granted = false;
	Phase: PurchasePhase = { Kind: "pending" };
	LS: AnyLocker;
	Connections = new Array<SavedConnection>();
	/** Lockers held and saved for this purchase: the buyer, then the gift's recipient if any. */
	Involved = new Array<AnyLocker>();
	/** Lockers this purchase holds (`MarkShouldAcquire(ppp)`). */
	Held = new Array<AnyLocker>();
	WaitReported = false;
	NextAttemptAt = 0;
	Failures = 0;

	constructor(ls: AnyLocker, pf: ProductProcessFunction<SaveData>, receipt: ReceiptInfo, userData: object) {
		this.LS = ls;
		this.ProcessFunction = pf;
		this.ReceiptInfo = receipt;
		this.UserData = userData;
	}

	/**
	 * Counts a failure and returns the wait before the next attempt: the gateway's one retry policy (exponential with
	 * seeded jitter, and short retries that fit the window once the server is closing).
	 */
	retryDelay(): number {
		this.Failures += 1;
		return this.LS.gateway.RetryDelay(RETRY_BASE, this.Failures);
	}
}
