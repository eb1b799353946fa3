import type { LockerState } from "./LockerState";
import { GatewayResult } from "../gateway/RequestGateway";
import { DataStoreLike } from "../gateway/types";
import { RawSaveData, StoredSession } from "../protocol/format";
import { saveResultCreate, saveTransform } from "../protocol/save";
import { TableDeepCopy } from "../util/TableDeepCopy";
import { SaveJob, SaveJobResult, spawnJob, userIdsForWrite } from "./jobs";
import { checkRelease, endClosingReadBack, releaseReadBack, releasesUnwritten } from "./release";
import { recordRelease } from "./releaseRecovery";
import { fireLifecycle, setLoadStatus } from "./reporting";
import { hasUnverifiedWaiter, hasWaitersUpTo } from "./savedWaiters";

/** @internal */
export function startSave(ls: LockerState): void {
	const session = ls.Session as StoredSession;
	if (ls.inUseCount === 0 && !ls.releasePending) {
		// From here until a write settles it, the data may become the next holder's at any moment: nothing new
		// may rely on it (a purchase, a reused profile), so the locker stops being loaded and available.
		ls.releasePending = true;
		setLoadStatus(ls, "loading");
	}
	if (ls.inUseCount === 0) releasesUnwritten.add(ls);
	spawnJob(ls, "save", job => runSaveJob(ls, job, session));
}

/** @internal the save job, in its own thread */
export function runSaveJob(ls: LockerState, job: SaveJob, session: StoredSession): void {
	fireLifecycle(ls, "before_save", "none");
	const save = saveResultCreate();
	const result: SaveJobResult = {
		Request: undefined,
		Save: save,
		ChangeId: 0,
		Processed: new Set(),
		PreflightSize: undefined,
		PreflightError: undefined,
		Verified: true,
		ReadBack: false,
		VerifyDetail: "",
		ReleaseCheck: undefined,
	};
	if (ls.DisableAPIs) {
		result.ChangeId = ls.ChangeId_Pending;
		result.ReadBack = true; // nothing is stored anywhere, so there is nothing to read back
		save.Status = "saved";
		save.Release = ls.inUseCount === 0;
		save.WrittenSession = save.Release ? undefined : session;
		save.WrittenRemoteChanges = ls.SaveData.RemoteChanges;
		job.SaveResult = result;
		job.Done = true;
		return;
	}
	// Size check before the request: an oversized value is never sent, truncated or dropped.
	const [measured, size] = ls.gateway.Measure(ls.SaveData);
	if (!measured) {
		result.PreflightError = size as string;
	} else if ((size as number) > ls.gateway.SizeLimit) {
		result.PreflightSize = size as number;
	}
	if (result.PreflightError !== undefined || result.PreflightSize !== undefined) {
		job.SaveResult = result;
		job.Done = true;
		return;
	}
	const version = ls.LockerSpec.SaveDataVersion;
	// What the transform that ran last wrote: a release confirmed on request keeps it to write it again.
	let written: RawSaveData | undefined;
	const operation = ls.inUseCount === 0 ? "UpdateAsync_Release" : "UpdateAsync_Save";
	// A save nobody waits for (no forced change, no waiter) may wait its turn when the request budget runs low.
	const priority =
		operation === "UpdateAsync_Save" && ls.ChangeId_PendingForce <= ls.ChangeId_Saved && !hasUnverifiedWaiter(ls)
			? "autosave"
			: undefined;
	result.Request = ls.gateway.Update(
		ls.store as DataStoreLike,
		ls.DataStoreKey,
		value => {
			fireLifecycle(ls, "before_save_transform", "none");
			result.ChangeId = ls.ChangeId_Pending;
			const processed = new Set<number>();
			for (const id of ls.ProcessedRemoteChanges) processed.add(id);
			result.Processed = processed;
			written = saveTransform(
				value,
				{
					Session: session,
					Version: version,
					// Read here, not at job start: a re-acquire that lands before the transform cancels the release.
					Release: ls.inUseCount === 0,
					Snapshot: TableDeepCopy(ls.SaveData as unknown as RawSaveData),
					ProcessedRemoteIds: processed,
					UpdatedAtLabel: os.time(),
				},
				save,
			);
			return written;
		},
		userIdsForWrite(ls),
		operation,
		priority,
	);
	if (result.Request.Outcome === "written" || save.Status === "lost") releasesUnwritten.delete(ls);
	if (result.Request.Outcome === "written" && save.Status === "saved") {
		// A release is confirmed: it is the session's last write, and one reported as done that never landed would
		// lose the session's last changes and leave the key locked until it expires. It is read back, or (spec
		// "on-request", not closing, no waiter) recorded, to be written again if it is found still locked.
		const readBack = save.Release ? releaseReadBack(ls) : "skip";
		if (readBack === "always" && confirmsOnRequest(ls, result.ChangeId) && written !== undefined) {
			// Not read back: recorded instead, and written again only if a server asks (releaseRecovery.ts).
			const expiry = ls.LockerSpec.SessionExpiry;
			const ids = userIdsForWrite(ls);
			recordRelease(
				ls.store as DataStoreLike,
				ls.DataStoreKey,
				session,
				version,
				written,
				result.Processed,
				ids,
				ls.gateway,
				expiry,
			);
		} else if (readBack !== "skip") {
			checkRelease(ls, result, session);
			if (readBack === "reserved") endClosingReadBack();
		} else if (hasWaitersUpTo(ls, result.ChangeId)) verifyWrite(ls, result);
	}
	job.SaveResult = result;
	job.Done = true;
}

/**
 * @internal
 * Whether a release written now is confirmed on request instead of read back: the spec says so ("on-request"), and
 * no waiter is told "saved" by it (a purchase waiting on the release still gets its read-back).
 */
function confirmsOnRequest(ls: LockerState, changeId: number): boolean {
	return ls.LockerSpec.ReleaseCheck === "on-request" && !hasWaitersUpTo(ls, changeId);
}

/**
 * @internal
 * A write can be reported as done without landing. Before waiters (purchases!) are told "saved", read the key
 * back with a write-less UpdateAsync and check that its version is the one our write returned.
 */
export function verifyWrite(ls: LockerState, result: SaveJobResult): void {
	const request = result.Request as GatewayResult;
	const expected = request.KeyInfo !== undefined ? request.KeyInfo.Version : undefined;
	let seen: string | undefined;
	const check = ls.gateway.Update(
		ls.store as DataStoreLike,
		ls.DataStoreKey,
		(_value, keyInfo) => {
			seen = keyInfo !== undefined ? keyInfo.Version : undefined;
			return undefined;
		},
		userIdsForWrite(ls),
		"UpdateAsync_Verify",
	);
	if (check.Outcome === "request_error") {
		result.Verified = false;
		result.VerifyDetail = `the read-back failed: ${check.ErrorMessage}`;
	} else if (expected === undefined || seen !== expected) {
		result.Verified = false;
		result.VerifyDetail = `the key's version is ${tostring(seen)}, not the ${tostring(expected)} our write returned`;
	} else {
		result.ReadBack = true;
	}
}
