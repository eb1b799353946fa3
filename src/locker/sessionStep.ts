import type { LockerState } from "./LockerState";
import { autosaveCheck, trackLease } from "./autosave";
import { consumeSave } from "./consumeSave";
import { consumeLoad, startLoad } from "./loadJob";
import { consumeCleanup, startCleanup } from "./release";
import { report } from "./reporting";
import { enterIdle } from "./reset";
import { startSave } from "./saveJob";
import { needsHeartbeatReconfirm } from "./heartbeatLease";
import { hasUnverifiedWaiter } from "./savedWaiters";
import { PHASES, blockedPhase, transition } from "./transition";

/** A crashed job is retried after this many seconds. */
const CRASHED_JOB_RETRY = 10;

export function sessionStep(ls: LockerState, now: number): boolean {
	const job = ls.job;
	if (job !== undefined) {
		if (job.Done) {
			ls.job = undefined;
			if (job.Kind === "load") consumeLoad(ls, job, now);
			else if (job.Kind === "save") consumeSave(ls, job, now);
			else consumeCleanup(ls, job, now);
		} else if (job.Thread !== undefined && coroutine.status(job.Thread) === "dead") {
			ls.job = undefined;
			ls.nextAttemptAt = now + CRASHED_JOB_RETRY;
			const operation =
				job.Kind === "load"
					? "UpdateAsync_Load"
					: job.Kind === "save"
						? "UpdateAsync_Save"
						: "UpdateAsync_ReleaseOrphan";
			report(ls, "job_crashed", operation, { delay: CRASHED_JOB_RETRY });
		} else {
			return false;
		}
	}
	// A retry planned before closing began (a 10 or 20 s backoff) must not outlive the shutdown window. A blocked
	// fatal save keeps its period: retrying it would fail the same way.
	if (!ls.fatalSaveBlocked) ls.nextAttemptAt = ls.gateway.CapRetryWhileClosing(ls.nextAttemptAt, now);
	if (ls.Session === undefined) {
		if (ls.inUseCount > 0) {
			if (ls.loadBlocked) {
				if (ls.phase.Name !== "blocked") {
					transition(ls, blockedPhase(ls.LastError?.Kind), "load_blocked", "the load stopped for good");
				}
			} else transition(ls, PHASES.loading, "hold", "a hold key is in use");
			if (now >= ls.nextAttemptAt && !ls.loadBlocked) startLoad(ls);
			return false;
		}
		if (ls.orphanSession !== undefined) {
			// A load whose write may have landed was abandoned: free the key before going idle.
			transition(ls, PHASES.releasing, "orphan", "an abandoned load may have written a lock");
			if (now >= ls.nextAttemptAt) startCleanup(ls, ls.orphanSession);
			return false;
		}
		if (!ls.IsIdling) enterIdle(ls);
		return true;
	}
	// A save started below begins now: a successful one dates the lease from here (consumeSave).
	ls.saveStartAt = now;
	if (ls.inUseCount === 0) {
		transition(ls, PHASES.releasing, "unheld", "no hold key is left");
		if (now >= ls.nextAttemptAt) startSave(ls);
	} else {
		if (ls.releasePending) transition(ls, PHASES.releaseUnconfirmed, "session", "a release may have landed");
		else transition(ls, PHASES.held, "session", "a hold key keeps the lock");
		trackLease(ls, now);
		if (now >= ls.nextAttemptAt) {
			if (
				ls.ChangeId_PendingForce > ls.ChangeId_Saved ||
				ls.releasePending ||
				hasUnverifiedWaiter(ls) ||
				needsHeartbeatReconfirm(ls)
			) {
				startSave(ls);
			} else if (now >= ls.autosaveAt) {
				autosaveCheck(ls, now);
			}
		}
	}
	return false;
}
