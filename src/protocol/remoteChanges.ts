import { isRawTable, isStoredSession, KeyInfoView, RawSaveData, SD_RemoteChange_Base } from "./format";

function isRemoteChange(value: unknown): value is SD_RemoteChange_Base {
	return typeIs(value, "table") && typeIs((value as { K?: unknown }).K, "string");
}

/**
 * The key's remote changes as a clean array (malformed entries are dropped from the view, not from the key).
 *
 * @example
 * for (const change of readRemoteChanges(value)) print(change.K);
 */
export function readRemoteChanges(value: unknown): Array<SD_RemoteChange_Base> {
	const result = new Array<SD_RemoteChange_Base>();
	if (!isRawTable(value)) return result;
	const list = value.RemoteChanges;
	if (!typeIs(list, "table")) return result;
	for (const change of list as Array<unknown>) if (isRemoteChange(change)) result.push(change);
	return result;
}

/**
 * What the holder writes as `RemoteChanges`: the stored list minus the changes it has processed, so that a
 * change's effect and its removal persist in the same write, and changes that arrived meanwhile are kept.
 * Undefined when nothing is left (the field is removed, as in v13).
 *
 * @example
 * value.RemoteChanges = remoteChangesForWrite(stored, ls.ProcessedRemoteChanges);
 */
export function remoteChangesForWrite(
	stored: unknown,
	processedIds: ReadonlySet<number>,
): Array<SD_RemoteChange_Base> | undefined {
	const kept = new Array<SD_RemoteChange_Base>();
	for (const change of readRemoteChanges(stored)) {
		if (change.I === undefined || !processedIds.has(change.I)) kept.push(change);
	}
	return kept.size() > 0 ? kept : undefined;
}

/**
 * For writers that do not hold the key (RemoteChangeSender): call on the value inside the transform before
 * returning it. If the key is locked, it records the holder's last write time (the key's UpdatedTime) in
 * `Session.HolderWriteTime`, so this foreign write does not refresh the lock's age. Holder writes clear it.
 *
 * @example
 * store.UpdateAsync(key, (value, keyInfo) => {
 * 	appendRemoteChanges(value, changes, ...);
 * 	markForeignWrite(value, keyInfo);
 * 	return $tuple(value, keyInfo?.GetUserIds(), keyInfo?.GetMetadata());
 * });
 */
export function markForeignWrite(value: unknown, keyInfo: KeyInfoView | undefined): void {
	if (!isRawTable(value) || keyInfo === undefined) return;
	const session = value.Session;
	if (!isStoredSession(session)) return;
	if (session.HolderWriteTime === undefined) session.HolderWriteTime = keyInfo.UpdatedTime;
}

/**
 * Appends changes to a stored value (creating the list), giving each a random id `I` unique among the key's
 * changes and the time label `A`. For RemoteChangeSender transforms; pure except for `nextId`.
 *
 * @example
 * appendRemoteChanges(value, [{ K: "give_gold", Amount: 5 }], () => rng.NextInteger(0, 2 ** 32 - 1), os.time());
 */
export function appendRemoteChanges(
	value: RawSaveData,
	changes: ReadonlyArray<SD_RemoteChange_Base>,
	nextId: () => number,
	timeLabel: number,
): Array<number> {
	const list = readRemoteChanges(value);
	const used = new Set<number>();
	for (const change of list) if (change.I !== undefined) used.add(change.I);
	const ids = new Array<number>();
	for (const change of changes) {
		let id = nextId();
		while (used.has(id)) id = nextId();
		used.add(id);
		ids.push(id);
		const copy: { [key: string]: unknown } = {};
		for (const [k, v] of pairs(change as unknown as { [key: string]: unknown })) copy[k] = v;
		copy.I = id;
		copy.A = timeLabel;
		list.push(copy as unknown as SD_RemoteChange_Base);
	}
	value.RemoteChanges = list;
	return ids;
}

/** `[IK, Timestamp (os.time)]` */
export type AppliedRemoteChange = [IK: string, Timestamp: number];

/** How many applied idempotency keys a key remembers, and for how long (seconds): senders retry within minutes. */
export const APPLIED_LEDGER_LIMIT = 500;
export const APPLIED_LEDGER_RETENTION = 7 * 24 * 3600;

/** True when the holder's data records this IK as applied. */
export function isRemoteChangeApplied(data: RawSaveData, ik: string): boolean {
	const applied = data.RemoteChangesApplied;
	if (!typeIs(applied, "table")) return false;
	for (const entry of applied as Array<unknown>) {
		if (typeIs(entry, "table") && (entry as Array<unknown>)[0] === ik) return true;
	}
	return false;
}

/**
 * Records an applied IK in the holder's data. Entries older than `retention` seconds are dropped, then the oldest
 * beyond `limit`: a sender retries within seconds or minutes, never days.
 */
export function recordRemoteChangeApplied(
	data: RawSaveData,
	ik: string,
	now: number,
	limit: number,
	retention: number,
): void {
	const list = new Array<AppliedRemoteChange>();
	const stored = data.RemoteChangesApplied;
	if (typeIs(stored, "table")) {
		for (const entry of stored as Array<unknown>) {
			if (!typeIs(entry, "table")) continue;
			const [key, at] = entry as AppliedRemoteChange;
			if (typeIs(key, "string") && typeIs(at, "number") && now - at <= retention) list.push([key, at]);
		}
	}
	list.push([ik, now]);
	while (list.size() > math.max(limit, 1)) list.shift();
	data.RemoteChangesApplied = list;
}
