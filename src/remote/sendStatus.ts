import { Defaults } from "../config";
import { ErrorFields, LockerError, LockerErrorCreate, LockerErrorForKey, LockerErrorKind } from "../errors";
import type { GatewayResult } from "../gateway/RequestGateway";
import type { RemoteChangeSender } from "./RemoteChangeSender";
import { requeueFront } from "./sendJob";
import type { KeyJob, QueuedItem, SendRecord } from "./sendQueue";

/** Base wait (s) between attempts after a failed request; backs off with jitter, as in v13 (0.5 s). */
const RETRY_BASE = 0.5;

/** @internal misuse: report and error */
export function rejectSend(
	sender: RemoteChangeSender,
	kind: LockerErrorKind,
	operation: string,
	fields: ErrorFields,
): never {
	const err = LockerErrorCreate(kind, operation, fields);
	// Level 4: the caller of `Send` (rejectSend, its checker, Send, the caller).
	error(`${sender.LogPrefix} ${err.Message}`, 4);
}

/** @internal reports a key's error to `ReportDataStoreError` (which must not break the sender) */
export function reportSendError(
	sender: RemoteChangeSender,
	kind: LockerErrorKind,
	operation: string,
	key: string,
	fields: ErrorFields,
	request?: GatewayResult,
) {
	const err = LockerErrorForKey(kind, operation, key, fields, request);
	const reporter = sender.options.ReportDataStoreError ?? Defaults.RemoteChangeSender_ReportDataStoreError;
	const [ok, problem] = pcall(reporter, sender, key, operation, err.Message, err);
	if (!ok) warn(`${sender.LogPrefix} ReportDataStoreError threw: ${tostring(problem)}`);
	return err;
}

/** @internal one change of a send is sent, or the whole send failed; the callback runs once, when it settles */
export function settleSend(record: SendRecord, status: "sent" | "failed", err: LockerError | undefined): void {
	if (record.Status !== "queued") return;
	if (status === "sent") {
		record.Remaining -= 1;
		if (record.Remaining > 0) return;
	}
	record.Status = status;
	record.Error = err;
	if (record.Callback !== undefined) task.spawn(record.Callback, status === "sent", record);
}

/**
 * @internal
 * A key's job finished: settles its confirmed changes, then fails the rest when retrying cannot help (fatal error,
 * too large, missing key, invalid data, a full key while closing) or puts them back with a backoff.
 */
export function consumeJob(sender: RemoteChangeSender, job: KeyJob, now: number): void {
	const items = job.InFlight ?? [];
	const request = job.Request;
	const result = job.Result;
	job.InFlight = undefined;
	job.Thread = undefined;
	const left = new Array<QueuedItem>();
	for (const item of items) {
		if (job.Confirmed.has(item.Change.IK)) settleSend(item.Record, "sent", undefined);
		else left.push(item);
	}
	if (left.size() === 0) {
		job.Failures = 0;
		return;
	}
	const operation = "UpdateAsync_SendRemoteChanges";
	let retry = true;
	let err: LockerError | undefined;
	if (request === undefined) {
		err = undefined;
	} else if (request.Outcome === "request_error") {
		if (request.Class !== undefined && request.Class.Retry === "fatal") {
			retry = false;
			err = reportSendError(
				sender,
				"request_fatal",
				operation,
				job.Key,
				{ detail: request.ErrorMessage, delay: "∞" },
				request,
			);
		}
	} else if (request.Outcome === "too_large") {
		retry = false;
		err = reportSendError(sender, "value_too_large", operation, job.Key, {
			size: request.Size,
			limit: sender.gateway.SizeLimit,
		});
	} else if (request.Outcome === "not_serializable") {
		retry = false;
		err = reportSendError(sender, "value_not_serializable", operation, job.Key, { detail: request.ErrorMessage });
	} else if (result.Status === "missing") {
		retry = false;
		err = reportSendError(sender, "remote_change_invalid", operation, job.Key, {
			detail: `key ${job.Key} does not exist and CreateIfMissing is off`,
		});
	} else if (result.Status === "invalid") {
		retry = false;
		err = reportSendError(sender, "invalid_stored_data", operation, job.Key, { detail: result.Detail });
	} else if (result.Status === "full") {
		let unreported = false;
		for (const item of left) {
			if (!item.Record.ReportedFull) unreported = true;
			item.Record.ReportedFull = true;
		}
		if (sender.closingDeadline !== undefined) {
			// Room appears only when the holder saves; a closing server cannot wait for that.
			retry = false;
			err = reportSendError(sender, "remote_change_shutdown", operation, job.Key, {
				count: left.size(),
				detail: `the key already stores ${result.StoredCount} unprocessed changes (limit ${sender.options.MaxStored ?? 200})`,
			});
		} else if (unreported) {
			reportSendError(sender, "remote_change_key_full", operation, job.Key, {
				count: result.StoredCount,
				limit: sender.options.MaxStored ?? 200,
			});
		}
	}
	if (!retry) {
		for (const item of left) settleSend(item.Record, "failed", err);
		return;
	}
	job.Failures += 1;
	const delay = sender.gateway.RetryDelay(RETRY_BASE, job.Failures);
	job.NextAttemptAt = now + delay;
	if (request !== undefined && request.Outcome === "request_error") {
		reportSendError(sender, "request_failed", operation, job.Key, { detail: request.ErrorMessage, delay }, request);
	}
	requeueFront(job, left);
}
