import type { LockerState } from "../locker/LockerState";
import { takeoverVerdicts } from "../locker/takeover";
import { TimerQueue } from "./TimerQueue";

/** What the driver needs from a store. */
export interface DrivenStore {
	/** @internal one full step: every locker, deletions, remote sends */ update(now: number, closing: boolean): void;
	/** @internal true while it holds lockers, purchases or remote sends */ isBusy(): boolean;
	/** @internal the store's lockers in creation order, for the timer queue */ readonly entries: ReadonlyArray<{
		readonly Locker: LockerState;
	}>;
	/** @internal */ readonly RemoteChangeSender: {
		IsSending(): boolean;
		Update(): void;
		DescribePending(): string;
		/** what `IsSending` looks at, read by the idle frame itself (see EasyDriver's `asleep`) */
		readonly jobs: ReadonlyMap<unknown, unknown>;
		/** called when a key gets its first queued change: the driver wakes to send it */
		onQueued: (() => void) | undefined;
	};
	/** @internal for the shutdown warning: unreleased keys with their states and unconfirmed remote changes */
	describePending(): string;
	/** @internal */ readonly RemoteChangeListener: { readonly NudgeCount: number };
}

/**
 * Seconds between full passes over a store's lockers while nothing asks for one. The timer queue knows when each
 * locker is due by itself, and every public LockerState method that changes what the locker will do next (a hold,
 * a forced save, a waiter, a retry; also when game code calls them on `profile.ELS` directly) wakes the driver for
 * that locker, as do purchases, remote-change nudges and release announcements. This pass is only the safety net for
 * a change no method reports (a field of the LockerState set by hand).
 */
export const EASY_FULL_PASS_PERIOD = 30;

/** @internal the driver's schedule of one store */
export interface Schedule {
	store: DrivenStore;
	/** Lockers waiting for a time: next autosave, retry or cooldown. */
	timers: TimerQueue<LockerState>;
	/** Lockers with a request in flight: checked every frame, applied the frame it finishes. */
	inFlight: Array<LockerState>;
	/** A full pass is needed on the next frame (new or ended profile, an idle locker to delete, a nudge). */
	full: boolean;
	fullPassAt: number;
	nudges: number;
}

/** @internal a new store's schedule: its first frame runs a full pass */
export function scheduleCreate(store: DrivenStore): Schedule {
	return {
		store,
		timers: new TimerQueue<LockerState>(),
		inFlight: [],
		full: true,
		fullPassAt: 0,
		nudges: nudgeCount(store),
	};
}

/** @internal true when the locker's request finished (or its thread died): SessionUpdate applies it now */
function jobFinished(locker: LockerState): boolean {
	const job = locker.job;
	if (job === undefined || job.Done) return true;
	return job.Thread !== undefined && coroutine.status(job.Thread) === "dead";
}

/**
 * @internal
 * When a locker with nothing in flight next needs a SessionUpdate by itself: the time its state machine compares
 * with (autosave, retry, cooldown). Anything else that can make it due is an event that wakes the schedule.
 */
function dueAt(locker: LockerState, now: number): number {
	let at = locker.nextAttemptAt;
	if (locker.Session !== undefined) {
		if (locker.inUseCount > 0 && locker.ChangeId_PendingForce <= locker.ChangeId_Saved) {
			at = math.max(at, locker.autosaveAt);
		}
	} else if (locker.inUseCount > 0 && locker.loadBlocked) {
		// A load that cannot succeed waits for an event (a change of version, a release) or the full pass.
		return math.huge;
	}
	// Due already but nothing started (a state this schedule does not model): look again next frame.
	return at > now ? at : now;
}

/** @internal files a locker under in-flight or the timer queue after it was updated */
function classify(schedule: Schedule, locker: LockerState, now: number): void {
	if (locker.IsDeleted) {
		schedule.timers.remove(locker);
		return;
	}
	if (locker.job !== undefined) {
		schedule.timers.remove(locker);
		if (!schedule.inFlight.includes(locker)) schedule.inFlight.push(locker);
		return;
	}
	schedule.timers.set(locker, dueAt(locker, now));
}

/** @internal one locker's SessionUpdate outside a full pass; an idle result needs the store's full pass (deletion) */
function stepLocker(schedule: Schedule, locker: LockerState, now: number): void {
	if (locker.IsDeleted) return;
	if (locker.SessionUpdate(now)) {
		schedule.full = true;
		schedule.timers.remove(locker);
		return;
	}
	classify(schedule, locker, now);
}

function fullPass(schedule: Schedule, now: number, closing: boolean): void {
	schedule.full = false;
	schedule.fullPassAt = now + EASY_FULL_PASS_PERIOD;
	schedule.store.update(now, closing);
	// Re-filing every locker moves only those whose due time changed. Lockers the store deleted are no longer
	// listed; they leave the queue and the in-flight list when next met (stepLocker skips deleted lockers).
	for (const { Locker: locker } of schedule.store.entries) classify(schedule, locker, now);
}

/** @internal remote-change nudges plus takeover verdicts (a load to retry at once) */
export function nudgeCount(store: DrivenStore): number {
	return store.RemoteChangeListener.NudgeCount + takeoverVerdicts();
}

/** @internal one frame of one store: a full pass when one is due, else the finished requests and the due timers */
export function stepSchedule(schedule: Schedule, now: number, closing: boolean, purchasing: boolean): void {
	const store = schedule.store;
	const nudges = nudgeCount(store);
	if (nudges !== schedule.nudges) {
		// A nudge forced a save on a held locker from outside the driver.
		schedule.nudges = nudges;
		schedule.full = true;
	}
	// While closing or purchasing, lockers change hands every frame from outside the driver: full passes, as before.
	if (closing || purchasing || schedule.full || now >= schedule.fullPassAt) {
		fullPass(schedule, now, closing);
		return;
	}
	const inFlight = schedule.inFlight;
	for (let i = inFlight.size() - 1; i >= 0; i--) {
		const locker = inFlight[i];
		if (!jobFinished(locker)) continue;
		inFlight.unorderedRemove(i);
		stepLocker(schedule, locker, now);
	}
	const timers = schedule.timers;
	for (;;) {
		const locker = timers.popDue(now);
		if (locker === undefined) break;
		stepLocker(schedule, locker, now);
	}
	if (store.RemoteChangeSender.IsSending()) store.RemoteChangeSender.Update();
}

/** @internal a locker must be looked at on the next frame: first in its store's timer queue */
export function scheduleLockerNow(schedule: Schedule, locker: LockerState): void {
	if (locker.job === undefined) schedule.timers.set(locker, -math.huge);
}
