import type { DrivenStore } from "./easySchedule";
import { easyDriverCurrent, easyDriverRouse } from "./EasyDriver";

/** Seconds of the 30-second BindToClose window the shutdown may use; the rest is margin for Roblox. */
export const EASY_SHUTDOWN_BUDGET = 27;

/**
 * Ends every Easy API session on this server and waits until all of them saved and released, purchases finished
 * and remote changes were sent — or until the shutdown budget (27 s) runs out. Returns true when everything
 * drained; otherwise it warns, naming the keys not released and the remote changes not confirmed. Registered
 * with BindToClose by default; call it yourself only if you created stores with `BindToClose: false`. New sessions
 * started after this are ended at once. **Yields.**
 *
 * @example
 * game.BindToClose(() => EasyShutdown());
 */
export function EasyShutdown(): boolean {
	const d = easyDriverCurrent();
	if (d === undefined) return true;
	d.closing = true;
	// The Heartbeat loop ends the profiles and keeps the lockers moving; this thread only waits.
	easyDriverRouse(d);
	const clock = d.services.Clock;
	const deadline = clock() + EASY_SHUTDOWN_BUDGET;
	// Remote sends fail a second before the budget ends and leave their queue, so what they were is kept here for
	// the warning.
	const sends = new Map<DrivenStore, string>();
	for (;;) {
		let busy = d.purchaser !== undefined && d.purchaser.HasIncompletePurchases();
		for (const store of d.stores) {
			if (store.isBusy()) busy = true;
			if (store.RemoteChangeSender.IsSending()) sends.set(store, store.RemoteChangeSender.DescribePending());
		}
		if (!busy) {
			d.shutdownFinished = true;
			return true;
		}
		if (clock() >= deadline) {
			const pending = new Array<string>();
			if (d.purchaser !== undefined && d.purchaser.HasIncompletePurchases())
				pending.push("purchases in progress");
			for (const store of d.stores) {
				const described = store.describePending();
				if (described !== "") pending.push(described);
				const failed = sends.get(store);
				if (failed !== undefined && !store.RemoteChangeSender.IsSending())
					pending.push(`remote changes failed unconfirmed: ${failed}`);
			}
			warn(
				`[SessionLocker] EasyShutdown: the shutdown budget ran out; unsaved sessions will expire. Pending: ${pending.join("; ")}`,
			);
			d.shutdownFinished = false;
			return false;
		}
		task.wait();
	}
}
