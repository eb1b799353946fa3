import type { LockerState } from "./LockerState";
import { DataStoreService } from "@rbxts/services";
import { GatewayResult, RequestGateway } from "../gateway/RequestGateway";
import { DataStoreLike } from "../gateway/types";
import { StoredSession, isRawTable } from "../protocol/format";
import { isSameLock } from "../protocol/ownership";
import { CleanupJob, SaveJobResult, retryLater, spawnJob, userIdsForWrite } from "./jobs";
import { newestRecordGateway, releaseRecordCount, rewriteRecordsWhileClosing } from "./releaseRecovery";
import { fireLifecycle, fireLoadStatusChanged, report } from "./reporting";

/**
 * True once this server's BindToClose callbacks started. While closing, a release is read back only once every
 * release of this server is written, and only with time left before the closing deadline: after a burst of joins the
 * budget left at shutdown covers the releases first, and a read-back must never hold up another locker's release.
 */
let serverClosing = false;
let closeWatched = false;
/** Lockers of this server whose release started but is not written yet: read-backs while closing wait for them. */
export const releasesUnwritten = new Set<unknown>();
/** While closing: a release read-back starts only this long (s) before the closing deadline, or not at all. */
const CLOSING_READBACK_RESERVE = 3;
/** While closing: how often (s) a read-back waiting for the other releases looks again. */
const CLOSING_READBACK_POLL = 0.1;
/** Release read-backs of this server in flight while closing: each holds one unit of the UpdateAsync budget. */
let closingReadBacks = 0;

/** This server's UpdateAsync request budget now (0 when it cannot be read). */
function updateBudget(): number {
	const [ok, budget] = pcall(() =>
		DataStoreService.GetRequestBudgetForRequestType(Enum.DataStoreRequestType.UpdateAsync),
	);
	return ok && typeIs(budget, "number") ? budget : 0;
}

export function watchServerClose(): void {
	if (closeWatched) return;
	closeWatched = true;
	// Returns at once unless releases written without a read-back are still recorded, so it never delays a
	// shutdown for nothing; pcall: BindToClose errors outside a running server.
	pcall(() =>
		game.BindToClose(() => {
			serverClosing = true;
			if (releaseRecordCount() > 0) rewriteRecordsAtClose();
		}),
	);
}

/** While closing: how long (s) the recorded releases wait for the stores' first closing step to set a deadline. */
const CLOSING_START_WAIT = 2;
/** While closing without a gateway deadline (nothing drives a closing step): the window (s) assumed from the start. */
const CLOSING_WINDOW = 27;

/**
 * Releases recorded without a read-back, at shutdown: each is written again (fenced, so a landed one writes
 * nothing) once every live release of this server is written, in the time and budget left, or left to expire.
 */
function rewriteRecordsAtClose(): void {
	const gateway = newestRecordGateway();
	if (gateway === undefined) return;
	const started = gateway.clock();
	// The stores' first closing step (next Heartbeat) sets the gateway's deadline and starts every live release.
	while (gateway.closingDeadline === undefined && gateway.clock() - started < CLOSING_START_WAIT) {
		task.wait(CLOSING_READBACK_POLL);
	}
	const fallback = started + CLOSING_WINDOW;
	rewriteRecordsWhileClosing(g => reserveClosingSlot(g, fallback), endClosingReadBack);
}

/** A release read-back reserved by `releaseReadBack` is done: its unit of budget is free again. */
export function endClosingReadBack(): void {
	closingReadBacks -= 1;
}

/**
 * @internal
 * Whether a written release is read back: always outside shutdown ("always"). While closing ("reserved", or
 * "skip"): only once no other release of this server is still unwritten, so the read never queues ahead of one;
 * only if it can start CLOSING_READBACK_RESERVE before the deadline; and only with a unit of UpdateAsync budget
 * left for it, so it never waits in the request queue. Yields.
 */
export function releaseReadBack(ls: LockerState): "always" | "reserved" | "skip" {
	if (!serverClosing) return "always";
	return reserveClosingSlot(ls.gateway) ? "reserved" : "skip";
}

/** True once this server's BindToClose callbacks started. @internal */
export function isServerClosing(): boolean {
	return serverClosing;
}

/**
 * @internal
 * While closing: waits until no release of this server is unwritten, then reserves one unit of UpdateAsync budget
 * for a confirming request (hand it back with `endClosingReadBack`) if it can start CLOSING_READBACK_RESERVE before
 * the gateway's closing deadline (else `fallbackDeadline`) and the budget has a unit left. False: no such request. Yields.
 */
export function reserveClosingSlot(gateway: RequestGateway, fallbackDeadline?: number): boolean {
	const deadline = gateway.closingDeadline ?? fallbackDeadline;
	if (deadline === undefined) return false;
	while (releasesUnwritten.size() > 0) {
		if (gateway.clock() >= deadline - CLOSING_READBACK_RESERVE) return false;
		task.wait(CLOSING_READBACK_POLL);
	}
	if (gateway.clock() >= deadline - CLOSING_READBACK_RESERVE) return false;
	if (updateBudget() - closingReadBacks < 1) return false;
	closingReadBacks += 1;
	return true;
}

/** @internal reads the key back after a release: does it still hold our lock? */
export function checkRelease(ls: LockerState, result: SaveJobResult, session: StoredSession): void {
	let ours = false;
	const check = ls.gateway.Update(
		ls.store as DataStoreLike,
		ls.DataStoreKey,
		value => {
			ours = isRawTable(value) && isSameLock(value.Session, session);
			return undefined;
		},
		userIdsForWrite(ls),
		"UpdateAsync_VerifyRelease",
	);
	if (check.Outcome !== "not_written") {
		result.ReleaseCheck = "unknown";
		result.VerifyDetail = `the read-back failed: ${check.ErrorMessage}`;
	} else if (ours) {
		result.ReleaseCheck = "ours";
		result.VerifyDetail = "the key still holds our lock";
	} else {
		result.ReleaseCheck = "released";
	}
}

/**
 * @internal
 * A fenced write (or a read-back) proved the key still holds our lock after a release that did not land: the
 * session goes on, and SaveData (kept in memory all along) is loaded again.
 */
export function confirmSession(ls: LockerState): void {
	if (!ls.releasePending) return;
	ls.releasePending = false;
	if (ls.LoadStatus === "loaded") return;
	ls.LoadStatus = "loaded";
	fireLifecycle(ls, "replaced", "r_loaded");
	fireLoadStatusChanged(ls);
}

/** @internal removes a lock an abandoned load may have written, if (and only if) it is still exactly ours */
export function startCleanup(ls: LockerState, lock: StoredSession): void {
	spawnJob(ls, "cleanup", job => {
		job.Cleanup = ls.gateway.Update(
			ls.store as DataStoreLike,
			ls.DataStoreKey,
			value => {
				if (!isRawTable(value) || !isSameLock(value.Session, lock)) return undefined;
				value.Session = undefined;
				return value;
			},
			userIdsForWrite(ls),
			"UpdateAsync_ReleaseOrphan",
		);
		job.Done = true;
	});
}

/** @internal */
export function consumeCleanup(ls: LockerState, job: CleanupJob, now: number): void {
	const request = job.Cleanup as GatewayResult;
	if (request.Outcome === "written" || request.Outcome === "not_written") {
		ls.orphanSession = undefined;
		ls.nextAttemptAt = 0;
		return;
	}
	if (request.Outcome === "request_error" && request.Class !== undefined && request.Class.Retry === "fatal") {
		// Nothing more can be done from here; the lock expires on its own.
		ls.orphanSession = undefined;
		report(ls, "request_fatal", "UpdateAsync_ReleaseOrphan", { detail: request.ErrorMessage, delay: "∞" }, request);
		return;
	}
	const delay = retryLater(ls, now);
	report(ls, "request_failed", "UpdateAsync_ReleaseOrphan", { detail: request.ErrorMessage, delay }, request);
}
