/**
 * Remote-change idempotency (pure functions): the sender's transform and the holder's applied-changes ledger.
 *
 * Every change carries an idempotency key `IK` (a string chosen by the sender, or a GUID). Stored format:
 * - `RemoteChanges[*]`: `{ K, I, A, IK, ...user fields }` (v13 plus the additive `IK`);
 * - `RemoteChangesApplied` (additive): `[IK, Timestamp]` for changes this key already applied, written in the same
 *   save as their effect and their removal from `RemoteChanges`. A sender whose earlier attempt may or may not have
 *   committed checks both lists, so a retried send never adds a change twice.
 */
import { normalizeCreatedSaveData } from "../protocol/acquire";
import { isRawTable, KeyInfoView, RawSaveData, SD_RemoteChange_Base } from "../protocol/format";
import { appendRemoteChanges, markForeignWrite, readRemoteChanges } from "../protocol/remoteChanges";
export { isRemoteChangeApplied, recordRemoteChangeApplied } from "../protocol/remoteChanges";

/** A change as queued by a sender: a copy of the user's table with its idempotency key. */
export type QueuedRemoteChange = SD_RemoteChange_Base & { IK: string };

export type { AppliedRemoteChange } from "../protocol/remoteChanges";

export interface SendContext {
	readonly Changes: ReadonlyArray<QueuedRemoteChange>;
	/** Only check which changes are in the key; never write. */
	readonly CheckOnly: boolean;
	readonly CreateIfMissing: boolean;
	/** Makes save data for a missing key (may throw). */
	readonly CreateSaveData: () => unknown;
	readonly Version: number;
	readonly NextId: () => number;
	readonly TimeLabel: number;
	/** Most unprocessed changes a key may store. */
	readonly StoredLimit: number;
}

export type SendStatus = "pending" | "written" | "nothing_new" | "missing" | "invalid" | "full";

/** The send transform's result record; reset at the start of every invocation. */
export interface SendResult {
	Status: SendStatus;
	/** IKs of the changes not found in the key (before this write). */
	Missing: Array<string>;
	/** Unprocessed changes stored in the key before this write. */
	StoredCount: number;
	Detail: string;
	/** The key's user ids (kept on write; empty for a new key). */
	UserIds: Array<number>;
}

export function sendResultCreate(): SendResult {
	return { Status: "pending", Missing: [], StoredCount: 0, Detail: "", UserIds: [] };
}

/** The IKs the key already knows: pending in `RemoteChanges` or recorded as applied. */
export function knownIdempotencyKeys(value: RawSaveData): Set<string> {
	const known = new Set<string>();
	for (const change of readRemoteChanges(value)) {
		const ik = (change as { IK?: unknown }).IK;
		if (typeIs(ik, "string")) known.add(ik);
	}
	const applied = value.RemoteChangesApplied;
	if (typeIs(applied, "table")) {
		for (const entry of applied as Array<unknown>) {
			if (typeIs(entry, "table")) {
				const ik = (entry as Array<unknown>)[0];
				if (typeIs(ik, "string")) known.add(ik);
			}
		}
	}
	return known;
}

/**
 * The RemoteChangeSender's transform. Adds the changes the key does not know yet (by IK), ignoring the lock but
 * preserving it and its staleness marker. Returns the value to write, or undefined to write nothing (`out` says why).
 */
export function sendTransform(
	current: unknown,
	keyInfo: (KeyInfoView & { GetUserIds?(): Array<number> }) | undefined,
	ctx: SendContext,
	out: SendResult,
): RawSaveData | undefined {
	out.Status = "pending";
	out.Missing = [];
	out.StoredCount = 0;
	out.Detail = "";
	out.UserIds = [];
	let value: RawSaveData;
	if (current === undefined) {
		if (!ctx.CreateIfMissing) {
			for (const change of ctx.Changes) out.Missing.push(change.IK);
			out.Status = "missing";
			return undefined;
		}
		const [ok, created] = pcall(ctx.CreateSaveData);
		const data = ok
			? normalizeCreatedSaveData(created, ctx.Version)
			: `SaveDataCreator threw: ${tostring(created)}`;
		if (typeIs(data, "string")) {
			out.Status = "invalid";
			out.Detail = data;
			return undefined;
		}
		// A new key gets no Session: whoever loads it first takes it and applies the changes (v13's B5 crashed here).
		value = data;
	} else if (!isRawTable(current)) {
		out.Status = "invalid";
		out.Detail = `stored value is a ${typeOf(current)}`;
		return undefined;
	} else {
		value = current;
		if (keyInfo !== undefined && keyInfo.GetUserIds !== undefined) out.UserIds = keyInfo.GetUserIds();
	}
	const known = knownIdempotencyKeys(value);
	const toAdd = new Array<QueuedRemoteChange>();
	for (const change of ctx.Changes) {
		if (known.has(change.IK)) continue;
		known.add(change.IK);
		out.Missing.push(change.IK);
		toAdd.push(change);
	}
	out.StoredCount = readRemoteChanges(value).size();
	if (ctx.CheckOnly || toAdd.size() === 0) {
		out.Status = "nothing_new";
		return undefined;
	}
	if (out.StoredCount + toAdd.size() > ctx.StoredLimit) {
		out.Status = "full";
		return undefined;
	}
	appendRemoteChanges(value, toAdd, ctx.NextId, ctx.TimeLabel);
	markForeignWrite(value, keyInfo);
	out.Status = "written";
	return value;
}
