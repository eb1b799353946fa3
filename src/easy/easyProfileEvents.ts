import type { LifecycleReason, LifecycleStatus } from "../locker/LockerSpec";
import type { SaveData } from "../protocol/format";
import type { EasyProfile } from "./EasyProfile";

// The locker's events as one profile receives them from its store (easyStoreSessions): its flags, the helper watching
// it, its signals in their documented order, the threads waiting for its load, and its end. EasyProfile's internal
// methods delegate here.

/** @internal wakes the threads waiting in YieldUntilLoaded with `result` (the profile, or undefined once ended) */
export function easyProfileResumeLoadWaiters<T extends SaveData>(
	profile: EasyProfile<T>,
	result: EasyProfile<T> | undefined,
): void {
	const waiters = profile.loadWaiters;
	if (waiters === undefined) return;
	profile.loadWaiters = undefined;
	for (const thread of waiters) {
		if (coroutine.status(thread) === "suspended") task.defer(thread, result);
	}
}

/** @internal one lifecycle event of the locker; the watcher hears it first, then the most specific signal fires */
export function easyProfileOnLifecycle<T extends SaveData>(
	profile: EasyProfile<T>,
	status: LifecycleStatus,
	reason: LifecycleReason,
): void {
	if (status === "replaced") {
		if (reason === "r_loaded") {
			profile.IsLoaded = true;
			profile.watcher?.profileLoaded();
			profile.Loaded.Fire();
			easyProfileResumeLoadWaiters(profile, profile);
		} else {
			profile.IsLoaded = false;
			if (reason === "r_released") profile.Released.Fire();
			else if (reason === "r_lost") {
				profile.watcher?.profileLost();
				profile.Lost.Fire();
			}
			profile.Reset.Fire(reason);
		}
		profile.Replaced.Fire(reason);
	} else if (status === "saved") {
		profile.Saved.Fire();
	}
	profile.Lifecycle.Fire(status, reason);
}

/** @internal the locker was deleted, or a new profile took the session over: the profile is done */
export function easyProfileOnFinished<T extends SaveData>(profile: EasyProfile<T>): void {
	if (profile.finished === true) return;
	profile.finished = true;
	profile.IsLoaded = false;
	easyProfileResumeLoadWaiters(profile, undefined);
	profile.watcher = undefined;
	profile.Finished.Fire();
	profile.Lifecycle.Fire("deleted", "none");
	// Nothing fires on a finished profile again. Its signals are destroyed (every connection dropped, so handlers
	// holding players or game objects are released) once the handlers of the events just fired have run: a deferred
	// thread queued now runs after them.
	task.defer(() => profile.destroySignals());
}
