import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { SavedConnection } from "./SavedConnection";

/** @internal */
export function verifiesAwaitedSaves(ls: LockerState): boolean {
	return QueryConfig(ls.LockerSpec.VerifyAwaitedSaves, Defaults.VerifyAwaitedSaves);
}

/** @internal the ChangeId up to which waiters may be told "saved": read back when verification is on */
export function acknowledgedChangeId(ls: LockerState): number {
	return verifiesAwaitedSaves(ls) ? ls.changeIdVerified : ls.ChangeId_Saved;
}

/**
 * @internal
 * A waiter that arrived after the save covering its changes returned unverified: only a verified save may
 * answer it, so one is due now rather than at the next autosave.
 */
export function hasUnverifiedWaiter(ls: LockerState): boolean {
	if (ls.changeIdVerified >= ls.ChangeId_Saved || !verifiesAwaitedSaves(ls)) return false;
	for (const connection of ls.SavedConnections) {
		if (connection.Connected && connection.ChangeId <= ls.ChangeId_Saved) return true;
	}
	return false;
}

/** @internal true when a waiter would be resolved by a save covering `changeId` */
export function hasWaitersUpTo(ls: LockerState, changeId: number): boolean {
	if (!verifiesAwaitedSaves(ls)) return false;
	for (const connection of ls.SavedConnections) {
		if (connection.Connected && connection.ChangeId <= changeId) return true;
	}
	return false;
}

/** @internal resolves every waiter with false (the data they waited on is gone) */
export function failAllSavedConnections(ls: LockerState): void {
	const list = ls.SavedConnections;
	if (list.size() === 0) return;
	const pending = table.clone(list);
	list.clear();
	for (const connection of pending) connection.Trigger(false);
}

/** @internal resolves waiters covered by ChangeId_Saved; the others stay queued (v13's B3 dropped them) */
export function triggerCoveredSavedConnections(ls: LockerState): void {
	const list = ls.SavedConnections;
	if (list.size() === 0) return;
	const covered = new Array<SavedConnection>();
	const saved = acknowledgedChangeId(ls);
	for (let i = list.size() - 1; i >= 0; i--) {
		const connection = list[i];
		if (!connection.Connected) list.unorderedRemove(i);
		else if (connection.ChangeId <= saved) {
			covered.push(connection);
			list.unorderedRemove(i);
		}
	}
	for (const connection of covered) connection.Trigger(true);
}

/**
 * @internal
 * SaveData was replaced (loaded or reset): the change counters start over, no release is pending, and every waiter
 * is answered false.
 */
export function forgetChanges(ls: LockerState): void {
	ls.ChangeId_Pending = 0;
	ls.ChangeId_PendingForce = 0;
	ls.ChangeId_Saved = 0;
	ls.changeIdVerified = 0;
	ls.releasePending = false;
	ls.heartbeatUnconfirmed = false;
	ls.ProcessedRemoteChanges.clear();
	failAllSavedConnections(ls);
}
