import { Defaults, QueryConfig } from "../config";
import { ErrorFields, LockerError, LockerErrorCreate, LockerErrorKind } from "../errors";
import type { GatewayResult } from "../gateway/RequestGateway";
import type { DataStoreLike } from "../gateway/types";
import type { LockerState } from "../locker/LockerState";
import type { SavedConnection } from "../locker/SavedConnection";
import type { RawSaveData, SaveData } from "../protocol/format";
import { TableDeepCopy } from "../util/TableDeepCopy";
import { TableRestoreBackup } from "../util/TableRestoreBackup";
import { addGift, addPurchase, completePurchase, findPurchase, hasGift, markPurchase, purchaseAt } from "./ledger";
import type { PendingProductPurchase, ProductOp, ProductProcessFunction, PurchaseCallback, ReceiptInfo } from "./types";

/** Base wait (s) before retrying after a process function threw or a verification read failed; backs off. */
const RETRY_BASE = 2;
/** Wait (s) before re-checking a gift recipient that is still loading. */
const RECIPIENT_WAIT = 1;

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

type AnyLocker = LockerState<SaveData>;

interface VerifyJob {
	Thread: thread | undefined;
	Done: boolean;
	/** Per involved locker: the record is in the stored value ("present"), is not ("absent"), or the read failed. */
	Results: Array<"present" | "absent" | "error">;
	ErrorMessage: string;
}

/** @internal the purchaser's private view of a PPP */
class PurchaseState implements PendingProductPurchase {
	readonly ProcessFunction: ProductProcessFunction<SaveData>;
	readonly ReceiptInfo: ReceiptInfo;
	readonly UserData: object;
	readonly Waiters = new Array<thread | PurchaseCallback>();
	Applied = false;
	Done = false;
	Granted = false;
	LS: AnyLocker;
	Phase: "ready" | "saving" | "verifying" = "ready";
	Connections = new Array<SavedConnection>();
	/** Lockers held and saved for this purchase: the buyer, then the gift's recipient if any. */
	Involved = new Array<AnyLocker>();
	/** Lockers this purchase holds (`MarkShouldAcquire(ppp)`). */
	Held = new Array<AnyLocker>();
	/** True while the save in progress only makes a gift's intent durable. */
	IntentPhase = false;
	WaitReported = false;
	NextAttemptAt = 0;
	Failures = 0;
	Verify: VerifyJob | undefined;

	constructor(ls: AnyLocker, pf: ProductProcessFunction<SaveData>, receipt: ReceiptInfo, userData: object) {
		this.LS = ls;
		this.ProcessFunction = pf;
		this.ReceiptInfo = receipt;
		this.UserData = userData;
	}
}

interface ProcessOutcome {
	Ok: boolean;
	Error: string;
	Result: boolean;
	Extra: AnyLocker | undefined;
}

function isLocker(value: unknown): value is AnyLocker {
	return (
		typeIs(value, "table") &&
		typeIs((value as { SaveData?: unknown }).SaveData, "table") &&
		typeIs((value as { IsAvailable?: unknown }).IsAvailable, "function")
	);
}

/**
 * Runs a process function in its own coroutine so that neither an error nor a yield can break `Update`, and keeps
 * both of its results (ok, extraLS).
 */
function runProcessFunction(ppp: PurchaseState, op: ProductOp): ProcessOutcome {
	const receipt = ppp.ReceiptInfo;
	const fn = ppp.ProcessFunction as unknown as (...args: Array<unknown>) => LuaTuple<[unknown, unknown]>;
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

function isValidReceipt(receipt: unknown): string | undefined {
	if (!typeIs(receipt, "table")) return `receiptInfo is a ${typeOf(receipt)}`;
	const r = receipt as { PurchaseId?: unknown; ProductId?: unknown; PlayerId?: unknown };
	if (!typeIs(r.PurchaseId, "string") || r.PurchaseId === "") return "PurchaseId is empty or missing";
	if (!typeIs(r.ProductId, "number")) return "ProductId is missing";
	return undefined;
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
		return this.enqueue(
			LS,
			ProcessFunction,
			ReceiptInfo,
			Callback,
			UserData,
		) as unknown as PendingProductPurchase<T>;
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
		const ppp = this.enqueue(LS, ProcessFunction, ReceiptInfo, coroutine.running(), UserData);
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
		this.resolve(ppp, false);
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
			if (!ppp.Done) this.step(ppp, now);
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
		for (const ppp of table.clone(this.purchases)) this.resolve(ppp, false);
	}

	// ---------------------------------------------------------------- internals

	/** @internal */
	enqueue(
		ls: unknown,
		pf: unknown,
		receipt: ReceiptInfo,
		waiter: thread | PurchaseCallback,
		userData: object | undefined,
	): PurchaseState {
		const problem = isValidReceipt(receipt);
		const existing = problem === undefined ? this.byPurchaseId.get(receipt.PurchaseId) : undefined;
		if (existing !== undefined && !existing.Done) {
			// A player who rejoined has a new locker; a purchase not yet applied follows it.
			if (!existing.Applied && isLocker(ls) && existing.LS !== ls) existing.LS = ls;
			existing.Waiters.push(waiter);
			return existing;
		}
		const ppp = new PurchaseState(ls as AnyLocker, pf as ProductProcessFunction<SaveData>, receipt, userData ?? {});
		ppp.Waiters.push(waiter);
		if (problem !== undefined || this.IsDestroyed || !isLocker(ls)) {
			if (problem !== undefined) this.report(ppp, "purchase_invalid_receipt", "Enqueue", { detail: problem });
			this.finish(ppp, false);
			return ppp;
		}
		this.purchases.push(ppp);
		this.byPurchaseId.set(receipt.PurchaseId, ppp);
		return ppp;
	}

	/** @internal */
	report(ppp: PurchaseState, kind: LockerErrorKind, operation: string, fields: ErrorFields): void {
		const withIds: { [name: string]: string | number | undefined } = {
			purchase: ppp.ReceiptInfo !== undefined ? tostring(ppp.ReceiptInfo.PurchaseId) : "?",
			key: isLocker(ppp.LS) ? ppp.LS.DataStoreKey : "?",
		};
		for (const [k, v] of pairs(fields)) withIds[k as string] = v;
		const err = LockerErrorCreate(kind, operation, withIds);
		const reporter = this.options.ReportError;
		if (reporter !== undefined) {
			const [ok, problem] = pcall(reporter, err, ppp);
			if (!ok) warn(`[SessionLocker][ProductPurchaser] ReportError threw: ${tostring(problem)}`);
			return;
		}
		const prefix = isLocker(ppp.LS) ? ppp.LS.LogPrefix : "[SessionLocker]";
		warn(`${prefix}[ProductPurchaser] ${err.Message}`);
	}

	/** @internal */
	step(ppp: PurchaseState, now: number): void {
		if (ppp.Phase === "saving") {
			for (const connection of ppp.Connections) if (connection.Connected) return;
			for (const connection of ppp.Connections) {
				if (!connection.Saved) {
					// Some involved data was replaced before it saved (lost lock, release, reset): start over
					// against whatever loads next; the purchase record decides again.
					this.restart(ppp);
					return;
				}
			}
			if (now < ppp.NextAttemptAt) return;
			this.startVerify(ppp, now);
			return;
		}
		if (ppp.Phase === "verifying") {
			this.stepVerify(ppp, now);
			return;
		}
		const ls = ppp.LS;
		if (ls.IsDeleted) {
			this.resolve(ppp, false);
			return;
		}
		if (!ls.IsAvailable()) {
			if (ls.releasePending && !ppp.Held.includes(ls)) {
				// The player left and the release is in flight: the data may already be the next holder's, so
				// nothing is applied to it. Holding the locker reloads it once the release lands; the purchase then
				// applies exactly once to the reloaded data.
				this.hold(ppp, ls);
			} else if (
				ppp.Held.includes(ls) &&
				ls.Session === undefined &&
				ls.LoadStatus !== "loading" &&
				ls.InUse.size() === 1
			) {
				// Only this purchase wants the data, and it does not load here (held elsewhere, or failing): leave
				// the receipt for Roblox to deliver again, wherever the player is.
				this.resolve(ppp, false);
			}
			return;
		}
		if (now < ppp.NextAttemptAt) return;
		this.process(ppp, now);
	}

	/** @internal */
	retryDelay(ppp: PurchaseState): number {
		ppp.Failures += 1;
		return math.min(RETRY_BASE * 2 ** (ppp.Failures - 1), 30);
	}

	/** @internal the apply step: runs on available data, in one go, without yielding */
	process(ppp: PurchaseState, now: number): void {
		const ls = ppp.LS;
		const receipt = ppp.ReceiptInfo;
		const purchaseId = receipt.PurchaseId;
		const productId = receipt.ProductId;
		const buyerData = ls.SaveData as unknown as RawSaveData;
		const limit = QueryConfig(ls.LockerSpec.PurchaseHistoryLimit, Defaults.PurchaseHistoryLimit);
		const index = findPurchase(buyerData, purchaseId);
		const record = index >= 0 ? purchaseAt(buyerData, index) : undefined;
		if (record !== undefined && record[3] === undefined) {
			// Recorded and complete in data that came from the DataStore (in-progress ones are joined in enqueue).
			this.resolve(ppp, true);
			return;
		}
		// "validate" names a gift's recipient before anything is applied.
		const validated = runProcessFunction(ppp, "validate");
		const named = validated.Ok ? validated.Extra : undefined;
		if (record !== undefined) {
			this.resumeGift(ppp, now, named, limit);
			return;
		}
		if (named !== undefined && !named.IsDeleted && !named.IsIdling) {
			if (!named.IsAvailable()) {
				// The recipient is still loading: wait rather than apply something we would roll back.
				ppp.NextAttemptAt = now + RECIPIENT_WAIT;
				return;
			}
			// A gift: first make the intent durable (buyer's record, mark 2, recipient's key) while holding both
			// lockers. From then on every retry knows a gift is under way and to whom, and never guesses.
			addPurchase(buyerData, productId, purchaseId, os.time(), named.DataStoreKey, limit, 2, id =>
				this.isUnsaved(id),
			);
			this.hold(ppp, named);
			ppp.Applied = true;
			ppp.IntentPhase = true;
			ppp.Involved = [ls];
			this.saveInvolved(ppp);
			return;
		}

		const buyerBackup = TableDeepCopy(buyerData);
		const applied = runProcessFunction(ppp, "apply");
		if (!applied.Ok) {
			TableRestoreBackup(buyerData, buyerBackup);
			const delay = this.retryDelay(ppp);
			ppp.NextAttemptAt = now + delay;
			this.report(ppp, "process_function_failed", "apply", { detail: applied.Error, delay });
			return;
		}
		let ok = applied.Result;
		let recipient = ok ? applied.Extra : undefined;
		if (recipient !== undefined) {
			const recipientData = recipient.SaveData as unknown as RawSaveData;
			if (!recipient.IsAvailable()) {
				// Nothing of this gift was ever applied anywhere (no record): a credit is safe.
				TableRestoreBackup(buyerData, buyerBackup);
				this.report(ppp, "gift_recipient_unavailable", "apply", {
					key: recipient.DataStoreKey,
					detail: "the buyer gets a product credit instead",
				});
				recipient = undefined;
				ok = false;
			} else if (hasGift(recipientData, purchaseId)) {
				// A gift "validate" did not announce: no intent was recorded, so its repeat cannot be undone.
				this.report(ppp, "gift_recipient_not_validated", "apply", { key: recipient.DataStoreKey });
			} else {
				addGift(recipientData, productId, purchaseId, os.time(), limit);
			}
		}
		// Credit, record and the purchase record land in the same data, so they are saved together.
		if (!ok) ls.ProductCreditGive(productId, 1, ppp.UserData);
		const recorded = runProcessFunction(ppp, "record");
		if (!recorded.Ok) this.report(ppp, "process_function_failed", "record", { detail: recorded.Error, delay: 0 });
		addPurchase(
			buyerData,
			productId,
			purchaseId,
			os.time(),
			recipient?.DataStoreKey,
			limit,
			recipient !== undefined ? 1 : undefined,
			id => this.isUnsaved(id),
		);
		ppp.Applied = true;
		ppp.Failures = 0;
		ppp.Involved = recipient !== undefined ? [ls, recipient] : [ls];
		this.saveInvolved(ppp);
	}

	/**
	 * @internal
	 * A gift under way: its intent (mark 2) or the buyer's half (mark 1) is durable and the recipient's half may be.
	 * Applies again with both lockers loaded here, then rolls back each half whose record says it already landed.
	 */
	resumeGift(ppp: PurchaseState, now: number, named: AnyLocker | undefined, limit: number): void {
		const ls = ppp.LS;
		const purchaseId = ppp.ReceiptInfo.PurchaseId;
		const buyerData = ls.SaveData as unknown as RawSaveData;
		const record = purchaseAt(buyerData, findPurchase(buyerData, purchaseId));
		const recipientKey = record[4];
		const matches = named !== undefined && (recipientKey === undefined || named.DataStoreKey === recipientKey);
		if (named !== undefined && matches && !named.IsDeleted) this.hold(ppp, named);
		if (named === undefined || !matches || !named.IsAvailable()) {
			// Whether the recipient's half landed is only known from its data, loaded here: never guess.
			ppp.NextAttemptAt = now + RECIPIENT_WAIT;
			if (!ppp.WaitReported) {
				ppp.WaitReported = true;
				this.report(ppp, "gift_recipient_unavailable", "apply", {
					key: recipientKey ?? "?",
					detail: "the purchase waits until the recipient's data is loaded on the buyer's server",
				});
			}
			return;
		}
		const recipientData = named.SaveData as unknown as RawSaveData;
		const buyerBackup = TableDeepCopy(buyerData);
		const recipientBackup = TableDeepCopy(recipientData);
		const applied = runProcessFunction(ppp, "apply");
		if (!applied.Ok || !applied.Result || applied.Extra !== named) {
			TableRestoreBackup(buyerData, buyerBackup);
			TableRestoreBackup(recipientData, recipientBackup);
			const delay = this.retryDelay(ppp);
			ppp.NextAttemptAt = now + delay;
			this.report(ppp, "process_function_failed", "apply", {
				detail: applied.Ok ? "it no longer gifts to the recipient it named" : applied.Error,
				delay,
			});
			return;
		}
		if (record[3] === 1) {
			// The buyer's half is durable: undo this repeat.
			TableRestoreBackup(buyerData, buyerBackup);
		} else {
			// Intent only: the buyer's half is new; it and the record call are saved with the mark going to 1.
			const recorded = runProcessFunction(ppp, "record");
			if (!recorded.Ok) {
				this.report(ppp, "process_function_failed", "record", { detail: recorded.Error, delay: 0 });
			}
			markPurchase(buyerData, purchaseId, 1);
		}
		if (hasGift(recipientData, purchaseId)) {
			// The recipient's half is already in its data (saved, or about to be): undo this repeat.
			TableRestoreBackup(recipientData, recipientBackup);
		} else {
			addGift(recipientData, ppp.ReceiptInfo.ProductId, purchaseId, os.time(), limit);
		}
		ppp.Applied = true;
		ppp.Failures = 0;
		ppp.Involved = [ls, named];
		this.saveInvolved(ppp);
	}

	/** @internal true while the purchase is applied here but not yet granted: its record is not proven saved */
	isUnsaved(purchaseId: string): boolean {
		const ppp = this.byPurchaseId.get(purchaseId);
		return ppp !== undefined && !ppp.Done;
	}

	/** @internal keeps a locker's session alive until the purchase resolves */
	hold(ppp: PurchaseState, locker: AnyLocker): void {
		if (ppp.Held.includes(locker)) return;
		ppp.Held.push(locker);
		locker.MarkShouldAcquire(ppp);
	}

	/** @internal force-saves every involved locker and holds it until the purchase resolves */
	saveInvolved(ppp: PurchaseState): void {
		for (const connection of ppp.Connections) connection.Disconnect();
		ppp.Connections = [];
		for (const locker of ppp.Involved) {
			// The hold keeps a half-finished purchase's lockers from being released between the two saves.
			this.hold(ppp, locker);
			locker.MarkForceSave();
			ppp.Connections.push(locker.WhenChangesSaved());
		}
		ppp.Phase = "saving";
	}

	/** @internal */
	startVerify(ppp: PurchaseState, now: number): void {
		ppp.Phase = "verifying";
		const job: VerifyJob = { Thread: undefined, Done: false, Results: [], ErrorMessage: "" };
		ppp.Verify = job;
		if (this.options.VerifyWrites === false) {
			for (let i = 0; i < ppp.Involved.size(); i++) job.Results.push("present");
			job.Done = true;
			this.stepVerify(ppp, now);
			return;
		}
		const thread = coroutine.create(() => this.runVerify(ppp, job));
		job.Thread = thread;
		task.spawn(thread);
	}

	/** @internal the verification job, in its own thread: reads each involved key without writing */
	runVerify(ppp: PurchaseState, job: VerifyJob): void {
		const purchaseId = ppp.ReceiptInfo.PurchaseId;
		for (let i = 0; i < ppp.Involved.size(); i++) {
			const locker = ppp.Involved[i];
			// The locker already read its write back before resolving our waiter: no second read needed.
			const lockerVerified = QueryConfig(locker.LockerSpec.VerifyAwaitedSaves, Defaults.VerifyAwaitedSaves);
			if (locker.DisableAPIs || locker.store === undefined || lockerVerified) {
				job.Results.push("present");
				continue;
			}
			let found = false;
			const isBuyer = i === 0;
			const request: GatewayResult = locker.gateway.Update(
				locker.store as DataStoreLike,
				locker.DataStoreKey,
				value => {
					found = false;
					if (typeIs(value, "table")) {
						const data = value as RawSaveData;
						found = isBuyer ? findPurchase(data, purchaseId) >= 0 : hasGift(data, purchaseId);
					}
					return undefined;
				},
				locker.AssociatedUserIds,
				"UpdateAsync_VerifyPurchase",
			);
			if (request.Outcome === "not_written") job.Results.push(found ? "present" : "absent");
			else {
				job.Results.push("error");
				job.ErrorMessage = request.ErrorMessage;
			}
		}
		job.Done = true;
	}

	/** @internal */
	stepVerify(ppp: PurchaseState, now: number): void {
		const job = ppp.Verify;
		if (job === undefined) return;
		if (!job.Done) {
			if (job.Thread !== undefined && coroutine.status(job.Thread) === "dead") {
				ppp.Verify = undefined;
				ppp.Phase = "saving";
			}
			return;
		}
		let failed = false;
		let absent = false;
		for (const result of job.Results) {
			if (result === "error") failed = true;
			else if (result === "absent") absent = true;
		}
		if (failed) {
			// The save did commit as far as we know; only the confirmation failed. Ask again later.
			ppp.NextAttemptAt = now + this.retryDelay(ppp);
			ppp.Verify = undefined;
			this.startVerifyLater(ppp);
			return;
		}
		if (!absent) {
			if (ppp.IntentPhase) {
				// The intent is durable; now apply both halves (the lockers stay held).
				ppp.IntentPhase = false;
				ppp.Verify = undefined;
				ppp.Involved = [];
				ppp.Phase = "ready";
				ppp.NextAttemptAt = 0;
				return;
			}
			this.complete(ppp);
			return;
		}
		this.report(ppp, "purchase_save_not_found", "UpdateAsync_VerifyPurchase", {});
		ppp.Verify = undefined;
		for (const locker of ppp.Involved) {
			if (!locker.IsAvailable()) {
				this.restart(ppp);
				return;
			}
		}
		// The effect and record are still in memory under our lock: save them again.
		this.saveInvolved(ppp);
	}

	/** @internal a failed verification read is retried by going through "saving" (already resolved) again */
	startVerifyLater(ppp: PurchaseState): void {
		ppp.Phase = "saving";
		ppp.Connections = [];
	}

	/** @internal both halves are durable: clear the gift's "incomplete" mark and grant */
	complete(ppp: PurchaseState): void {
		const ls = ppp.LS;
		if (ppp.Involved.size() > 1 && ls.IsAvailable()) {
			// Not awaited: if it never lands, a retry finds both halves recorded and applies nothing.
			if (completePurchase(ls.SaveData as unknown as RawSaveData, ppp.ReceiptInfo.PurchaseId)) ls.MarkForceSave();
		}
		this.resolve(ppp, true);
	}

	/** @internal */
	restart(ppp: PurchaseState): void {
		for (const connection of ppp.Connections) connection.Disconnect();
		ppp.Connections = [];
		this.releaseHolds(ppp);
		ppp.Applied = false;
		ppp.IntentPhase = false;
		ppp.Phase = "ready";
		ppp.Verify = undefined;
		ppp.NextAttemptAt = 0;
	}

	/** @internal */
	releaseHolds(ppp: PurchaseState): void {
		for (const locker of ppp.Held) locker.MarkShouldRelease(ppp);
		ppp.Held = [];
		ppp.Involved = [];
	}

	/** @internal */
	resolve(ppp: PurchaseState, granted: boolean): void {
		for (const connection of ppp.Connections) connection.Disconnect();
		ppp.Connections = [];
		this.releaseHolds(ppp);
		const index = this.purchases.indexOf(ppp);
		if (index >= 0) this.purchases.remove(index);
		if (this.byPurchaseId.get(ppp.ReceiptInfo.PurchaseId) === ppp)
			this.byPurchaseId.delete(ppp.ReceiptInfo.PurchaseId);
		this.finish(ppp, granted);
	}

	/** @internal */
	finish(ppp: PurchaseState, granted: boolean): void {
		if (ppp.Done) return;
		ppp.Done = true;
		ppp.Granted = granted;
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
