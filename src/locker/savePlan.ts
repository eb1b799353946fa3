/**
 * @internal
 * What a held locker's autosave check sees. Times are on the locker's `SessionUpdate` clock (`os.clock()`).
 */
export interface SaveCheck {
	readonly Now: number;
	/** MaintainSessionPeriod: the gap between two autosave checks. */
	readonly Period: number;
	/** SessionExpiry: the age after which any server, old or new, may judge the lock stale. */
	readonly Expiry: number;
	/**
	 * When the last holder write (the load, or a save) started, or a later estimate of when it stamped
	 * `Session.UpdatedAt`: the lease's age is counted from here.
	 */
	readonly LastWriteAt: number;
	/** Something not yet in the key: a marked change, a purchase, a credit, an applied remote change. */
	readonly Dirty: boolean;
}

/** @internal The outcome of an autosave check. */
export interface SavePlan {
	/** "changed": write the data; "lease": write only to refresh the lease; "none": write nothing. */
	readonly Write: "changed" | "lease" | "none";
	/** With Write "none": when to check again. */
	readonly NextCheckAt: number;
}

/**
 * @internal
 * The margin (s) a refresh keeps before the expiry: two autosave periods, at most half the expiry. One period covers
 * the refresh's own retries, the other the clock skew of servers that judge the age on their own clocks
 * (SessionLocker v13: `os.time() - Session.UpdatedAt > SessionExpiry`). Defaults: 600 s of 1,800.
 */
export function leaseMargin(check: SaveCheck): number {
	return math.min(check.Expiry / 2, 2 * check.Period);
}

/**
 * @internal
 * When the lease must be refreshed: once the last holder write is `Expiry - leaseMargin` old (1,200 s by default),
 * the latest check that still leaves the margin. An idle 30-minute session therefore refreshes once.
 */
export function leaseDeadline(check: SaveCheck): number {
	return check.LastWriteAt + check.Expiry - leaseMargin(check);
}

/**
 * @internal
 * The autosave decision: write when something changed; otherwise write nothing and check again one period later,
 * or at the lease deadline if that comes first, and refresh the lease once the deadline is reached. So the age of the
 * last holder write never exceeds `Expiry - leaseMargin` before a check writes (plus a frame).
 *
 * **With SessionExpiry below twice MaintainSessionPeriod the deadline passes between two writes: every check then
 * writes, and the age reaches a full period.**
 */
export function planAutosave(check: SaveCheck): SavePlan {
	if (check.Dirty) return { Write: "changed", NextCheckAt: check.Now };
	const deadline = leaseDeadline(check);
	if (check.Now >= deadline) return { Write: "lease", NextCheckAt: check.Now };
	return { Write: "none", NextCheckAt: math.min(check.Now + check.Period, deadline) };
}
