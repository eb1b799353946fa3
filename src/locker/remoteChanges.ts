import type { LockerState } from "./LockerState";
import { RawSaveData, SD_RemoteChange_Base } from "../protocol/format";
import {
	APPLIED_LEDGER_LIMIT,
	APPLIED_LEDGER_RETENTION,
	isRemoteChangeApplied,
	readRemoteChanges,
	recordRemoteChangeApplied,
} from "../protocol/remoteChanges";
import { TableDeepCopy } from "../util/TableDeepCopy";
import { CallOutcome, callUser } from "../util/callUser";
import { reportCallback, strict } from "./reporting";

/** The outcome used for a remote change whose idempotency key says it was applied already. */
const APPLIED_BEFORE: CallOutcome = { Ok: true, Yielded: false, Value: true, Error: "" };

/**
 * `LockerState.ProcessRemoteChanges`: applies the remote changes in SaveData through `ProcessRemoteChange`; consumed
 * ones are removed locally and remembered until a save removes them from the key.
 */
export function processRemoteChanges(ls: LockerState): void {
	const process = ls.LockerSpec.ProcessRemoteChange;
	const list = ls.SaveData.RemoteChanges;
	if (process === undefined || list === undefined || list.size() === 0) return;
	const kept = new Array<SD_RemoteChange_Base>();
	const data = ls.SaveData as unknown as RawSaveData;
	let consumed = 0;
	for (const change of list) {
		const id = change.I;
		if (id !== undefined && ls.ProcessedRemoteChanges.has(id)) continue;
		// A change with an idempotency key is applied at most once per key, whatever ProcessRemoteChange does:
		// its key is recorded in the same save as its effect, so a save that reported success without landing
		// (and so re-imports the change) cannot apply it twice.
		const ik = (change as { IK?: unknown }).IK;
		const alreadyApplied = typeIs(ik, "string") && isRemoteChangeApplied(data, ik);
		const outcome: CallOutcome = alreadyApplied
			? APPLIED_BEFORE
			: callUser(strict(ls), process, ls.SaveData, change);
		if (!outcome.Ok) reportCallback(ls, "ProcessRemoteChange", outcome.Yielded, outcome.Error);
		if (outcome.Ok && outcome.Value === true) {
			consumed += 1;
			if (id !== undefined) ls.ProcessedRemoteChanges.add(id);
			if (typeIs(ik, "string") && !alreadyApplied && !isRemoteChangeApplied(data, ik)) {
				recordRemoteChangeApplied(data, ik, os.time(), APPLIED_LEDGER_LIMIT, APPLIED_LEDGER_RETENTION);
			}
		} else {
			kept.push(change);
		}
	}
	ls.SaveData.RemoteChanges = kept.size() > 0 ? kept : undefined;
	if (consumed > 0) ls.MarkShouldSave();
}

/** @internal merges remote changes ls save saw in the key (by id) into SaveData and processes them */
export function importRemoteChanges(ls: LockerState, written: Array<SD_RemoteChange_Base> | undefined): void {
	if (written === undefined || written.size() === 0) return;
	const merged = readRemoteChanges(ls.SaveData);
	const known = new Set<number>();
	for (const change of merged) if (change.I !== undefined) known.add(change.I);
	let added = false;
	for (const change of written) {
		const id = change.I;
		if (id === undefined || known.has(id) || ls.ProcessedRemoteChanges.has(id)) continue;
		merged.push(TableDeepCopy(change));
		known.add(id);
		added = true;
	}
	if (!added) return;
	ls.SaveData.RemoteChanges = merged;
	ls.ProcessRemoteChanges();
}
