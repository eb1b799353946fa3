import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { DataStoreLike } from "../gateway/types";
import { AcquireContext, acquireResultCreate, acquireTransform } from "../protocol/acquire";
import { RawSaveData, SaveData, StoredSession } from "../protocol/format";
import { saveResultCreate } from "../protocol/save";
import { TableDeepCopy } from "../util/TableDeepCopy";
import { TableRestoreBackup } from "../util/TableRestoreBackup";
import { callUser } from "../util/callUser";
import { deepFreeze } from "../util/deepFreeze";
import { LoadJob, LoadJobResult, retryLater, spawnJob, userIdsForWrite } from "./jobs";
import { fireLifecycle, fireLoadStatusChanged, report, reportCallback, setLoadStatus, strict } from "./reporting";
import { creatorForTransform } from "./reset";
import { forgetChanges } from "./savedWaiters";
import { dropReleaseRecord, findReleaseRecord, reReleaseTransform } from "./releaseRecovery";
import { migratorsForTransform } from "./strictMigrators";
import { TakeoverWatch, livenessHubFor } from "./takeover";
import { PHASES, transition } from "./transition";

/** @internal */
export function startLoad(ls: LockerState): void {
	let session = ls.pendingSession;
	if (session === undefined) {
		session = {
			PlaceId: ls.gateway.PlaceId,
			JobId: ls.gateway.JobId,
			LockId: ls.gateway.NewLockId(),
			UpdatedAt: os.time(),
		};
		ls.pendingSession = session;
	}
	const lock = session;
	// Only an announcement heard while this load is in flight may cut its cooldown short.
	ls.releaseHeard = false;
	spawnJob(ls, "load", job => runLoadJob(ls, job, lock));
}

/** Delays (s) of the first retries after a "locked" load, before the cooldown: a server hop's release is in flight. */
const QUICK_LOCKED_RETRIES = [0.25, 0.5, 1, 2];

/**
 * @internal
 * The wait after a "locked" load. A player who just left another server usually has a release in flight there, one
 * round trip from landing: the first retries come after 0.25, 0.5, 1 and 2 s (each a read; the transform writes nothing
 * while the key is locked), then every `SessionRetryCooldown`. The holder's release announcement, when heard,
 * cuts any of them short.
 */
export function lockedRetryDelay(ls: LockerState): number {
	const quick = QUICK_LOCKED_RETRIES[ls.lockedStreak - 1];
	if (quick !== undefined) return ls.gateway.RetryDelay(quick, 1);
	const base = QueryConfig(ls.LockerSpec.SessionRetryCooldown, Defaults.SessionRetryCooldown);
	return ls.gateway.RetryDelay(base, 1);
}

/** @internal the load job, in its own thread */
export function runLoadJob(ls: LockerState, job: LoadJob, session: StoredSession): void {
	const acquire = acquireResultCreate();
	if (ls.DisableAPIs) {
		acquire.Status = "loaded";
		acquire.Value = TableDeepCopy(ls.SaveData as unknown as RawSaveData);
		acquire.Value.Session = session;
		job.Load = {
			Request: {
				Outcome: "written",
				Value: acquire.Value,
				KeyInfo: undefined,
				ErrorMessage: "",
				Class: undefined,
				Size: 0,
			},
			Acquire: acquire,
			Session: session,
		};
		job.Done = true;
		return;
	}
	session.UpdatedAt = os.time();
	session.Heartbeat = heartbeatMarker(ls);
	const [migrators, patchers] = migratorsForTransform(ls);
	const context: { -readonly [K in keyof AcquireContext]: AcquireContext[K] } = {
		NewSession: session,
		Version: ls.LockerSpec.SaveDataVersion,
		Expiry: QueryConfig(ls.LockerSpec.SessionExpiry, Defaults.SessionExpiry),
		BackendNow: ls.gateway.BackendNow(),
		CreateSaveData: () => creatorForTransform(ls),
		Migrators: migrators,
		Patchers: patchers,
		TakeDeadHolder: ls.takeover?.DeadHolder(),
	};
	const store = ls.store as DataStoreLike;
	// A release of this key that this server wrote without reading it back: if the key still holds that lock (the
	// release never landed), the load writes the release's data first, in the same fenced request, and takes it.
	const record = findReleaseRecord(store, ls.DataStoreKey);
	const rerelease = saveResultCreate();
	const transform = (value: unknown, keyInfo: { UpdatedTime: number } | undefined) => {
		if (record !== undefined) {
			const released = reReleaseTransform(record, value, rerelease);
			if (released !== undefined) return acquireTransform(released, keyInfo, context, acquire);
		}
		return acquireTransform(value, keyInfo, context, acquire);
	};
	let request = ls.gateway.Update(store, ls.DataStoreKey, transform, userIdsForWrite(ls), "UpdateAsync_Load");
	if (request.Outcome === "not_written" && acquire.Status === "need_clock") {
		const probe = ls.gateway.ProbeClock(store);
		context.BackendNow = ls.gateway.BackendNow();
		if (probe.Outcome === "request_error") {
			request = probe;
		} else if (context.BackendNow !== undefined) {
			request = ls.gateway.Update(store, ls.DataStoreKey, transform, userIdsForWrite(ls), "UpdateAsync_Load");
		}
	}
	// Settled: the key no longer held the recorded lock (the release had landed). A load written over that lock keeps
	// the record: the write may be reported done and never land, and the next fenced use of it finds out.
	if (record !== undefined && rerelease.Status === "lost") {
		dropReleaseRecord(record);
	}
	job.Load = { Request: request, Acquire: acquire, Session: session };
	job.Done = true;
}

/**
 * @internal 1 when this load's lock may advertise a heartbeat: liveness is on and this server's entry is written
 * and fresh. Starts the shared heartbeat on first use and waits (briefly) for its first write. Yields.
 */
export function heartbeatMarker(ls: LockerState): 1 | undefined {
	if (ls.livenessHub === undefined) ls.livenessHub = livenessHubFor(ls.LockerSpec, ls.gateway) ?? false;
	const hub = ls.livenessHub;
	if (hub === false) return undefined;
	hub.Start(ls);
	hub.AwaitFirstAttempt();
	// A lapse after this point makes the new lock's marker doubtful (heartbeatLease.ts).
	ls.heartbeatEpoch = hub.LapseCount();
	return hub.IsEstablished() ? 1 : undefined;
}

/** @internal the takeover watch, created with the first "locked" load when liveness is on */
export function takeoverWatch(ls: LockerState): TakeoverWatch | undefined {
	const hub = ls.livenessHub;
	if (hub === undefined || hub === false) return undefined;
	if (ls.takeover === undefined) {
		ls.takeover = new TakeoverWatch(hub, ls.gateway.JobId, () => ls.RetryLoadNow());
	}
	return ls.takeover;
}

/** @internal */
export function consumeLoad(ls: LockerState, job: LoadJob, now: number): void {
	const result = job.Load as LoadJobResult;
	const request = result.Request;
	const acquire = result.Acquire;
	const operation = "UpdateAsync_Load";
	if (request.Outcome === "written" && acquire.Status === "loaded" && acquire.Value !== undefined) {
		ls.takeover?.Cancel();
		ls.holderWriteMs = request.KeyInfo !== undefined ? request.KeyInfo.UpdatedTime : undefined;
		onLoaded(ls, acquire.Value, result.Session, now);
		return;
	}
	if (request.Outcome === "request_error") {
		setLoadStatus(ls, "data_store_request_fail");
		// The transform produced our lock before the error: the write may have committed (an ambiguous write).
		// A retry recognises the lock as ours; if the locker is released first, the lock must be cleaned up.
		if (acquire.Status === "loaded") ls.orphanSession = result.Session;
		if (request.Class !== undefined && request.Class.Retry === "fatal") {
			ls.loadBlocked = true;
			report(ls, "request_fatal", operation, { detail: request.ErrorMessage, delay: "∞" }, request);
		} else {
			const delay = retryLater(ls, now);
			report(ls, "request_failed", operation, { detail: request.ErrorMessage, delay }, request);
		}
		return;
	}
	if (request.Outcome === "transform_threw" || request.Outcome === "incomplete") {
		setLoadStatus(ls, "data_store_request_fail");
		retryLater(ls, now);
		report(ls, "transform_failed", operation, { detail: request.ErrorMessage });
		return;
	}
	if (request.Outcome === "too_large") {
		setLoadStatus(ls, "data_store_request_fail");
		ls.loadBlocked = true;
		report(ls, "value_too_large", operation, { size: request.Size, limit: ls.gateway.SizeLimit });
		return;
	}
	if (request.Outcome === "not_serializable") {
		setLoadStatus(ls, "data_store_request_fail");
		ls.loadBlocked = true;
		report(ls, "value_not_serializable", operation, { detail: request.ErrorMessage });
		return;
	}
	// Not written: the transform decided.
	const status = acquire.Status;
	if (status === "locked") {
		setLoadStatus(ls, "session_is_locked");
		ls.lockedStreak += 1;
		ls.nextAttemptAt = now + lockedRetryDelay(ls);
		// A release announced while this load was in flight: it read the key just before the release landed.
		if (ls.releaseHeard) ls.nextAttemptAt = now;
		ls.releaseHeard = false;
		// A holder whose heartbeat a read found gone is taken at once (fenced on its exact lock).
		if (takeoverWatch(ls)?.OnLocked(acquire.Holder) === true) ls.nextAttemptAt = now;
		// Another live server's lock: with releases confirmed on request, that server is asked to confirm its release.
		const holder = acquire.Holder;
		const ask = ls.LockerSpec.ReleaseAsk;
		if (ask !== undefined && holder !== undefined && holder.JobId !== ls.gateway.JobId) ask(ls, holder);
	} else if (status === "invalid_version") {
		ls.LoadMinimumServerVersion = acquire.MinimumServerVersion;
		ls.loadBlocked = true;
		setLoadStatus(ls, "invalid_version");
		report(ls, "invalid_version", operation, {
			detail: acquire.Detail,
			version: ls.LockerSpec.SaveDataVersion,
			minimum: acquire.MinimumServerVersion,
		});
	} else if (status === "migration_failed") {
		// Migrators are deterministic: retrying cannot help; a server with a fixed migrator can.
		ls.LoadMinimumServerVersion = ls.LockerSpec.SaveDataVersion + 1;
		ls.loadBlocked = true;
		setLoadStatus(ls, "invalid_version");
		report(ls, "migration_failed", operation, { detail: acquire.Detail });
	} else if (status === "invalid_data") {
		ls.loadBlocked = true;
		setLoadStatus(ls, "invalid_data");
		report(ls, "invalid_stored_data", operation, { detail: acquire.Detail });
	} else if (status === "invalid_save_data") {
		ls.loadBlocked = true;
		setLoadStatus(ls, "data_store_request_fail");
		report(ls, "invalid_save_data", operation, { detail: acquire.Detail });
	} else {
		// need_clock without a usable probe, or a transform that never decided.
		setLoadStatus(ls, "data_store_request_fail");
		const delay = retryLater(ls, now);
		report(ls, "request_failed", operation, { detail: `load could not complete (${status})`, delay });
	}
}

/** @internal */
export function onLoaded(ls: LockerState, value: RawSaveData, session: StoredSession, now: number): void {
	ls.Session = session;
	ls.pendingSession = undefined;
	ls.orphanSession = undefined;
	ls.failures = 0;
	ls.lockedStreak = 0;
	ls.nextAttemptAt = 0;
	ls.LastError = undefined;
	ls.autosaveAt = now + QueryConfig(ls.LockerSpec.MaintainSessionPeriod, Defaults.MaintainSessionPeriod);
	const merge = ls.LockerSpec.MergeOfflineSaveDataWithLoadedSaveData;
	let offline: SaveData | undefined;
	if (merge !== undefined) {
		offline = TableDeepCopy(ls.SaveData);
		if (strict(ls)) deepFreeze(offline);
	}
	TableRestoreBackup(ls.SaveData as unknown as RawSaveData, value);
	forgetChanges(ls);
	ls.LoadStatus = "loaded";
	transition(ls, ls.inUseCount > 0 ? PHASES.held : PHASES.releasing, "loaded", "the load wrote our lock");
	if (merge !== undefined && offline !== undefined) {
		const outcome = callUser(strict(ls), merge, ls, offline, ls.SaveData);
		if (!outcome.Ok) reportCallback(ls, "MergeOfflineSaveDataWithLoadedSaveData", outcome.Yielded, outcome.Error);
	}
	ls.ProcessRemoteChanges();
	fireLifecycle(ls, "replaced", "r_loaded");
	fireLoadStatusChanged(ls);
}
