/** A session's first autosave goes at least this far into its first period (0.5: between half and the whole period). */
const EARLIEST_FRACTION = 0.5;
/** Scores (seconds) closer than this count as equal: the later time wins, whatever the clock's magnitude. */
const TIE = 1e-6;
/**
 * A stretched autosave goes at the latest this long (s) before the lease deadline: room for its request, a turn held
 * by the scheduler (under 40 s) and a retry.
 */
export const STRETCH_LEASE_MARGIN = 60;
/** A stretched autosave goes at most this many periods after its planned time, however far the lease deadline is. */
export const MAX_STRETCH_PERIODS = 2;

/** `Note` forgets past checks once in this many notes. */
const PRUNE_EVERY = 64;
/** A stretch whose check has not come back for this long (s) belonged to a session that ended. */
const STALE_STRETCH = 3600;

/** @internal a stretch in progress: the check's time before it was stretched, and the time it was moved to */
interface Stretch {
	readonly From: number;
	readonly To: number;
}

/** @internal the smallest distance from `at` to any of `times` (math.huge when there are none) */
function nearest(times: ReadonlyArray<number>, at: number): number {
	let best = math.huge;
	for (const time of times) best = math.min(best, math.abs(time - at));
	return best;
}

/**
 * @internal
 * Times the autosaves of a server's sessions. Two decisions, both deterministic and independent of the clock's origin
 * (they compare distances between times, never slots of the clock):
 *
 * - **Spread** (`Plan`, at load): the first autosave check of a session goes in the largest gap between the checks
 *   already planned, between half the period and the whole period after its load (the latest of equally good
 *   times, so a lone session keeps exactly one period). A save keeps the session's phase (the next check is one
 *   period after it), so a join storm stays spread period after period.
 * - **Stretch** (`Stretch`, at a check that would write changed data): while the server is short of request budget
 *   (`RequestGateway.BudgetPressure`), the check moves later by the pressure's fraction of the time left before the
 *   lease deadline less `STRETCH_LEASE_MARGIN` (and at most `MAX_STRETCH_PERIODS` periods): never past it, so every
 *   lease stays alive.
 */
export class AutosavePlanner {
	/** @internal a session (any table) → the time of its next autosave check, as planned or noted */
	readonly planned = new Map<object, number>();
	/** @internal sessions whose check was stretched and has not gone yet */
	readonly stretches = new Map<object, Stretch>();
	/** @internal autosave checks moved later for want of budget (each move counts) */
	StretchCount = 0;
	/** @internal the budget pressure the last stretch decision read */
	LastPressure = 0;
	/** @internal notes taken, to prune every PRUNE_EVERY of them */
	notes = 0;

	/**
	 * The time (same clock as `now`) of the first autosave check of a session that loaded at `now`: in
	 * [now + period / 2, now + period], as far as can be from every other session's planned check.
	 */
	Plan(now: number, period: number, owner: object = {}): number {
		if (!(period > 0)) return now;
		const earliest = now + period * EARLIEST_FRACTION;
		const latest = now + period;
		this.prune(now);
		const times = new Array<number>();
		for (const [other, at] of this.planned) if (other !== owner) times.push(at);
		times.sort((a, b) => a < b);
		let best = latest;
		let bestScore = nearest(times, latest);
		const consider = (at: number, score: number) => {
			if (score > bestScore + TIE || (score >= bestScore - TIE && at > best)) {
				best = at;
				bestScore = score;
			}
		};
		consider(earliest, nearest(times, earliest));
		for (let i = 1; i < times.size(); i++) {
			const middle = (times[i - 1] + times[i]) / 2;
			if (middle > earliest && middle < latest) consider(middle, (times[i] - times[i - 1]) / 2);
		}
		this.planned.set(owner, best);
		return best;
	}

	/** Records when a session checks next (after a save, or a check that wrote nothing), so plans avoid it. */
	Note(owner: object, at: number, now: number): void {
		this.planned.set(owner, at);
		// Sessions that ended leave their last time behind: forget those now and then, not only at the next load.
		this.notes += 1;
		if (this.notes % PRUNE_EVERY === 0) this.prune(now);
	}

	/**
	 * Whether an autosave check of `owner` that would write changed data goes `now` (returns `now`) or waits for
	 * budget (returns a later time: the pressure's share of the way to the latest time, which is
	 * `leaseDeadline - STRETCH_LEASE_MARGIN` or `MAX_STRETCH_PERIODS` periods after the planned time, whichever comes
	 * first). `due` is the time the check was planned for; a check already stretched keeps its original time as the
	 * base, so a pressure that stays the same stretches it once, not again at every look.
	 */
	Stretch(owner: object, now: number, due: number, leaseDeadline: number, period: number, pressure: number): number {
		this.LastPressure = pressure;
		const previous = this.stretches.get(owner);
		const from = previous !== undefined && previous.To === due ? previous.From : due;
		this.stretches.delete(owner);
		const latest = math.min(leaseDeadline - STRETCH_LEASE_MARGIN, from + MAX_STRETCH_PERIODS * period);
		if (!(pressure > 0) || latest <= from) return now;
		const to = from + (latest - from) * math.min(pressure, 1);
		if (to <= now) return now;
		this.stretches.set(owner, { From: from, To: to });
		this.planned.set(owner, to);
		this.StretchCount += 1;
		return to;
	}

	/**
	 * @internal forgets checks before `now` (they went, or their session ended), and stretches long past (a stretch
	 * just past is kept: its session's check may come a frame later and needs the original time)
	 */
	prune(now: number): void {
		for (const [owner, at] of this.planned) if (at < now) this.planned.delete(owner);
		for (const [owner, stretch] of this.stretches)
			if (stretch.To < now - STALE_STRETCH) this.stretches.delete(owner);
	}
}
