import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { GatewayResult } from "../gateway/RequestGateway";
import { SaveJob, SaveJobResult, retryLater } from "./jobs";
import { confirmSession, releasesUnwritten } from "./release";
import { importRemoteChanges } from "./remoteChanges";
import { fireLifecycle, report, reportOnce } from "./reporting";
import { resetTo } from "./reset";
import { triggerCoveredSavedConnections } from "./savedWaiters";

/** @internal */
export function consumeSave(ls: LockerState, job: SaveJob, now: number): void {
	// Held again (re-acquired while releasing): no release of this locker is waiting to be written.
	if (ls.inUseCount > 0) releasesUnwritten.delete(ls);
	const result = job.SaveResult as SaveJobResult;
	const save = result.Save;
	const request = result.Request;
	const operation = save.Release || ls.inUseCount === 0 ? "UpdateAsync_Release" : "UpdateAsync_Save";
	if (result.PreflightSize !== undefined) {
		const delay = blockSaves(ls, now);
		reportOnce(ls, "value_too_large", operation, {
			size: result.PreflightSize,
			limit: ls.gateway.SizeLimit,
			delay,
		});
		return;
	}
	if (result.PreflightError !== undefined) {
		blockSaves(ls, now);
		reportOnce(ls, "value_not_serializable", operation, { detail: result.PreflightError });
		return;
	}
	if (!ls.DisableAPIs) {
		const r = request as GatewayResult;
		if (r.Outcome === "request_error") {
			if (r.Class !== undefined && r.Class.Retry === "fatal") {
				const delay = blockSaves(ls, now);
				reportOnce(ls, "request_fatal", operation, { detail: r.ErrorMessage, delay }, r);
			} else {
				const delay = retryLater(ls, now);
				report(ls, "request_failed", operation, { detail: r.ErrorMessage, delay }, r);
			}
			return;
		}
		if (r.Outcome === "too_large") {
			const delay = blockSaves(ls, now);
			reportOnce(ls, "value_too_large", operation, { size: r.Size, limit: ls.gateway.SizeLimit, delay });
			return;
		}
		if (r.Outcome === "not_serializable") {
			blockSaves(ls, now);
			reportOnce(ls, "value_not_serializable", operation, { detail: r.ErrorMessage });
			return;
		}
		if (r.Outcome === "transform_threw" || r.Outcome === "incomplete") {
			// Not a lost lock: nothing says another server owns the key. Keep data and session; retry.
			retryLater(ls, now);
			report(ls, "transform_failed", operation, { detail: r.ErrorMessage });
			return;
		}
		if (save.Status === "lost") {
			releasesUnwritten.delete(ls);
			report(ls, "lock_lost", operation, { detail: save.LostDetail ?? save.LostReason });
			resetTo(ls, "r_lost");
			ls.nextAttemptAt = 0;
			ls.failures = 0;
			return;
		}
		if (r.Outcome !== "written" || save.Status !== "saved") {
			retryLater(ls, now);
			report(ls, "transform_failed", operation, { detail: `unexpected save outcome ${r.Outcome}` });
			return;
		}
	}
	if (save.Release && result.ReleaseCheck !== undefined && result.ReleaseCheck !== "released") {
		// Reported as done, but not found. "ours": it never landed, the key still holds our lock and older data,
		// so the session goes on (a player who came back keeps it) or the release is written again. "unknown":
		// it may have landed; the next fenced write tells.
		if (result.ReleaseCheck === "ours" && ls.inUseCount > 0) {
			confirmSession(ls);
			ls.autosaveAt = now; // the dropped release's changes are not in the key yet
		}
		const delay = retryLater(ls, now);
		report(ls, "write_unconfirmed", operation, { detail: result.VerifyDetail, delay });
		return;
	}
	// A fenced holder write landed, so the key still held our lock: an earlier release did not land.
	if (!save.Release) confirmSession(ls);
	if (!result.Verified) {
		// Treat it as a failed save: waiters stay queued, nothing counts as saved, the next save writes it all.
		const delay = retryLater(ls, now);
		report(ls, "write_unconfirmed", operation, { detail: result.VerifyDetail, delay });
		return;
	}
	ls.failures = 0;
	ls.fatalSaveBlocked = false;
	ls.nextAttemptAt = 0;
	ls.LastError = undefined;
	for (const id of result.Processed) ls.ProcessedRemoteChanges.delete(id);
	if (result.ChangeId > ls.ChangeId_Saved) ls.ChangeId_Saved = result.ChangeId;
	if (save.Release || result.ReadBack) {
		if (result.ChangeId > ls.changeIdVerified) ls.changeIdVerified = result.ChangeId;
	}
	if (save.Release) {
		releasesUnwritten.delete(ls);
		fireLifecycle(ls, "saved", "none");
		triggerCoveredSavedConnections(ls);
		resetTo(ls, "r_released");
		return;
	}
	if (save.WrittenSession !== undefined) ls.Session = save.WrittenSession;
	// A holder write stamped UpdatedAt (after this save started) and carried everything merged on load.
	ls.heartbeatUnconfirmed = false;
	ls.leaseSession = ls.Session;
	ls.lastWriteAt = ls.saveStartAt;
	ls.loadMerged = false;
	const written = request !== undefined ? request.KeyInfo : undefined;
	if (written !== undefined) ls.holderWriteMs = written.UpdatedTime;
	ls.autosaveAt = now + QueryConfig(ls.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod);
	importRemoteChanges(ls, save.WrittenRemoteChanges);
	fireLifecycle(ls, "saved", "none");
	triggerCoveredSavedConnections(ls);
}

/** @internal a fatal save problem: keep everything, retry only after the data changes or a maintain period */
export function blockSaves(ls: LockerState, now: number): number {
	const period = QueryConfig(ls.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod);
	// Not retried before the period: read-backs while closing must not wait for it.
	releasesUnwritten.delete(ls);
	ls.fatalSaveBlocked = true;
	ls.nextAttemptAt = now + period;
	return period;
}
