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

export interface Job {
	Kind: "load" | "save" | "cleanup";
	Thread: thread | undefined;
	Done: boolean;
	Load: LoadJobResult | undefined;
	SaveResult: SaveJobResult | undefined;
	Cleanup: GatewayResult | undefined;
}

/** @internal */
export function spawnJob(ls: LockerState, kind: "load" | "save" | "cleanup", body: (job: Job) => void): void {
	const job: Job = {
		Kind: kind,
		Thread: undefined,
		Done: false,
		Load: undefined,
		SaveResult: undefined,
		Cleanup: undefined,
	};
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

// ---------------------------------------------------------------- internals

/**
 * @internal
 * The user ids every write passes: UpdateAsync clears the key's user ids when given none, so a locker created
 * without user ids keeps whatever the key already has instead of wiping it.
 */
export function userIdsForWrite(ls: LockerState): Array<number> | undefined {
	return ls.AssociatedUserIds.size() > 0 ? ls.AssociatedUserIds : undefined;
}
