import { HttpService } from "@rbxts/services";
import type { GatewayResult } from "../gateway/RequestGateway";
import type { SD_RemoteChange_Base } from "../protocol/format";
import { QueuedRemoteChange, sendResultCreate, SendResult } from "./protocol";
import type { RemoteChangeSend, RemoteChangeSender } from "./RemoteChangeSender";
import { rejectSend, settleSend } from "./sendStatus";

/** @internal one `Send` call, as the sender tracks it */
export interface SendRecord extends RemoteChangeSend {
	Remaining: number;
	/** remote_change_key_full was reported for this send: retries of the same send do not report it again. */
	ReportedFull: boolean;
	Callback: ((Sent: boolean, Send: RemoteChangeSend) => void) | undefined;
}

/** @internal one change waiting for its key's job, with the send it belongs to */
export interface QueuedItem {
	Change: QueuedRemoteChange;
	Record: SendRecord;
}

/** @internal the queue of one key and its request in flight (at most one per key) */
export interface KeyJob {
	readonly Key: string;
	readonly Queue: Array<QueuedItem>;
	InFlight: Array<QueuedItem> | undefined;
	Thread: thread | undefined;
	Done: boolean;
	Request: GatewayResult | undefined;
	Result: SendResult;
	/** IKs confirmed stored in the key by the job that ran. */
	Confirmed: Set<string>;
	NextAttemptAt: number;
	Failures: number;
}

/** Fields the sender sets itself; a caller's values for them are dropped. */
const RESERVED = new Set(["K", "I", "A", "IK"]);

/**
 * @internal
 * Checks a `Send` call's arguments and copies its changes, giving each an IK. Errors (at `Send`'s caller) on misuse.
 */
export function copyChanges(
	sender: RemoteChangeSender,
	DataStoreKey: string,
	RemoteChanges: ReadonlyArray<SD_RemoteChange_Base & { IK?: string }>,
): Array<QueuedRemoteChange> {
	if (!typeIs(DataStoreKey, "string") || DataStoreKey.size() === 0 || DataStoreKey.size() > 50) {
		rejectSend(sender, "remote_change_invalid", "Send", {
			detail: `invalid DataStore key ${tostring(DataStoreKey)}`,
		});
	}
	if (!typeIs(RemoteChanges, "table"))
		rejectSend(sender, "remote_change_invalid", "Send", { detail: "changes must be a list" });
	const copies = new Array<QueuedRemoteChange>();
	for (const change of RemoteChanges) {
		if (!typeIs(change, "table") || !typeIs(change.K, "string")) {
			rejectSend(sender, "remote_change_invalid", "Send", { detail: "every change needs a string kind K" });
		}
		const ik = change.IK;
		if (ik !== undefined && (!typeIs(ik, "string") || ik.size() === 0)) {
			rejectSend(sender, "remote_change_invalid", "Send", { detail: "IK must be a non-empty string" });
		}
		const copy: { [key: string]: unknown } = {};
		for (const [k, v] of pairs(change as unknown as { [key: string]: unknown })) {
			if (!RESERVED.has(k as string)) copy[k as string] = v;
		}
		copy.K = change.K;
		copy.IK = ik ?? HttpService.GenerateGUID(false);
		copies.push(copy as unknown as QueuedRemoteChange);
	}
	return copies;
}

/**
 * @internal
 * Queues checked copies on their key's job (created on first use). Errors (at `Send`'s caller) after `Destroy`
 * or beyond `MaxQueued`.
 */
export function queueChanges(
	sender: RemoteChangeSender,
	DataStoreKey: string,
	copies: Array<QueuedRemoteChange>,
	Callback: ((Sent: boolean, Send: RemoteChangeSend) => void) | undefined,
): RemoteChangeSend {
	if (sender.IsDestroyed) {
		rejectSend(sender, "remote_change_sender_destroyed", "Send", {
			key: DataStoreKey,
			detail: "Send after Destroy",
		});
	}
	let job = sender.jobs.get(DataStoreKey);
	const queued = job !== undefined ? job.Queue.size() + (job.InFlight?.size() ?? 0) : 0;
	const limit = sender.options.MaxQueued ?? 100;
	if (queued + copies.size() > limit) {
		rejectSend(sender, "remote_change_queue_full", "Send", { key: DataStoreKey, count: queued, limit });
	}
	const record: SendRecord = {
		DataStoreKey,
		IdempotencyKeys: copies.map(c => c.IK),
		Status: "queued",
		Error: undefined,
		Remaining: copies.size(),
		ReportedFull: false,
		Callback,
	};
	if (copies.size() === 0) {
		settleSend(record, "sent", undefined);
		return record;
	}
	if (job === undefined) {
		job = {
			Key: DataStoreKey,
			Queue: [],
			InFlight: undefined,
			Thread: undefined,
			Done: false,
			Request: undefined,
			Result: sendResultCreate(),
			Confirmed: new Set(),
			NextAttemptAt: 0,
			Failures: 0,
		};
		sender.jobs.set(DataStoreKey, job);
	}
	for (const change of copies) job.Queue.push({ Change: change, Record: record });
	sender.onQueued?.();
	return record;
}
