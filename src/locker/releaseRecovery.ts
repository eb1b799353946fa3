import { Defaults, QueryConfig } from "../config";
import type { RequestGateway } from "../gateway/RequestGateway";
import type { DataStoreLike } from "../gateway/types";
import { isRawTable, RawSaveData, StoredSession } from "../protocol/format";
import { isSameLock } from "../protocol/ownership";
import { SaveContext, SaveResult, saveResultCreate, saveTransform } from "../protocol/save";
import { TableDeepCopy } from "../util/TableDeepCopy";

// Releases written without a read-back ("on-request"): this server remembers what each one wrote, so that it can
// write it again if the write was reported done but never landed. Nothing reads the key to find out: the next
// server that finds the key still locked by the released lock asks (releaseAsk), or a load on this server meets
// the lock (loadJob). See docs/lock-protocol-v2.md, "Releases are confirmed on request".

/**
 * @internal
 * One release this server wrote and has not seen land: the exact lock it released and what it wrote.
 */
export interface ReleaseRecord {
	readonly Store: DataStoreLike;
	readonly Key: string;
	/** The lock the release removed: a re-release is fenced on it. */
	readonly Session: StoredSession;
	readonly Version: number;
	/** The value the release wrote (Session nil). Shared, never mutated: every use works on a deep copy. */
	readonly Snapshot: RawSaveData;
	/** Remote-change ids the release removed from the key. */
	readonly Processed: ReadonlyArray<number>;
	readonly UserIds: Array<number> | undefined;
	readonly Gateway: RequestGateway;
	/** Dropped after this time (gateway clock): by then the lock has expired anyway. */
	readonly ExpiresAt: number;
	/** A re-release is in flight. */
	Busy: boolean;
}

/** Records kept at most; the oldest is dropped first (its lock then waits out its expiry, as without records). */
export const RELEASE_RECORD_CAP = 200;
/** Re-release attempts per ask (the first one plus retries after the gateway's RetryDelay). */
const ASK_ATTEMPTS = 4;
/** Base (s) of the RetryDelay between re-release attempts: the asking server is waiting for the announcement. */
const ASK_RETRY_BASE = 2;

/** Oldest first. A short array: a lookup scans it, which costs less than a map of maps at this size. */
const records = new Array<ReleaseRecord>();

/** @internal how many records this server holds (specs and the closing pass read it) */
export function releaseRecordCount(): number {
	return records.size();
}

/** @internal the gateway of the newest record (the closing pass waits for its deadline), if any */
export function newestRecordGateway(): RequestGateway | undefined {
	return records.size() > 0 ? records[records.size() - 1].Gateway : undefined;
}

function sweep(now: number): void {
	for (let i = records.size() - 1; i >= 0; i--) {
		if (records[i].ExpiresAt <= now) records.remove(i);
	}
}

/** @internal forgets one record (it landed, was superseded, or is rewritten) */
export function dropReleaseRecord(record: ReleaseRecord): void {
	const at = records.indexOf(record);
	if (at >= 0) records.remove(at);
}

/**
 * @internal
 * Remembers a release that was reported written and not read back. Replaces any older record of the key.
 */
export function recordRelease(
	store: DataStoreLike,
	key: string,
	session: StoredSession,
	version: number,
	snapshot: RawSaveData,
	processed: ReadonlySet<number>,
	userIds: Array<number> | undefined,
	gateway: RequestGateway,
	expiry: number | undefined,
): ReleaseRecord {
	const now = gateway.clock();
	sweep(now);
	const old = findReleaseRecord(store, key);
	if (old !== undefined) dropReleaseRecord(old);
	const ids = new Array<number>();
	for (const id of processed) ids.push(id);
	const record: ReleaseRecord = {
		Store: store,
		Key: key,
		Session: session,
		Version: version,
		Snapshot: snapshot,
		Processed: ids,
		UserIds: userIds,
		Gateway: gateway,
		ExpiresAt: now + QueryConfig(expiry, Defaults.SessionExpiry),
		Busy: false,
	};
	records.push(record);
	while (records.size() > RELEASE_RECORD_CAP) records.remove(0);
	return record;
}

/** @internal this server's record of a release of `key` in `store`, if any (expired ones are dropped first) */
export function findReleaseRecord(store: unknown, key: string): ReleaseRecord | undefined {
	if (records.size() === 0) return undefined;
	sweep(records[0].Gateway.clock());
	for (const record of records) if (record.Store === store && record.Key === key) return record;
	return undefined;
}

/**
 * @internal
 * The release transform again, for a key that may still hold the recorded lock: returns the released value (the
 * recorded snapshot, with remote changes appended since kept) when the key holds exactly that lock, else undefined.
 * Pure; safe to re-run.
 */
export function reReleaseTransform(record: ReleaseRecord, current: unknown, out: SaveResult): RawSaveData | undefined {
	if (!isRawTable(current) || !isSameLock(current.Session, record.Session)) {
		// Not the recorded lock (released, or another server's): nothing to write. "lost" tells the caller.
		out.Status = "lost";
		out.Release = true;
		return undefined;
	}
	const processed = new Set<number>();
	for (const id of record.Processed) processed.add(id);
	const ctx: SaveContext = {
		Session: record.Session,
		Version: record.Version,
		Release: true,
		Snapshot: TableDeepCopy(record.Snapshot),
		ProcessedRemoteIds: processed,
		UpdatedAtLabel: os.time(),
	};
	return saveTransform(current, ctx, out);
}

/**
 * @internal
 * Writes a recorded release again with a fenced UpdateAsync: only if the key still holds exactly the released
 * lock. "written": it had not landed and is written now (the record stays until something proves it landed);
 * "gone": the key no longer holds that lock (the release had landed, or another server took the key), so the record
 * is dropped; "error": try again later. Yields.
 */
export function rewriteRelease(record: ReleaseRecord): "written" | "gone" | "error" {
	const out = saveResultCreate();
	const request = record.Gateway.Update(
		record.Store,
		record.Key,
		value => reReleaseTransform(record, value, out),
		record.UserIds,
		"UpdateAsync_ReRelease",
		"release",
	);
	// Kept when written: this write too may be reported done and never land. A later ask or load finds out.
	if (request.Outcome === "written" && out.Status === "saved") return "written";
	if (request.Outcome === "not_written" && out.Status === "lost") {
		dropReleaseRecord(record);
		return "gone";
	}
	return "error";
}

/**
 * @internal
 * Another server asks whether this server's release of `key` (lock `lock`) landed. With a record of exactly that
 * release and no re-release in flight, writes it again (fenced), retrying errors a few times after the gateway's
 * RetryDelay; `onWritten` runs when a re-release landed (announce it). An ask for a release this server has no
 * record of (it landed, or the lock is not ours) does nothing. Returns whether a re-release started.
 */
export function answerReleaseAsk(store: unknown, key: string, lock: StoredSession, onWritten: () => void): boolean {
	const record = findReleaseRecord(store, key);
	if (record === undefined || record.Busy || !isSameLock(lock, record.Session)) return false;
	record.Busy = true;
	task.spawn(() => {
		for (let attempt = 1; attempt <= ASK_ATTEMPTS; attempt++) {
			if (records.indexOf(record) < 0) break; // a load on this server settled it meanwhile
			const outcome = rewriteRelease(record);
			if (outcome === "written") onWritten();
			if (outcome !== "error") break;
			if (attempt < ASK_ATTEMPTS) {
				task.wait(record.Gateway.RetryDelay(ASK_RETRY_BASE, attempt));
			}
		}
		record.Busy = false;
	});
	return true;
}

/**
 * @internal
 * While this server closes: writes every recorded release again (fenced; a landed one writes nothing), newest
 * first, as long as `mayWrite` grants a slot (no live release unwritten, time and budget left). Yields. Returns how
 * many it rewrote. `reserve` may yield; each granted slot is handed back with `unreserve`.
 */
export function rewriteRecordsWhileClosing(
	reserve: (gateway: RequestGateway) => boolean,
	unreserve: () => void,
): number {
	let rewritten = 0;
	const pending = table.clone(records);
	for (let i = pending.size() - 1; i >= 0; i--) {
		const record = pending[i];
		if (record.Busy || records.indexOf(record) < 0) continue;
		if (!reserve(record.Gateway)) break;
		record.Busy = true;
		const outcome = rewriteRelease(record);
		record.Busy = false;
		unreserve();
		if (outcome === "written") rewritten += 1;
		// One attempt each: at shutdown there is no time for another round; what is left expires.
		dropReleaseRecord(record);
	}
	return rewritten;
}
