import type { LockerState } from "./LockerState";

/**
 * @internal
 * True when this locker's lock advertises the server's heartbeat (`Session.Heartbeat = 1`) and that heartbeat may
 * have expired since the lock was written: another server may have read "no entry", judged this server dead and
 * taken the lock. A server paused past the heartbeat's TTL is the usual case; a MemoryStore outage on this server
 * alone is the other.
 */
export function heartbeatLeaseInDoubt(ls: LockerState): boolean {
	const session = ls.Session;
	if (session === undefined || session.Heartbeat !== 1) return false;
	const hub = ls.livenessHub;
	if (hub === undefined || hub === false) return false;
	return hub.MayHaveLapsed() || ls.heartbeatEpoch !== hub.LapseCount();
}

/**
 * @internal
 * Asked before a held locker's save decision. When the heartbeat lease is in doubt, the lock stops advertising the
 * heartbeat (the next write leaves it to the `SessionExpiry` rule, which no missing heartbeat can shorten) and a save
 * is needed: the fenced write either proves the lock is still ours or reports it lost. Until it lands the locker is
 * not available. Returns true while that confirming write is needed.
 */
export function needsHeartbeatReconfirm(ls: LockerState): boolean {
	if (heartbeatLeaseInDoubt(ls)) {
		ls.heartbeatUnconfirmed = true;
		ls.Session!.Heartbeat = undefined;
	}
	return ls.heartbeatUnconfirmed;
}
