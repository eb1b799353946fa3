import { Defaults, QueryConfig } from "../config";
import type { GatewayResult } from "../gateway/RequestGateway";
import type { DataStoreLike } from "../gateway/types";
import type { RawSaveData } from "../protocol/format";
import { restart, saveInvolved } from "./holds";
import { completePurchase, findPurchase, hasGift } from "./ledger";
import { transition } from "./phase";
import type { ProductPurchaser } from "./ProductPurchaser";
import type { PurchaseState, VerifyJob } from "./PurchaseState";
import { reportPurchase } from "./report";
import { settlePurchase } from "./settle";

/** @internal the read-back job, in its own thread: reads each involved key without writing */
function runVerify(ppp: PurchaseState, job: VerifyJob): void {
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

/** @internal every involved save reported success: read the keys back (or, with VerifyWrites off, trust them) */
export function startVerify(purchaser: ProductPurchaser, ppp: PurchaseState, now: number): void {
	const job: VerifyJob = { Thread: undefined, Done: false, Results: [], ErrorMessage: "" };
	if (purchaser.options.VerifyWrites === false) {
		for (let i = 0; i < ppp.Involved.size(); i++) job.Results.push("present");
		job.Done = true;
		transition(ppp, "saved", job);
		stepVerify(purchaser, ppp, now);
		return;
	}
	const thread = coroutine.create(() => runVerify(ppp, job));
	job.Thread = thread;
	transition(ppp, "saved", job);
	task.spawn(thread);
}

/** @internal both halves are durable: clear the gift's "incomplete" mark and grant */
function complete(purchaser: ProductPurchaser, ppp: PurchaseState): void {
	const ls = ppp.LS;
	if (ppp.Involved.size() > 1 && ls.IsAvailable()) {
		// Not awaited: if it never lands, a retry finds both halves recorded and applies nothing.
		if (completePurchase(ls.SaveData as unknown as RawSaveData, ppp.ReceiptInfo.PurchaseId)) ls.MarkForceSave();
	}
	settlePurchase(purchaser, ppp, "verified");
}

/** @internal acts on a finished read-back: grant, move on from a durable intent, ask again, or save again */
export function stepVerify(purchaser: ProductPurchaser, ppp: PurchaseState, now: number): void {
	const phase = ppp.Phase;
	if (phase.Kind !== "verifying" && phase.Kind !== "verifying_intent") return;
	const job = phase.Verify;
	if (!job.Done) {
		// A read-back that crashed is retried through "saving" (whose saves are already resolved).
		if (job.Thread !== undefined && coroutine.status(job.Thread) === "dead") transition(ppp, "verify_failed");
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
		ppp.NextAttemptAt = now + ppp.retryDelay();
		ppp.Connections = [];
		transition(ppp, "verify_failed");
		return;
	}
	if (!absent) {
		if (phase.Kind === "verifying") {
			complete(purchaser, ppp);
			return;
		}
		// The intent is durable; now apply both halves (the lockers stay held).
		ppp.Involved = [];
		ppp.NextAttemptAt = 0;
		transition(ppp, "verified");
		return;
	}
	reportPurchase(purchaser, ppp, "purchase_save_not_found", "UpdateAsync_VerifyPurchase", {});
	for (const locker of ppp.Involved) {
		if (!locker.IsAvailable()) {
			restart(ppp);
			return;
		}
	}
	// The effect and record are still in memory under our lock: save them again.
	saveInvolved(ppp);
	transition(ppp, "not_found");
}
