import type { LockerState } from "./LockerState";
import { LockerErrorCreate } from "../errors";
import { normalizeCreatedSaveData } from "../protocol/acquire";
import { RawSaveData } from "../protocol/format";
import { TableRestoreBackup } from "../util/TableRestoreBackup";
import { callUser } from "../util/callUser";
import { LifecycleReason } from "./LockerSpec";
import { fireLifecycle, fireLoadStatusChanged, report, setLoadStatus, strict } from "./reporting";
import { forgetChanges } from "./savedWaiters";
import { PHASES, transition } from "./transition";

/** @internal runs the creator; `loud` turns a bad creator into an error (LockerCreate) instead of a report */
export function createOffline(ls: LockerState, loud: boolean): RawSaveData {
	const outcome = callUser(strict(ls), ls.LockerSpec.SaveDataCreator, ls);
	let detail: string | undefined;
	let data: RawSaveData | string = "nil";
	if (!outcome.Ok) {
		detail = outcome.Yielded ? "the creator yielded" : `the creator threw: ${outcome.Error}`;
	} else {
		data = normalizeCreatedSaveData(outcome.Value, ls.LockerSpec.SaveDataVersion);
		if (typeIs(data, "string")) detail = data;
	}
	if (detail === undefined && !typeIs(data, "string")) return data;
	const err = LockerErrorCreate("invalid_save_data", "SaveDataCreator", { detail });
	if (loud) error(`${ls.LogPrefix} ${err.Message}`, 3);
	report(ls, "invalid_save_data", "SaveDataCreator", { detail });
	return {
		Version: ls.LockerSpec.SaveDataVersion,
		VersionPatch: 0,
		Purchases: [],
		ProductCredit: [],
	};
}

/** @internal the creator as called inside the load transform */
export function creatorForTransform(ls: LockerState): unknown {
	const outcome = callUser(strict(ls), ls.LockerSpec.SaveDataCreator, ls);
	if (!outcome.Ok) error(outcome.Yielded ? "SaveDataCreator yielded" : outcome.Error, 0);
	return outcome.Value;
}

/** @internal SessionReset: drop the session and go back to fresh offline data */
export function resetTo(ls: LockerState, reason: LifecycleReason, initial?: boolean): void {
	ls.Session = undefined;
	ls.holderWriteMs = undefined;
	ls.pendingSession = undefined;
	if (initial !== true) TableRestoreBackup(ls.SaveData as unknown as RawSaveData, createOffline(ls, false));
	ls.fatalSaveBlocked = false;
	forgetChanges(ls);
	fireLifecycle(ls, "replaced", reason);
	if (initial === true) {
		fireLoadStatusChanged(ls);
	} else {
		setLoadStatus(ls, "loading");
	}
}

/** @internal */
export function enterIdle(ls: LockerState): void {
	ls.IsIdling = true;
	transition(ls, PHASES.idle, "free", "no hold key, no lock");
	ls.nextAttemptAt = 0;
	ls.failures = 0;
	ls.lockedStreak = 0;
	ls.loadBlocked = false;
	ls.pendingSession = undefined;
	// Fired once per entry into idle (v13 fired it on every idle tick).
	fireLifecycle(ls, "idling", "none");
}
