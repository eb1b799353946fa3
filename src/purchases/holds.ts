import { transition } from "./phase";
import type { AnyLocker, PurchaseState } from "./PurchaseState";

/** @internal keeps a locker's session alive until the purchase resolves */
export function hold(ppp: PurchaseState, locker: AnyLocker): void {
	if (ppp.Held.includes(locker)) return;
	ppp.Held.push(locker);
	locker.MarkShouldAcquire(ppp);
}

/** @internal lets go of every locker the purchase held */
export function releaseHolds(ppp: PurchaseState): void {
	for (const locker of ppp.Held) locker.MarkShouldRelease(ppp);
	ppp.Held = [];
	ppp.Involved = [];
}

/** @internal stops waiting for the involved saves in progress */
export function dropSaves(ppp: PurchaseState): void {
	for (const connection of ppp.Connections) connection.Disconnect();
	ppp.Connections = [];
}

/** @internal force-saves every involved locker and holds it until the purchase resolves (the caller moves the phase) */
export function saveInvolved(ppp: PurchaseState): void {
	dropSaves(ppp);
	for (const locker of ppp.Involved) {
		// The hold keeps a half-finished purchase's lockers from being released between the two saves.
		hold(ppp, locker);
		locker.MarkForceSave();
		ppp.Connections.push(locker.WhenChangesSaved());
	}
}

/** @internal some involved data was replaced before it saved: start over against whatever loads next */
export function restart(ppp: PurchaseState): void {
	dropSaves(ppp);
	releaseHolds(ppp);
	transition(ppp, "data_lost");
	ppp.NextAttemptAt = 0;
}
