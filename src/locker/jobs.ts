import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { GatewayResult } from "../gateway/RequestGateway";
import { AcquireResult } from "../protocol/acquire";
import { StoredSession } from "../protocol/format";
import { SaveResult } from "../protocol/save";

export interface LoadJobResult {
	Request: GatewayResult;
	Acquire: AcquireResult;
	Session: StoredSession;
}

export interface SaveJobResult {
	Request: GatewayResult | undefined;
	Save: SaveResult;
	/** ChangeId_Pending captured inside the transform that ran last. */
	ChangeId: number;
	/** ProcessedRemoteChanges captured inside the transform that ran last. */
	Processed: Set<number>;
	/** JSON length when the pre-request size check refused to send. */
	PreflightSize: number | undefined;
	PreflightError: string | undefined;
	/** False when the read-back after the write did not find it (a write reported as done that never landed). */
	Verified: boolean;
	/** True when a read-back ran and found the write (waiters may be told "saved" under VerifyAwaitedSaves). */
	ReadBack: boolean;
	VerifyDetail: string;
	/**
	 * A release's read-back: "released" when the key no longer holds our lock, "ours" when it still does (the
	 * release was reported as done but never landed), "unknown" when the read failed.
	 */
	ReleaseCheck: "released" | "ours" | "unknown" | undefined;
}

interface JobBase {
	Thread: thread | undefined;
	/** Set by the job's thread once its result is in; `SessionUpdate` then consumes it. */
	Done: boolean;
}

export interface LoadJob extends JobBase {
	Kind: "load";
	Load: LoadJobResult | undefined;
}

export interface SaveJob extends JobBase {
	Kind: "save";
	SaveResult: SaveJobResult | undefined;
}

/** Removes a lock an abandoned load may have written. */
export interface CleanupJob extends JobBase {
	Kind: "cleanup";
	Cleanup: GatewayResult | undefined;
}

/** The request in flight: at most one per locker. */
export type Job = LoadJob | SaveJob | CleanupJob;

export type JobOf<K extends Job["Kind"]> = Extract<Job, { Kind: K }>;

/** @internal runs `body` in its own thread as the locker's job of kind `kind` */
export function spawnJob<K extends Job["Kind"]>(ls: LockerState, kind: K, body: (job: JobOf<K>) => void): void {
	// The result field of each kind starts out nil.
	const job = { Kind: kind, Thread: undefined, Done: false } as unknown as JobOf<K>;
	ls.job = job;
	const thread = coroutine.create(body);
	job.Thread = thread;
	task.spawn(thread, job);
}

/** @internal */
export function retryLater(ls: LockerState, now: number): number {
	ls.failures += 1;
	const base = QueryConfig(ls.LockerSpec.SessionRetryCooldown, Defaults.SessionRetryCooldown);
	const delay = ls.gateway.RetryDelay(base, ls.failures);
	ls.nextAttemptAt = now + delay;
	return math.floor(delay * 10 + 0.5) / 10;
}

/**
 * @internal
 * The user ids every write passes: UpdateAsync clears the key's user ids when given none, so a locker created
 * without user ids keeps whatever the key already has instead of wiping it.
 */
export function userIdsForWrite(ls: LockerState): Array<number> | undefined {
	return ls.AssociatedUserIds.size() > 0 ? ls.AssociatedUserIds : undefined;
}
