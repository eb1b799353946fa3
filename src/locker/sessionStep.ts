import type { LockerState } from "./LockerState";
import { autosaveCheck, trackLease } from "./autosave";
import { consumeSave } from "./consumeSave";
import { consumeLoad, startLoad } from "./loadJob";
import { consumeCleanup, startCleanup } from "./release";
import { report } from "./reporting";
import { enterIdle } from "./reset";
import { startSave } from "./saveJob";
import { hasUnverifiedWaiter } from "./savedWaiters";

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
			ls.State = "loading";
			if (now >= ls.nextAttemptAt && !ls.loadBlocked) startLoad(ls);
			return false;
		}
		if (ls.orphanSession !== undefined) {
			// A load whose write may have landed was abandoned: free the key before going idle.
			ls.State = "releasing";
			if (now >= ls.nextAttemptAt) startCleanup(ls, ls.orphanSession);
			return false;
		}
		if (!ls.IsIdling) enterIdle(ls);
		return true;
	}
	// A save started below begins now: a successful one dates the lease from here (consumeSave).
	ls.saveStartAt = now;
	if (ls.inUseCount === 0) {
		ls.State = "releasing";
		if (now >= ls.nextAttemptAt) startSave(ls);
	} else {
		ls.State = "held";
		trackLease(ls, now);
		if (now >= ls.nextAttemptAt) {
			if (ls.ChangeId_PendingForce > ls.ChangeId_Saved || ls.releasePending || hasUnverifiedWaiter(ls)) {
				startSave(ls);
			} else if (now >= ls.autosaveAt) {
				autosaveCheck(ls, now);
			}
		}
	}
	return false;
}
