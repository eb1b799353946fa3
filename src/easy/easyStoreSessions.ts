import { LockerCreate } from "../locker/LockerCreate";
import type { LifecycleReason, LifecycleStatus } from "../locker/LockerSpec";
import type { LockerState } from "../locker/LockerState";
import type { SaveData, StoredSession } from "../protocol/format";
import { isSameLock } from "../protocol/ownership";
import { answerReleaseAsk } from "../locker/releaseRecovery";
import { LogPrefixCreate } from "../util/log";
import { easyDriverClosing, easyDriverWake, easyDriverWakeLocker } from "./EasyDriver";
import { EasyProfile } from "./EasyProfile";
import type { EasyStore } from "./EasyStore";

// How an EasyStore keeps its lockers: one entry per LockerState, indexed by key, with the profiles that hold it and
// those that ended and wait for its release. The class methods delegate here.

/** @internal what the store keeps per locker */
export interface LockerEntry<T extends SaveData> {
	Locker: LockerState<T>;
	/** Profiles holding the locker: they receive its events. */
	Active: Array<EasyProfile<T>>;
	/** Ended profiles waiting for `Finished`. */
	Ended: Array<EasyProfile<T>>;
	/** Loaded since its last release: its next release is announced to the other servers. */
	WasLoaded: boolean;
	/** The other server's lock this load last asked about (releases confirmed on request); cleared once loaded. */
	AskedLock?: StoredSession;
	/** The lock the last "locked" result found: a lock found twice in a row is worth an ask. */
	SeenLock?: StoredSession;
	/** Release announcements of the key heard while this locker exists, and that count at the last ask. */
	Heard?: number;
	HeardAtAsk?: number;
	/** The release under way was hinted to the other servers (once per release). */
	Hinted?: boolean;
	/** When (os.clock) the load first found `SeenLock`. */
	SeenLockSince?: number;
	/** A release hint of the key arrived since the last "locked" result. */
	HintedSinceLocked?: boolean;
}

/**
 * Seconds a load must keep finding the same lock before it asks the holder to confirm its release: longer than a
 * release in flight takes to land (two DataStore round trips), shorter than the cooldown after the quick retries.
 */
const ASK_AFTER = 3;

/** @internal a new LockerState for a key, registered in the store's entries and key index */
export function easyStoreCreateLocker<T extends SaveData>(
	store: EasyStore<T>,
	key: string,
	userIds: Array<number> | undefined,
	logPrefix: string | undefined,
	disableAPIs: boolean | undefined,
): LockerState<T> {
	const ids = userIds ?? [];
	const prefix = logPrefix ?? (ids.size() === 1 ? LogPrefixCreate(true, ids[0], key) : `[SessionLocker]:[${key}]`);
	const locker = LockerCreate(store.LockerSpec, key, ids, prefix, disableAPIs);
	// Game code may use the Full API on `profile.ELS` directly: the driver looks at the locker on its next frame (a
	// deleted one needs the store's full pass, which forgets it).
	locker.onPoke = changed => {
		if (changed.IsDeleted) easyDriverWake(store);
		else easyDriverWakeLocker(store, changed);
	};
	const entry: LockerEntry<T> = { Locker: locker, Active: [], Ended: [], WasLoaded: false };
	store.lockers.set(locker, entry);
	store.entries.push(entry);
	let list = store.byKey.get(key);
	if (list === undefined) {
		list = [];
		store.byKey.set(key, list);
	}
	list.push(locker);
	return locker;
}

/** @internal a new profile on a locker: ended at once during shutdown, else it takes over from ended profiles */
export function easyStoreAttach<T extends SaveData>(store: EasyStore<T>, locker: LockerState<T>): EasyProfile<T> {
	const entry = store.lockers.get(locker) as LockerEntry<T>;
	const profile = EasyProfile.make<T>(store, locker);
	if (easyDriverClosing()) {
		// The server is closing: no new holds. The profile is born ended and finishes with its locker.
		warn(`[SessionLocker] StartSession(${locker.DataStoreKey}) during shutdown: the profile is ended at once`);
		profile.IsActive = false;
		entry.Ended.push(profile);
		task.defer(() => profile.resumeLoadWaiters(undefined));
		return profile;
	}
	if (entry.Ended.size() > 0) {
		// Handover (a reconnection): the ended profiles' session continues in this one, so they are done.
		const ended = table.clone(entry.Ended);
		entry.Ended.clear();
		for (const previous of ended) previous.onFinished();
	}
	entry.Active.push(profile);
	locker.MarkShouldAcquire(profile);
	if (locker.LoadStatus === "loaded" && locker.Session !== undefined) {
		// Reused session: the data is already here. Tell the new profile as if it had just loaded.
		profile.IsLoaded = true;
		task.defer(() => {
			if (profile.IsActive && profile.IsLoaded && locker.LoadStatus === "loaded") {
				profile.IsLoaded = false;
				profile.onLifecycle("replaced", "r_loaded");
			}
		});
	}
	return profile;
}

/** @internal drops a deleted locker from the store's entries and key index */
export function easyStoreForget<T extends SaveData>(store: EasyStore<T>, locker: LockerState<T>): void {
	const entry = store.lockers.get(locker);
	store.lockers.delete(locker);
	if (entry !== undefined) {
		const at = store.entries.indexOf(entry);
		if (at >= 0) store.entries.remove(at);
	}
	const list = store.byKey.get(locker.DataStoreKey);
	if (list === undefined) return;
	const index = list.indexOf(locker);
	if (index >= 0) list.remove(index);
	if (list.size() === 0) store.byKey.delete(locker.DataStoreKey);
}

/**
 * @internal
 * The LockerSpec's Lifecycle callback: tracks loads for release announcements, hands the event to the locker's
 * profiles, and finishes ended profiles once the locker is deleted.
 */
export function easyStoreOnLifecycle<T extends SaveData>(
	store: EasyStore<T>,
	locker: LockerState<T>,
	status: LifecycleStatus,
	reason: LifecycleReason,
): void {
	const entry = store.lockers.get(locker);
	if (entry === undefined) return;
	// The release's transform ran: its write is on its way. The hint lets a server waiting for the key retry as the
	// write lands, not one MessagingService delivery after it; the announcement still follows the write.
	if (status === "before_save_transform" && entry.WasLoaded && entry.Hinted !== true && locker.inUseCount === 0) {
		entry.Hinted = true;
		store.ReleaseAnnouncer?.Hint(locker.DataStoreKey);
	}
	if (status === "replaced") {
		entry.Hinted = false;
		if (reason === "r_loaded") {
			entry.WasLoaded = true;
			entry.AskedLock = undefined;
			entry.SeenLock = undefined;
		} else if (reason === "r_released" && entry.WasLoaded) {
			entry.WasLoaded = false;
			store.ReleaseAnnouncer?.Announce(locker.DataStoreKey);
		} else if (reason === "r_lost") entry.WasLoaded = false;
	}
	if (status === "deleted") {
		const ended = table.clone(entry.Ended);
		entry.Ended.clear();
		for (const profile of ended) profile.onFinished();
		return;
	}
	// Ended profiles keep hearing their locker until it is deleted, so the final Saved and Released reach them.
	for (const profile of table.clone(entry.Active)) profile.onLifecycle(status, reason);
	for (const profile of table.clone(entry.Ended)) profile.onLifecycle(status, reason);
}

/**
 * @internal
 * Releases confirmed on request: loads of this store that find another server's lock ask that server to confirm
 * its release, and this server answers asks about its own releases. Needs the store's ReleaseAnnouncer.
 */
export function easyStoreWireReleaseAsks<T extends SaveData>(store: EasyStore<T>): void {
	const announcer = store.ReleaseAnnouncer;
	if (announcer === undefined) return;
	(store.LockerSpec as { ReleaseAsk?: (ls: LockerState<T>, holder: StoredSession) => void }).ReleaseAsk = (
		locker,
		holder,
	) => easyStoreAskRelease(store, locker, holder);
	announcer.onHeard = (key, released) => {
		const list = store.byKey.get(key);
		if (list === undefined) return;
		for (const locker of list) {
			const entry = store.lockers.get(locker);
			if (entry === undefined) continue;
			// A hint says the release is being written, not that it was: it allows an early retry, never an ask, and
			// the lock found next (the write may not have landed yet) counts as a first sighting.
			// (A load in flight when either arrives retries at once if it comes back locked: RetryLoadNow.)
			if (released) entry.Heard = (entry.Heard ?? 0) + 1;
			else entry.HintedSinceLocked = true;
		}
	};
	announcer.onAsk = (key, lock) => easyStoreAnswerAsk(store, key, lock);
}

/**
 * @internal
 * A load found `key` locked by another server's `holder`. It asks the holder to confirm its release, but only when
 * the same lock was found for ASK_AFTER seconds (with no release hint in between) or the key was announced released
 * in the last few seconds (a lock seen briefly is usually a release still in flight, which its announcement settles
 * at no cost); once per lock, and again only after an announcement of the key was heard since that ask (a
 * release announced as written that did not land). Asks are bounded by the announcements heard, plus one per lock.
 * (An announcement heard while the load was in flight makes it retry at once: `LockerState.RetryLoadNow`.)
 */
export function easyStoreAskRelease<T extends SaveData>(
	store: EasyStore<T>,
	locker: LockerState<T>,
	holder: StoredSession,
): void {
	const entry = store.lockers.get(locker);
	const announcer = store.ReleaseAnnouncer;
	if (entry === undefined || announcer === undefined) return;
	const now = os.clock();
	const same = entry.SeenLock !== undefined && isSameLock(holder, entry.SeenLock) && entry.HintedSinceLocked !== true;
	if (!same) entry.SeenLockSince = now;
	entry.SeenLock = holder;
	entry.HintedSinceLocked = false;
	// A lock seen for a short while is usually a release still in flight (a hop: the quick retries after a locked
	// load find it again within a second), which its announcement settles at no cost. Ask once the same lock has
	// been seen for ASK_AFTER seconds, or at once if the key was announced released a moment ago (before this load
	// existed): then the lock is one that did not land.
	const longSeen = same && now - (entry.SeenLockSince ?? now) >= ASK_AFTER;
	if (!longSeen && !announcer.HeardRecently(locker.DataStoreKey)) return;
	const heard = entry.Heard ?? 0;
	const asked = entry.AskedLock !== undefined && isSameLock(holder, entry.AskedLock);
	if (asked && heard <= (entry.HeardAtAsk ?? 0)) return;
	entry.AskedLock = holder;
	entry.HeardAtAsk = heard;
	announcer.Ask(locker.DataStoreKey, holder);
}

/**
 * @internal
 * Another server asks whether this server's release of `key` (lock `lock`) landed. Ignored while a locker of this
 * store still works on the key (a held session, a load or a release in flight: that locker settles it); otherwise
 * the recorded release, if any, is written again (fenced) and announced.
 */
export function easyStoreAnswerAsk<T extends SaveData>(store: EasyStore<T>, key: string, lock: StoredSession): void {
	const list = store.byKey.get(key);
	if (list !== undefined) for (const locker of list) if (!locker.IsDeleted && locker.State !== "idle") return;
	answerReleaseAsk(store.LockerSpec.DataStore, key, lock, () => store.ReleaseAnnouncer?.Announce(key));
}
