import { DefaultGateway } from "../gateway/RequestGateway";
import type { LockerState } from "../locker/LockerState";
import type { SaveData } from "../protocol/format";
import { EASY_SHUTDOWN_BUDGET } from "./EasyShutdown";
import type { EasyStore } from "./EasyStore";

// The EasyStore's side of the shared driver (DrivenStore): what one Heartbeat step, the start of a shutdown and the
// shutdown warning do to a store. The class methods delegate here.

/** @internal one Heartbeat step: ends every profile when closing, steps the lockers, deletes idle ones, sends */
export function easyStoreUpdate<T extends SaveData>(store: EasyStore<T>, now: number, closing: boolean): void {
	if (closing && !store.closingStarted) store.beginClosing();
	let deleted: Array<LockerState<T>> | undefined;
	// A snapshot: under Immediate SignalBehavior a handler may start a session (insert) during this loop.
	for (const entry of table.clone(store.entries)) {
		const locker = entry.Locker;
		if (locker.IsDeleted) continue;
		if (closing && entry.Active.size() > 0) {
			for (const profile of table.clone(entry.Active)) profile.EndSession();
		}
		const idle = locker.SessionUpdate(now);
		// B4: the original never deleted idle lockers, so Finished never fired and waiters hung.
		if (idle && locker.InUse.size() === 0) {
			locker.MarkDeleted();
			if (deleted === undefined) deleted = [];
			deleted.push(locker);
		}
	}
	if (deleted !== undefined) for (const locker of deleted) store.forget(locker);
	store.RemoteChangeSender.Update();
}

/**
 * @internal
 * The shutdown window is EASY_SHUTDOWN_BUDGET seconds from now (the driver's wait started at most a frame ago).
 * Saves retry briefly and plan their last attempt inside it; remote sends fail a second before it, so the driver's
 * wait ends on the sessions, never on a send that cannot succeed.
 */
export function easyStoreBeginClosing<T extends SaveData>(store: EasyStore<T>): void {
	store.closingStarted = true;
	const gateway = store.LockerSpec.Gateway ?? DefaultGateway();
	gateway.BeginClosing(gateway.clock() + EASY_SHUTDOWN_BUDGET);
	const sender = store.RemoteChangeSender;
	sender.BeginClosing(sender.clock() + EASY_SHUTDOWN_BUDGET - 1);
}

/**
 * @internal
 * What keeps a store busy, for a shutdown warning that names it: sessions not yet released (with their keys and
 * states) and remote changes not yet confirmed. Empty when idle.
 */
export function easyStoreDescribePending<T extends SaveData>(store: EasyStore<T>): string {
	const parts = new Array<string>();
	const sessions = new Array<string>();
	for (const { Locker: locker } of store.entries) {
		if (sessions.size() < 10) sessions.push(`${locker.DataStoreKey} (${locker.State})`);
	}
	if (store.lockers.size() > 0) {
		const more = store.lockers.size() > sessions.size() ? ", ..." : "";
		parts.push(`${store.lockers.size()} session(s) not released: ${sessions.join(", ")}${more}`);
	}
	const sends = store.RemoteChangeSender.DescribePending();
	if (sends !== "") parts.push(`remote changes not confirmed: ${sends}`);
	return parts.join("; ");
}
