/** Autosaves are spread over buckets this many seconds wide. */
const BUCKET_SECONDS = 10;
/** An autosave may be planned this early in its period at the earliest (0.5: between half and the whole period). */
const EARLIEST_FRACTION = 0.5;

/**
 * @internal
 * Spreads the autosaves of a server's sessions over the autosave period. Each plan takes the least busy time bucket
 * between half the period and the whole period from now (the latest among equally busy ones), so sessions loaded in
 * the same few seconds (a join storm, a server that just started) do not all autosave in the same few seconds a
 * period later, and none waits longer than the period. Plans of sessions that ended stay counted until their time
 * passes, which only makes a bucket look a little busier than it is.
 */
export class AutosavePlanner {
	/** @internal bucket index (floor(time / width)) → autosaves planned in it */
	readonly planned = new Map<number, number>();
	/** @internal plans made; spreads plans within a bucket without drawing on the gateway's Random */
	count = 0;

	/** @internal a low-discrepancy sequence in [0, 1): successive plans land far apart */
	nextFraction(): number {
		this.count += 1;
		return (this.count * 0.6180339887498949) % 1;
	}

	/** The time (same clock as `now`) of the next autosave of a session that saved or loaded at `now`. */
	Plan(now: number, period: number): number {
		if (!(period > 0)) return now;
		const latest = now + period;
		const earliest = now + period * EARLIEST_FRACTION;
		// A period of only a few buckets (specs, tests of a game): spread over the allowed range without buckets.
		if (period < BUCKET_SECONDS * 10) return earliest + (latest - earliest) * this.nextFraction();
		const first = math.ceil(earliest / BUCKET_SECONDS);
		// The bucket holding `latest` counts too (plans in it are clamped to `latest`): a lone session keeps its period.
		const last = math.floor(latest / BUCKET_SECONDS);
		this.prune(math.floor(now / BUCKET_SECONDS));
		let best = last;
		let bestCount = this.planned.get(last) ?? 0;
		for (let bucket = last - 1; bucket >= first; bucket--) {
			const count = this.planned.get(bucket) ?? 0;
			if (count < bestCount) {
				best = bucket;
				bestCount = count;
			}
		}
		this.planned.set(best, bestCount + 1);
		const from = math.max(best * BUCKET_SECONDS, earliest);
		const to = math.min((best + 1) * BUCKET_SECONDS, latest);
		return from + (to - from) * this.nextFraction();
	}

	/** @internal forgets buckets before `bucket` */
	prune(bucket: number): void {
		for (const [planned] of this.planned) if (planned < bucket) this.planned.delete(planned);
	}
}
