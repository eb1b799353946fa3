import type { LockerState } from "../locker/LockerState";
import type { SaveData } from "../protocol/format";

export interface LockersShutdownOptions {
	/** Monotonic clock in seconds, also passed to SessionUpdate. Default os.clock. */
	Clock?: () => number;
	/** Give up at this Clock() value. Default: 25 s after the call (BindToClose allows 30 s in total). */
	Deadline?: number;
	/** Yields one step. Default task.wait(). */
	Wait?: () => void;
	/** Call SessionUpdate on every locker each step. Default true; set false if your Heartbeat loop still does. */
	UpdateLockers?: boolean;
	/** MarkDeleted each locker once idle. Default true. */
	DeleteIdle?: boolean;
	/** Extra work to wait for, such as `() => purchaser.HasIncompletePurchases()`. */
	IsBusy?: () => boolean;
}

/**
 * The Full API's BindToClose helper: releases every hold of every locker, keeps updating them, and returns when
 * all are idle (true) or when the deadline is near (false: some sessions were not released and will expire).
 * **Stop acquiring new lockers before calling it.** Yields.
 *
 * @example
 * game.BindToClose(() => {
 * 	closing = true;
 * 	LockersShutdown(() => [...lockers.values()], { IsBusy: () => purchaser.HasIncompletePurchases() });
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
	for (;;) {
		const now = clock();
		let allIdle = true;
		for (const ls of list()) {
			if (ls.IsDeleted) continue;
			ls.MarkShouldReleaseAll();
			const idle = update ? ls.SessionUpdate(now) : ls.IsIdling;
			if (!idle) allIdle = false;
			else if (deleteIdle) ls.MarkDeleted();
		}
		if (allIdle && (isBusy === undefined || !isBusy())) return true;
		if (clock() >= deadline) return false;
		step();
	}
}
