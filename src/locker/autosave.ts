import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { startSave } from "./saveJob";
import { leaseDeadline, planAutosave, SaveCheck } from "./savePlan";

/** @internal MaintainSessionPeriod of a locker */
function periodOf(ls: LockerState): number {
	return QueryConfig(ls.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod);
}

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
	// The gateway gives each new session a phase in its first period, so a join storm's autosaves do not bunch; a
	// check already due sooner (a dropped release's changes) keeps its time.
	ls.autosaveAt = math.min(ls.autosaveAt, ls.gateway.PlanAutosave(now, periodOf(ls), ls));
}

/**
 * @internal
 * True when something is in SaveData but not in the key: a marked change (purchases and product credits mark
 * one), a remote change applied but still listed in the key, or offline data merged on load.
 */
export function hasUnsavedChanges(ls: LockerState): boolean {
	return ls.ChangeId_Pending > ls.ChangeId_Saved || ls.ProcessedRemoteChanges.size() > 0 || ls.loadMerged;
}

/** @internal someone waits for a save of this locker (a purchase, `WhenChangesSaved`): its save is never held back */
function hasSaveWaiter(ls: LockerState): boolean {
	for (const connection of ls.SavedConnections) if (connection.Connected) return true;
	return false;
}

/**
 * @internal an autosave check: write only what changed, or the lease when it is due (savePlan); a write of changed
 * data nobody waits for goes later while the server is short of request budget, never past the lease deadline
 */
export function autosaveCheck(ls: LockerState, now: number): void {
	const period = periodOf(ls);
	const check: SaveCheck = {
		Now: now,
		Period: period,
		Expiry: QueryConfig(ls.LockerSpec.SessionExpiry, Defaults.SessionExpiry),
		LastWriteAt: ls.lastWriteAt,
		Dirty: hasUnsavedChanges(ls),
	};
	const plan = planAutosave(check);
	const planner = ls.gateway.autosaves;
	if (plan.Write === "none") {
		ls.autosaveAt = plan.NextCheckAt;
		planner.Note(ls, plan.NextCheckAt, now);
		return;
	}
	if (plan.Write === "changed" && !hasSaveWaiter(ls)) {
		const pressure = ls.gateway.BudgetPressure();
		const at = planner.Stretch(ls, now, ls.autosaveAt, leaseDeadline(check), period, pressure);
		if (at > now) {
			ls.autosaveAt = at;
			return;
		}
	}
	// The save keeps this session's phase: its next check is one period after it.
	planner.Note(ls, now + period, now);
	startSave(ls);
}
