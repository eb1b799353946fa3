import type { KeyInfoLike } from "../gateway/types";
import type { GatewayResult } from "../gateway/RequestGateway";
import { QueuedRemoteChange, SendContext, sendTransform } from "./protocol";
import type { RemoteChangeSender } from "./RemoteChangeSender";
import type { KeyJob, QueuedItem } from "./sendQueue";

/** At most this many writes (each followed by a confirming read) per job. */
const ATTEMPTS_PER_JOB = 3;

/** @internal takes up to MaxBatch queued changes of a key and sends them in the job's own thread */
export function startJob(sender: RemoteChangeSender, job: KeyJob): void {
	const batch = math.max(sender.options.MaxBatch ?? 50, 1);
	const items = new Array<QueuedItem>();
	while (items.size() < batch && job.Queue.size() > 0) items.push(job.Queue.shift()!);
	job.InFlight = items;
	job.Done = false;
	job.Request = undefined;
	job.Confirmed = new Set();
	if (sender.DisableAPIs) {
		for (const item of items) job.Confirmed.add(item.Change.IK);
		job.Done = true;
		return;
	}
	const thread = coroutine.create(() => runJob(sender, job, items));
	job.Thread = thread;
	task.spawn(thread);
}

/** @internal one UpdateAsync of the key */
export function attemptUpdate(
	sender: RemoteChangeSender,
	job: KeyJob,
	changes: Array<QueuedRemoteChange>,
	checkOnly: boolean,
): GatewayResult {
	const spec = sender.LockerSpec;
	const userIds = new Array<number>();
	const ctx: SendContext = {
		Changes: changes,
		CheckOnly: checkOnly,
		CreateIfMissing: sender.CreateIfMissing,
		CreateSaveData: () => spec.SaveDataCreator(undefined as never),
		Version: spec.SaveDataVersion,
		NextId: () => sender.gateway.NewLockId(),
		TimeLabel: os.time(),
		StoredLimit: sender.options.MaxStored ?? 200,
	};
	const result = job.Result;
	return sender.gateway.Update(
		sender.store,
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
export function runJob(sender: RemoteChangeSender, job: KeyJob, items: Array<QueuedItem>): void {
	const changes = items.map(item => item.Change);
	const verify = sender.options.VerifyWrites !== false;
	for (let attempt = 1; attempt <= ATTEMPTS_PER_JOB; attempt++) {
		const request = attemptUpdate(sender, job, changes, false);
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
		const check = attemptUpdate(sender, job, changes, true);
		job.Request = check;
		if (check.Outcome !== "not_written" || job.Result.Status !== "nothing_new") break;
		const missing = new Set(job.Result.Missing);
		for (const change of changes) if (!missing.has(change.IK)) job.Confirmed.add(change.IK);
		if (missing.isEmpty()) break;
	}
	if (!job.Confirmed.isEmpty() && sender.options.Nudge !== false) nudgeHolder(sender, job.Key);
	job.Done = true;
}

/** @internal tells the holder, if any, to import the changes now */
export function nudgeHolder(sender: RemoteChangeSender, key: string): void {
	const messaging = sender.options.MessagingService ?? game.GetService("MessagingService");
	const [ok, problem] = pcall(() => messaging.PublishAsync(sender.topic, { K: key }));
	// A lost nudge only delays the change to the holder's next save; the change itself is stored.
	if (!ok) warn(`${sender.LogPrefix} nudge for key ${key} failed: ${tostring(problem)}`);
}

/** @internal puts items back at the front of their key's queue, in order; their IKs make the retry safe */
export function requeueFront(job: KeyJob, items: ReadonlyArray<QueuedItem>): void {
	for (let i = items.size() - 1; i >= 0; i--) job.Queue.unshift(items[i]);
}

/** @internal a job that crashed without a result: its changes go back to the queue */
export function requeueInFlight(job: KeyJob): void {
	const items = job.InFlight ?? [];
	job.InFlight = undefined;
	job.Thread = undefined;
	requeueFront(job, items);
}
