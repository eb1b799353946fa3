import type { RequestGateway } from "../gateway/RequestGateway";
import type { LockerState } from "../locker/LockerState";
import type { SaveData } from "../protocol/format";
import type { RemoteChangeSender } from "../remote/RemoteChangeSender";

/** Seconds before the shutdown deadline at which remote sends give up, so the wait ends on the sessions. */
const SENDER_MARGIN = 1;

export interface LockersShutdownOptions {
	/** Monotonic clock in seconds, also passed to SessionUpdate. Default os.clock. */
	Clock?: () => number;
	/** Give up at this Clock() value. Default: 25 s after the call (BindToClose allows 30 s in total). */
	Deadline?: number;
	/** Yields one step. Default task.wait(). */
	Wait?: () => void;
	/**
	 * Call SessionUpdate on every locker (and Update on every sender in `RemoteChangeSenders`) each step. Default
	 * true; set false if your Heartbeat loop still does.
	 */
	UpdateLockers?: boolean;
	/** MarkDeleted each locker once idle. Default true. */
	DeleteIdle?: boolean;
	/** Extra work to wait for, such as `() => purchaser.HasIncompletePurchases()`. */
	IsBusy?: () => boolean;
	/**
	 * Senders whose remote changes must be stored before the server closes. They are put into closing mode (a
	 * change still unconfirmed a second before the deadline fails loudly: status "failed", callback false) and the
	 * shutdown waits while they send.
	 */
	RemoteChangeSenders?: RemoteChangeSender | ReadonlyArray<RemoteChangeSender>;
}

/**
 * The Full API's BindToClose helper: puts the lockers' request gateways into closing mode (short retries planned
 * to fit before the deadline, one probe request at a time through a DataStore outage, see
 * `RequestGateway.BeginClosing`), releases every hold of every locker, keeps updating them, and returns when all
 * are idle (true) or when the deadline is near (false: some sessions were not released and will expire).
 * **Stop acquiring new lockers before calling it.** Yields.
 *
 * @example
 * game.BindToClose(() => {
 * 	closing = true;
 * 	LockersShutdown(() => [...lockers.values()], {
 * 		IsBusy: () => purchaser.HasIncompletePurchases(),
 * 		RemoteChangeSenders: sender,
 * 	});
 * });
 */
export function LockersShutdown<T extends SaveData>(
	Lockers: ReadonlyArray<LockerState<T>> | (() => ReadonlyArray<LockerState<T>>),
	Options?: LockersShutdownOptions,
): boolean {
	const clock = Options?.Clock ?? os.clock;
	const deadline = Options?.Deadline ?? clock() + 25;
	const step = Options?.Wait ?? (() => task.wait());
	const update = Options?.UpdateLockers !== false;
	const deleteIdle = Options?.DeleteIdle !== false;
	const isBusy = Options?.IsBusy;
	const list = () => (typeIs(Lockers, "function") ? Lockers() : Lockers);
	const senderOption = Options?.RemoteChangeSenders;
	const senders: ReadonlyArray<RemoteChangeSender> =
		senderOption === undefined
			? []
			: typeIs((senderOption as RemoteChangeSender).BeginClosing, "function")
				? [senderOption as RemoteChangeSender]
				: (senderOption as ReadonlyArray<RemoteChangeSender>);
	for (const sender of senders) sender.BeginClosing(deadline - SENDER_MARGIN);
	// Gateways are found on the lockers themselves (the list may grow while closing); each is told once.
	const closing = new Set<RequestGateway>();
	for (;;) {
		const now = clock();
		let allIdle = true;
		for (const ls of list()) {
			if (ls.IsDeleted) continue;
			if (!closing.has(ls.gateway)) {
				closing.add(ls.gateway);
				ls.gateway.BeginClosing(deadline);
			}
			ls.MarkShouldReleaseAll();
			const idle = update ? ls.SessionUpdate(now) : ls.IsIdling;
			if (!idle) allIdle = false;
			else if (deleteIdle) ls.MarkDeleted();
		}
		let sending = false;
		for (const sender of senders) {
			if (update) sender.Update();
			if (sender.IsSending()) sending = true;
		}
		if (allIdle && !sending && (isBusy === undefined || !isBusy())) return true;
		if (clock() >= deadline) return false;
		step();
	}
}
