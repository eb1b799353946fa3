import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { startSave } from "./saveJob";
import { planAutosave } from "./savePlan";

/**
 * @internal
 * Dates the lease of a newly loaded lock. A load is consumed earlier in the same SessionUpdate, so `now` is when
 * its result arrived: later than its write by one request, which the lease margin covers.
 */
export function trackLease(ls: LockerState, now: number): void {
	if (ls.leaseSession === ls.Session) return;
	ls.leaseSession = ls.Session;
	ls.lastWriteAt = now;
	ls.loadMerged = ls.LockerSpec.MergeOfflineSaveDataWithLoadedSaveData !== undefined;
}

/**
 * @internal
 * True when something is in SaveData but not in the key: a marked change (purchases and product credits mark
 * one), a remote change applied but still listed in the key, or offline data merged on load.
 */
export function hasUnsavedChanges(ls: LockerState): boolean {
	return ls.ChangeId_Pending > ls.ChangeId_Saved || ls.ProcessedRemoteChanges.size() > 0 || ls.loadMerged;
}

/** @internal an autosave check: write only what changed, or the lease when it is due (savePlan) */
export function autosaveCheck(ls: LockerState, now: number): void {
	const plan = planAutosave({
		Now: now,
		Period: QueryConfig(ls.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod),
		Expiry: QueryConfig(ls.LockerSpec.SessionExpiry, Defaults.SessionExpiry),
		LastWriteAt: ls.lastWriteAt,
		Dirty: hasUnsavedChanges(ls),
	});
	if (plan.Write === "none") ls.autosaveAt = plan.NextCheckAt;
	else startSave(ls);
}
