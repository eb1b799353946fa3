import type { RemoteChangeSender } from "./RemoteChangeSender";
import { reportSendError, settleSend } from "./sendStatus";

/** @internal fails every queued and in-flight change, one report per key; a late result of a job is ignored */
export function failAllPending(
	sender: RemoteChangeSender,
	kind: "remote_change_sender_destroyed" | "remote_change_shutdown",
	detail: string | undefined,
): void {
	for (const [key, job] of sender.jobs) {
		const items = [...(job.InFlight ?? []), ...job.Queue];
		if (items.size() === 0) continue;
		const operation = kind === "remote_change_shutdown" ? "Shutdown" : "Destroy";
		const err = reportSendError(sender, kind, operation, key, {
			count: items.size(),
			detail: detail ?? `${items.size()} change(s)`,
		});
		for (const item of items) settleSend(item.Record, "failed", err);
	}
	sender.jobs.clear();
}
