import { HttpService } from "@rbxts/services";
import { Defaults, QueryConfig } from "../config";
import { ErrorFields, LockerError, LockerErrorCreate, LockerErrorForKey, LockerErrorKind } from "../errors";
import { FakeDataStore, readOnlyBackendFor, ReadableDataStore, testDataBackendFor } from "../gateway/FakeDataStore";
import { DefaultGateway, GatewayResult, RequestGateway } from "../gateway/RequestGateway";
import type { DataStoreLike, KeyInfoLike } from "../gateway/types";
import type { LockerSpec } from "../locker/LockerSpec";
import type { SaveData, SD_RemoteChange_Base } from "../protocol/format";
import { QueuedRemoteChange, SendContext, sendResultCreate, SendResult, sendTransform } from "./protocol";
import { remoteChangeTopic } from "./RemoteChangeReceiver";

/** Base wait (s) between attempts after a failed request; backs off with jitter, as in v13 (0.5 s). */
const RETRY_BASE = 0.5;
/** A crashed job is retried after this many seconds. */
const CRASHED_JOB_RETRY = 10;
/** At most this many writes (each followed by a confirming read) per job. */
const ATTEMPTS_PER_JOB = 3;

export interface RemoteChangeSenderOptions {
	/** Most changes queued (not yet confirmed) per key; `Send` errors beyond it. Default 100. */
	MaxQueued?: number;
	/** Most unprocessed changes a key may store; a send that would exceed it waits and retries. Default 200. */
	MaxStored?: number;
	/** Most changes per request. Default 50. */
	MaxBatch?: number;
	/** Publish the key on MessagingService once its changes are stored, so the holder applies them now. Default true. */
	Nudge?: boolean;
	/** Must match the holders' `RemoteChangeListener` topic. Default `SessionLocker_RC_<DataStore name>`. */
	Topic?: string;
	MessagingService?: MessagingService;
	/** Confirm each write with a read before calling the changes sent (catches writes that were not committed). Default true. */
	VerifyWrites?: boolean;
	/** Monotonic clock in seconds. Default os.clock. */
	Clock?: () => number;
	/** Error reporter; default `Defaults.RemoteChangeSender_ReportDataStoreError`. */
	ReportDataStoreError?: (
		RCS: RemoteChangeSender,
		DataStoreKey: string,
		Operation: string,
		Message: string,
		Err: LockerError,
	) => void;
}

/** What happened to one `Send` call. */
export interface RemoteChangeSend {
	readonly DataStoreKey: string;
	/** The idempotency keys of the changes, in order. */
	readonly IdempotencyKeys: ReadonlyArray<string>;
	/** "queued" until confirmed stored in the key ("sent") or given up ("failed"). */
	Status: "queued" | "sent" | "failed";
	Error: LockerError | undefined;
}

interface SendRecord extends RemoteChangeSend {
	Remaining: number;
	/** remote_change_key_full was reported for this send: retries of the same send do not report it again. */
	ReportedFull: boolean;
	Callback: ((Sent: boolean, Send: RemoteChangeSend) => void) | undefined;
}

interface QueuedItem {
	Change: QueuedRemoteChange;
	Record: SendRecord;
}

interface KeyJob {
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

const RESERVED = new Set(["K", "I", "A", "IK"]);

/**
 * Sends remote changes to DataStore keys that this server does not hold (another server may). Each change is
 * stored in the key under UpdateAsync, ignoring the lock but preserving it; the holder (or the next server to load
 * the key) applies it exactly once. Every change has an idempotency key (`IK`), chosen by you or generated, so a
 * retry after an ambiguous failure never stores it twice. Call `Update()` every Heartbeat.
 * **Holders must use `RemoteChangeProcessorCreate` for exactly-once application.**
 *
 * @example
 * const sender = RemoteChangeSenderCreate(spec, true);
 * RunService.Heartbeat.Connect(() => sender.Update());
 * sender.Send(tostring(friendId), [{ K: "give_gold", Amount: 50, IK: `gift-${giftId}` }]);
 */
export class RemoteChangeSender {
	readonly LockerSpec: LockerSpec<SaveData>;
	readonly CreateIfMissing: boolean;
	readonly LogPrefix: string;
	readonly DisableAPIs: boolean;
	IsDestroyed = false;
	/** @internal */ readonly options: RemoteChangeSenderOptions;
	/** @internal */ readonly jobs = new Map<string, KeyJob>();
	/** @internal */ readonly store: DataStoreLike;
	/** @internal */ readonly gateway: RequestGateway;
	/** @internal */ readonly clock: () => number;
	/** @internal */ readonly topic: string;
	/** @internal Clock() time at which unconfirmed sends fail because the server is closing; undefined while open */
	closingDeadline: number | undefined;

	constructor(
		spec: LockerSpec<SaveData>,
		createIfMissing: boolean | undefined,
		logPrefix: string | undefined,
		disableAPIs: boolean | undefined,
		options: RemoteChangeSenderOptions | undefined,
	) {
		assert(typeIs(spec, "table"), "RemoteChangeSenderCreate: LockerSpec must be a table");
		this.LockerSpec = spec;
		this.CreateIfMissing = createIfMissing === true;
		this.LogPrefix = logPrefix ?? "[SessionLocker][RemoteChangeSender]";
		this.DisableAPIs = disableAPIs === true;
		this.options = options ?? {};
		this.clock = this.options.Clock ?? os.clock;
		// The same backend as the spec's lockers, so test-data and read-only modes see the changes too.
		let fake: FakeDataStore | undefined;
		if (spec.DataStoreTestData !== undefined) fake = testDataBackendFor(spec, spec.DataStoreTestData);
		else if (QueryConfig(spec.ReadOnlyDataStores, Defaults.ReadOnlyDataStores)) {
			fake = readOnlyBackendFor(spec.DataStore as unknown as ReadableDataStore);
		}
		this.store = fake ?? (spec.DataStore as unknown as DataStoreLike);
		this.gateway = fake !== undefined ? fake.Gateway : (spec.Gateway ?? DefaultGateway());
		this.topic = remoteChangeTopic(spec, this.options.Topic);
	}

	/**
	 * Queues changes for a key. Each change is a table with a string kind `K` and your fields; `IK` (optional) is
	 * its idempotency key — give the same `IK` when you retry the same logical change, and it is stored at most once.
	 * Your tables are copied; `I` and `A` are set by the sender.
	 * **Errors (and queues nothing) when the key already has `MaxQueued` changes waiting, or a change has no `K`.**
	 *
	 * @example
	 * const send = sender.Send("123", [{ K: "give_gold", Amount: 5 }], (sent) => print(sent));
	 */
	Send(
		DataStoreKey: string,
		RemoteChanges: ReadonlyArray<SD_RemoteChange_Base & { IK?: string }>,
		Callback?: (Sent: boolean, Send: RemoteChangeSend) => void,
	): RemoteChangeSend {
		if (!typeIs(DataStoreKey, "string") || DataStoreKey.size() === 0 || DataStoreKey.size() > 50) {
			this.fail("remote_change_invalid", "Send", { detail: `invalid DataStore key ${tostring(DataStoreKey)}` });
		}
		if (!typeIs(RemoteChanges, "table"))
			this.fail("remote_change_invalid", "Send", { detail: "changes must be a list" });
		const copies = new Array<QueuedRemoteChange>();
		for (const change of RemoteChanges) {
			if (!typeIs(change, "table") || !typeIs(change.K, "string")) {
				this.fail("remote_change_invalid", "Send", { detail: "every change needs a string kind K" });
			}
			const ik = change.IK;
			if (ik !== undefined && (!typeIs(ik, "string") || ik.size() === 0)) {
				this.fail("remote_change_invalid", "Send", { detail: "IK must be a non-empty string" });
			}
			const copy: { [key: string]: unknown } = {};
			for (const [k, v] of pairs(change as unknown as { [key: string]: unknown })) {
				if (!RESERVED.has(k as string)) copy[k as string] = v;
			}
			copy.K = change.K;
			copy.IK = ik ?? HttpService.GenerateGUID(false);
			copies.push(copy as unknown as QueuedRemoteChange);
		}
		if (this.IsDestroyed)
			this.fail("remote_change_sender_destroyed", "Send", { key: DataStoreKey, detail: "Send after Destroy" });
		let job = this.jobs.get(DataStoreKey);
		const queued = job !== undefined ? job.Queue.size() + (job.InFlight?.size() ?? 0) : 0;
		const limit = this.options.MaxQueued ?? 100;
		if (queued + copies.size() > limit) {
			this.fail("remote_change_queue_full", "Send", { key: DataStoreKey, count: queued, limit });
		}
		const ids = copies.map(c => c.IK);
		const record: SendRecord = {
			DataStoreKey,
			IdempotencyKeys: ids,
			Status: "queued",
			Error: undefined,
			Remaining: copies.size(),
			ReportedFull: false,
			Callback,
		};
		if (copies.size() === 0) {
			this.settle(record, "sent", undefined);
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
			this.jobs.set(DataStoreKey, job);
		}
		for (const change of copies) job.Queue.push({ Change: change, Record: record });
		return record;
	}

	/**
	 * True while any change is queued or being sent. Wait for false in BindToClose.
	 *
	 * @example
	 * game.BindToClose(() => { while (sender.IsSending()) task.wait(); });
	 */
	IsSending(): boolean {
		return !this.jobs.isEmpty();
	}

	/**
	 * Starts and completes requests: at most one per key at a time, each storing every queued change of the key.
	 * Call it every Heartbeat. Always returns (v13's B1 looped forever). **Without it nothing is sent.**
	 *
	 * @example
	 * RunService.Heartbeat.Connect(() => sender.Update());
	 */
	Update(): void {
		if (this.IsDestroyed) return;
		const now = this.clock();
		if (this.closingDeadline !== undefined && now >= this.closingDeadline) {
			this.failAllPending("remote_change_shutdown", "the shutdown deadline passed");
			return;
		}
		for (const [key, job] of this.jobs) {
			if (job.InFlight !== undefined) {
				if (job.Done) this.consume(job, now);
				else if (job.Thread !== undefined && coroutine.status(job.Thread) === "dead") {
					// Crashed without a result: the changes go back to the queue; their IKs make the retry safe.
					this.requeue(job);
					job.NextAttemptAt = now + CRASHED_JOB_RETRY;
				}
			}
			if (job.InFlight === undefined && job.Queue.size() === 0) {
				this.jobs.delete(key);
				continue;
			}
			if (job.InFlight === undefined && now >= job.NextAttemptAt) this.start(job);
		}
	}

	/**
	 * Stops sending. Changes not yet confirmed are reported and their sends fail; a request already in flight may
	 * still store its changes (they are then applied normally). **`Send` errors afterwards.**
	 *
	 * @example
	 * sender.Destroy();
	 */
	Destroy(): void {
		if (this.IsDestroyed) return;
		this.IsDestroyed = true;
		this.failAllPending("remote_change_sender_destroyed", undefined);
	}

	/**
	 * Shutdown mode: a send that meets a full key fails at once instead of waiting for the holder to make room, and
	 * at `Deadline` (a `Clock` time) every change still queued or in flight fails loudly (status "failed", callback
	 * false, `remote_change_shutdown` reported per key), so a shutdown never waits on a send that cannot succeed.
	 * The Easy API calls it when BindToClose starts.
	 *
	 * @example
	 * game.BindToClose(() => sender.BeginClosing(os.clock() + 25));
	 */
	BeginClosing(Deadline: number): void {
		if (this.closingDeadline === undefined || Deadline < this.closingDeadline) this.closingDeadline = Deadline;
	}

	/**
	 * What is still unconfirmed, per key, for shutdown warnings: `"key 123: 2 queued, 1 in flight"`; empty when
	 * nothing is pending.
	 *
	 * @example
	 * if (sender.IsSending()) warn(`still sending: ${sender.DescribePending()}`);
	 */
	DescribePending(): string {
		const parts = new Array<string>();
		for (const [key, job] of this.jobs) {
			const inFlight = job.InFlight?.size() ?? 0;
			parts.push(`key ${key}: ${job.Queue.size()} queued, ${inFlight} in flight`);
		}
		return parts.join("; ");
	}

	// ---------------------------------------------------------------- internals

	/** @internal fails every queued and in-flight change, one report per key; a late result of a job is ignored */
	failAllPending(
		kind: "remote_change_sender_destroyed" | "remote_change_shutdown",
		detail: string | undefined,
	): void {
		for (const [key, job] of this.jobs) {
			const items = [...(job.InFlight ?? []), ...job.Queue];
			if (items.size() === 0) continue;
			const operation = kind === "remote_change_shutdown" ? "Shutdown" : "Destroy";
			const err = this.report(kind, operation, key, {
				count: items.size(),
				detail: detail ?? `${items.size()} change(s)`,
			});
			for (const item of items) this.settle(item.Record, "failed", err);
		}
		this.jobs.clear();
	}

	/** @internal misuse: report and error */
	fail(kind: LockerErrorKind, operation: string, fields: ErrorFields): never {
		const err = LockerErrorCreate(kind, operation, fields);
		error(`${this.LogPrefix} ${err.Message}`, 3);
	}

	/** @internal */
	report(kind: LockerErrorKind, operation: string, key: string, fields: ErrorFields, request?: GatewayResult) {
		const err = LockerErrorForKey(kind, operation, key, fields, request);
		const reporter = this.options.ReportDataStoreError ?? Defaults.RemoteChangeSender_ReportDataStoreError;
		const [ok, problem] = pcall(reporter, this, key, operation, err.Message, err);
		if (!ok) warn(`${this.LogPrefix} ReportDataStoreError threw: ${tostring(problem)}`);
		return err;
	}

	/** @internal */
	settle(record: SendRecord, status: "sent" | "failed", err: LockerError | undefined): void {
		if (record.Status !== "queued") return;
		if (status === "sent") {
			record.Remaining -= 1;
			if (record.Remaining > 0) return;
		}
		record.Status = status;
		record.Error = err;
		if (record.Callback !== undefined) task.spawn(record.Callback, status === "sent", record);
	}

	/** @internal */
	requeue(job: KeyJob): void {
		const items = job.InFlight ?? [];
		job.InFlight = undefined;
		job.Thread = undefined;
		for (let i = items.size() - 1; i >= 0; i--) job.Queue.unshift(items[i]);
	}

	/** @internal */
	start(job: KeyJob): void {
		const batch = math.max(this.options.MaxBatch ?? 50, 1);
		const items = new Array<QueuedItem>();
		while (items.size() < batch && job.Queue.size() > 0) items.push(job.Queue.shift()!);
		job.InFlight = items;
		job.Done = false;
		job.Request = undefined;
		job.Confirmed = new Set();
		if (this.DisableAPIs) {
			for (const item of items) job.Confirmed.add(item.Change.IK);
			job.Done = true;
			return;
		}
		const thread = coroutine.create(() => this.run(job, items));
		job.Thread = thread;
		task.spawn(thread);
	}

	/** @internal one UpdateAsync of the key */
	attempt(job: KeyJob, changes: Array<QueuedRemoteChange>, checkOnly: boolean): GatewayResult {
		const spec = this.LockerSpec;
		const userIds = new Array<number>();
		const ctx: SendContext = {
			Changes: changes,
			CheckOnly: checkOnly,
			CreateIfMissing: this.CreateIfMissing,
			CreateSaveData: () => spec.SaveDataCreator(undefined as never),
			Version: spec.SaveDataVersion,
			NextId: () => this.gateway.NewLockId(),
			TimeLabel: os.time(),
			StoredLimit: this.options.MaxStored ?? 200,
		};
		const result = job.Result;
		return this.gateway.Update(
			this.store,
			job.Key,
			(value, keyInfo) => {
				const written = sendTransform(value, keyInfo as KeyInfoLike | undefined, ctx, result);
				// The gateway writes this array as the key's UserIds: keep the key's own (the sender has none).
				userIds.clear();
				for (const id of result.UserIds) userIds.push(id);
				return written;
			},
			userIds,
			checkOnly ? "UpdateAsync_CheckRemoteChanges" : "UpdateAsync_SendRemoteChanges",
		);
	}

	/** @internal the job, in its own thread: write, then confirm by reading, until every change is confirmed */
	run(job: KeyJob, items: Array<QueuedItem>): void {
		const changes = items.map(item => item.Change);
		const verify = this.options.VerifyWrites !== false;
		for (let attempt = 1; attempt <= ATTEMPTS_PER_JOB; attempt++) {
			const request = this.attempt(job, changes, false);
			job.Request = request;
			const status = job.Result.Status;
			if (request.Outcome === "written") {
				if (!verify) {
					for (const change of changes) job.Confirmed.add(change.IK);
					break;
				}
			} else if (request.Outcome === "not_written" && status === "nothing_new") {
				for (const change of changes) job.Confirmed.add(change.IK);
				break;
			} else {
				break;
			}
			// Written: confirm with a read, because a write reported as done may not have been committed.
			const check = this.attempt(job, changes, true);
			job.Request = check;
			if (check.Outcome !== "not_written" || job.Result.Status !== "nothing_new") break;
			const missing = new Set(job.Result.Missing);
			for (const change of changes) if (!missing.has(change.IK)) job.Confirmed.add(change.IK);
			if (missing.isEmpty()) break;
		}
		if (!job.Confirmed.isEmpty() && this.options.Nudge !== false) this.nudge(job.Key);
		job.Done = true;
	}

	/** @internal tells the holder, if any, to import the changes now */
	nudge(key: string): void {
		const messaging = this.options.MessagingService ?? game.GetService("MessagingService");
		const [ok, problem] = pcall(() => messaging.PublishAsync(this.topic, { K: key }));
		// A lost nudge only delays the change to the holder's next save; the change itself is stored.
		if (!ok) warn(`${this.LogPrefix} nudge for key ${key} failed: ${tostring(problem)}`);
	}

	/** @internal */
	consume(job: KeyJob, now: number): void {
		const items = job.InFlight ?? [];
		const request = job.Request;
		const result = job.Result;
		job.InFlight = undefined;
		job.Thread = undefined;
		const left = new Array<QueuedItem>();
		for (const item of items) {
			if (job.Confirmed.has(item.Change.IK)) this.settle(item.Record, "sent", undefined);
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
				err = this.report(
					"request_fatal",
					operation,
					job.Key,
					{ detail: request.ErrorMessage, delay: "∞" },
					request,
				);
			}
		} else if (request.Outcome === "too_large") {
			retry = false;
			err = this.report("value_too_large", operation, job.Key, {
				size: request.Size,
				limit: this.gateway.SizeLimit,
			});
		} else if (request.Outcome === "not_serializable") {
			retry = false;
			err = this.report("value_not_serializable", operation, job.Key, { detail: request.ErrorMessage });
		} else if (result.Status === "missing") {
			retry = false;
			err = this.report("remote_change_invalid", operation, job.Key, {
				detail: `key ${job.Key} does not exist and CreateIfMissing is off`,
			});
		} else if (result.Status === "invalid") {
			retry = false;
			err = this.report("invalid_stored_data", operation, job.Key, { detail: result.Detail });
		} else if (result.Status === "full") {
			let unreported = false;
			for (const item of left) {
				if (!item.Record.ReportedFull) unreported = true;
				item.Record.ReportedFull = true;
			}
			if (this.closingDeadline !== undefined) {
				// Room appears only when the holder saves; a closing server cannot wait for that.
				retry = false;
				err = this.report("remote_change_shutdown", operation, job.Key, {
					count: left.size(),
					detail: `the key already stores ${result.StoredCount} unprocessed changes (limit ${this.options.MaxStored ?? 200})`,
				});
			} else if (unreported) {
				this.report("remote_change_key_full", operation, job.Key, {
					count: result.StoredCount,
					limit: this.options.MaxStored ?? 200,
				});
			}
		}
		if (!retry) {
			for (const item of left) this.settle(item.Record, "failed", err);
			return;
		}
		job.Failures += 1;
		const delay = this.gateway.RetryDelay(RETRY_BASE, job.Failures);
		job.NextAttemptAt = now + delay;
		if (request !== undefined && request.Outcome === "request_error") {
			this.report("request_failed", operation, job.Key, { detail: request.ErrorMessage, delay }, request);
		}
		for (let i = left.size() - 1; i >= 0; i--) job.Queue.unshift(left[i]);
	}
}

/**
 * Creates a RemoteChangeSender for the keys of a LockerSpec's DataStore. With `CreateIfMissing`, a key that does
 * not exist yet is created with the spec's SaveDataCreator (without a lock) to hold the changes.
 *
 * @example
 * const sender = RemoteChangeSenderCreate(spec, true);
 * RunService.Heartbeat.Connect(() => sender.Update());
 */
export function RemoteChangeSenderCreate<T extends SaveData>(
	LockerSpec: LockerSpec<T>,
	CreateIfMissing?: boolean,
	LogPrefix?: string,
	DisableAPIs?: boolean,
	Options?: RemoteChangeSenderOptions,
): RemoteChangeSender {
	return new RemoteChangeSender(
		LockerSpec as unknown as LockerSpec<SaveData>,
		CreateIfMissing,
		LogPrefix,
		DisableAPIs,
		Options,
	);
}
