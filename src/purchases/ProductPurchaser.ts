import type { LockerError } from "../errors";
import type { LockerState } from "../locker/LockerState";
import type { SaveData } from "../protocol/format";
import { enqueuePurchase } from "./intake";
import type { PurchaseState } from "./PurchaseState";
import { settlePurchase } from "./settle";
import { stepPurchase } from "./step";
import type { PendingProductPurchase, ProductProcessFunction, PurchaseCallback, ReceiptInfo } from "./types";

/*
 * The purchaser, as a table of contents. Each step of a purchase lives in its own module:
 * - intake.ts: receipt validation, joining a second delivery, queueing;
 * - step.ts: one `Update` tick of a purchase, by phase (phase.ts: the phases and `transition`, the only place that
 *   changes a phase);
 * - apply.ts: the apply step (effect, credit and record in the same data); gifts.ts: a gift's intent and its resume;
 * - holds.ts: holding and force-saving involved lockers; verify.ts: reading the saves back before granting;
 * - settle.ts: resolving a purchase and waking its waiters; report.ts: error reports;
 * - processFunction.ts: runs the game's process function so it can neither throw nor yield into `Update`;
 * - ledger.ts edits the purchase history and gift proofs through ledgerCodec.ts, which alone knows their stored
 *   (SessionLocker v13) tuple positions.
 */

export interface ProductPurchaserOptions {
	/** Monotonic clock in seconds for retry scheduling. Default os.clock. */
	Clock?: () => number;
	/** Receives every error the purchaser reports. Default: `warn` with the buyer's log prefix. */
	ReportError?: (Err: LockerError, Purchase: PendingProductPurchase) => void;
	/**
	 * Confirm with a read that the key really holds the purchase before granting (default true). It costs one
	 * cancelled UpdateAsync per purchase and is what catches a save that reported success but was not committed.
	 */
	VerifyWrites?: boolean;
}

/**
 * Exactly-once developer products on session-locked data. A purchase is applied to save data together with a
 * record of its PurchaseId, and reported granted only after a save containing both has committed (and, by default,
 * been read back). A receipt delivered again — on this server or another — finds the record and is acknowledged
 * without a second apply. A gift to a second player is recorded in the recipient's own data in the same save as its
 * effect, so each player gets it exactly once even if the server dies between the two saves.
 *
 * Call `Update()` every Heartbeat. One purchaser per server is enough.
 * **Grant nothing outside save data before the purchase reports true, and never return PurchaseGranted on false.**
 *
 * @example
 * const purchaser = ProductPurchaserCreate();
 * RunService.Heartbeat.Connect(() => purchaser.Update());
 * MarketplaceService.ProcessReceipt = (receipt) => {
 * 	const ls = lockers.get(receipt.PlayerId);
 * 	if (!ls) return Enum.ProductPurchaseDecision.NotProcessedYet;
 * 	return purchaser.YieldUntilProductIsProcessedAndSaved(ls, grantProduct, receipt)
 * 		? Enum.ProductPurchaseDecision.PurchaseGranted
 * 		: Enum.ProductPurchaseDecision.NotProcessedYet;
 * };
 */
export class ProductPurchaser {
	/** True after `Destroy()`. */
	IsDestroyed = false;
	/** @internal */ readonly options: ProductPurchaserOptions;
	/** @internal */ readonly clock: () => number;
	/** @internal */ readonly purchases = new Array<PurchaseState>();
	/** @internal one PPP per PurchaseId: a second delivery joins the first instead of racing it */
	readonly byPurchaseId = new Map<string, PurchaseState>();
	/** @internal called after a purchase is queued (a driver that sleeps while idle wakes to process it) */
	onQueued: (() => void) | undefined;

	constructor(options?: ProductPurchaserOptions) {
		this.options = options ?? {};
		this.clock = this.options.Clock ?? os.clock;
	}

	/**
	 * Processes a purchase and calls `Callback(true)` once it is applied and saved (return PurchaseGranted), or
	 * `Callback(false)` if it cannot be (the locker was deleted, or the purchaser destroyed). Returns the pending
	 * purchase. A second call for a PurchaseId already in progress joins it.
	 * **Never call it with a dummy receipt (PurchaseId "").**
	 *
	 * @example
	 * purchaser.CallWhenProductIsProcessedAndSaved(ls, grantGold, receipt, (granted) => print(granted));
	 */
	CallWhenProductIsProcessedAndSaved<T extends SaveData>(
		LS: LockerState<T>,
		ProcessFunction: ProductProcessFunction<T>,
		ReceiptInfo: ReceiptInfo,
		Callback: PurchaseCallback,
		UserData?: object,
	): PendingProductPurchase<T> {
		const ppp = enqueuePurchase(this, LS, ProcessFunction, ReceiptInfo, Callback, UserData);
		return ppp as unknown as PendingProductPurchase<T>;
	}

	/**
	 * Yielding form of `CallWhenProductIsProcessedAndSaved`: true once the purchase is applied and saved. **Yields
	 * until then (for as long as the locker stays alive); use `ProcessReceiptCreate` for a handler with timeouts.**
	 *
	 * @example
	 * const granted = purchaser.YieldUntilProductIsProcessedAndSaved(ls, grantGold, receipt);
	 */
	YieldUntilProductIsProcessedAndSaved<T extends SaveData>(
		LS: LockerState<T>,
		ProcessFunction: ProductProcessFunction<T>,
		ReceiptInfo: ReceiptInfo,
		UserData?: object,
	): boolean {
		const ppp = enqueuePurchase(this, LS, ProcessFunction, ReceiptInfo, coroutine.running(), UserData);
		if (ppp.Done) return ppp.Granted;
		const [granted] = coroutine.yield() as LuaTuple<[boolean]>;
		return granted === true;
	}

	/**
	 * True while any purchase is in progress. Poll it in BindToClose (see `LockersShutdown`'s `IsBusy`).
	 *
	 * @example
	 * game.BindToClose(() => LockersShutdown(allLockers, { IsBusy: () => purchaser.HasIncompletePurchases() }));
	 */
	HasIncompletePurchases(): boolean {
		return this.purchases.size() > 0;
	}

	/**
	 * Stops waiting for a purchase that has not been applied yet (for a ProcessReceipt timeout): its waiters get
	 * false and it is dropped. Returns false, changing nothing, once the purchase was applied — it then always
	 * completes, because its effect is already in the save data.
	 *
	 * @example
	 * if (purchaser.Abandon(ppp)) return Enum.ProductPurchaseDecision.NotProcessedYet;
	 */
	Abandon(Purchase: PendingProductPurchase): boolean {
		const ppp = Purchase as PurchaseState;
		if (ppp.Done) return true;
		if (ppp.Applied) return false;
		settlePurchase(this, ppp, "refuse");
		return true;
	}

	/**
	 * Advances every purchase: applies those whose locker is available, waits for their saves, verifies and
	 * resolves them. Call it every Heartbeat. **Without it nothing is ever granted.**
	 *
	 * @example
	 * RunService.Heartbeat.Connect(() => purchaser.Update());
	 */
	Update(): void {
		if (this.purchases.size() === 0) return;
		const now = this.clock();
		for (const ppp of table.clone(this.purchases)) {
			if (!ppp.Done) stepPurchase(this, ppp, now);
		}
	}

	/**
	 * Resolves every pending purchase with false and stops processing. Purchases already applied stay in the save
	 * data (a later delivery of their receipt finds them).
	 *
	 * @example
	 * purchaser.Destroy();
	 */
	Destroy(): void {
		if (this.IsDestroyed) return;
		this.IsDestroyed = true;
		for (const ppp of table.clone(this.purchases)) settlePurchase(this, ppp, "destroy");
	}
}

/**
 * Creates a ProductPurchaser. One per server is enough; call its `Update()` every Heartbeat.
 *
 * @example
 * const purchaser = ProductPurchaserCreate();
 * RunService.Heartbeat.Connect(() => purchaser.Update());
 */
export function ProductPurchaserCreate(Options?: ProductPurchaserOptions): ProductPurchaser {
	return new ProductPurchaser(Options);
}
