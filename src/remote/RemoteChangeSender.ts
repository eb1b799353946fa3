import { Defaults, QueryConfig } from "../config";
import type { LockerError } from "../errors";
import { FakeDataStore, readOnlyBackendFor, ReadableDataStore, testDataBackendFor } from "../gateway/FakeDataStore";
import { DefaultGateway, RequestGateway } from "../gateway/RequestGateway";
import type { DataStoreLike } from "../gateway/types";
import type { LockerSpec } from "../locker/LockerSpec";
import type { SaveData, SD_RemoteChange_Base } from "../protocol/format";
import { remoteChangeTopic } from "./RemoteChangeReceiver";
import { failAllPending } from "./senderShutdown";
import { requeueInFlight, startJob } from "./sendJob";
import { copyChanges, KeyJob, queueChanges } from "./sendQueue";
import { consumeJob } from "./sendStatus";

/*
 * The sender, as a table of contents: sendQueue.ts checks and queues changes per key, sendJob.ts runs one key's
 * request (write, then confirming read, then nudge), sendStatus.ts settles sends and reports what a finished
 * request means, senderShutdown.ts fails what is still pending when the sender closes or is destroyed.
 */

/** A crashed job is retried after this many seconds. */
const CRASHED_JOB_RETRY = 10;

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
	/** @internal called after changes are queued (a driver that sleeps while idle wakes to send them) */
	onQueued: (() => void) | undefined;
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
		return queueChanges(this, DataStoreKey, copyChanges(this, DataStoreKey, RemoteChanges), Callback);
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
			failAllPending(this, "remote_change_shutdown", "the shutdown deadline passed");
			return;
		}
		for (const [key, job] of this.jobs) {
			if (job.InFlight !== undefined) {
				if (job.Done) consumeJob(this, job, now);
				else if (job.Thread !== undefined && coroutine.status(job.Thread) === "dead") {
					// Crashed without a result: the changes go back to the queue; their IKs make the retry safe.
					requeueInFlight(job);
					job.NextAttemptAt = now + CRASHED_JOB_RETRY;
				}
			}
			if (job.InFlight === undefined && job.Queue.size() === 0) {
				this.jobs.delete(key);
				continue;
			}
			if (job.InFlight === undefined && now >= job.NextAttemptAt) startJob(this, job);
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
		failAllPending(this, "remote_change_sender_destroyed", undefined);
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
