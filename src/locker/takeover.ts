import { Defaults, QueryConfig } from "../config";
import type { RequestGateway } from "../gateway/RequestGateway";
import { LivenessHub } from "../liveness/LivenessHub";
import type { StoredSession } from "../protocol/format";
import { isSameLock } from "../protocol/ownership";
import type { LockerSpec } from "./LockerSpec";

let verdicts = 0;

/**
 * How many "dead" verdicts this server reached so far: a driver that sleeps until lockers are due (the Easy API's)
 * wakes when it changes, so the load retries at once.
 * @internal
 */
export function takeoverVerdicts(): number {
	return verdicts;
}

/** Heartbeat reads per takeover: the first, one when the entry should lapse, one at the latest lapse time. */
export const TAKEOVER_READS = 3;
/** Seconds after the predicted lapse before reading: the entry's commit follows its stamp by one latency or so. */
const LAPSE_MARGIN = 0.25;
/** When the read at the predicted lapse still finds the entry, the last read waits this much more (clock errors). */
const PREDICTION_SLACK = 2;
/** A "dead" verdict is acted on within this many seconds, or read again: an old verdict proves nothing now. */
const VERDICT_LIFETIME = 5;
/** After a holder proved alive, the same lock is not watched again for this long (bounds the cost per player). */
const ALIVE_QUIET = 60;

/**
 * Watches the heartbeat of the server holding the lock one load keeps finding, and tells the load when to take that
 * lock: only after a read that succeeded found the holder's entry gone. At most 3 MemoryStore reads per takeover:
 * the first at once; the next when the entry must lapse if the holder stopped refreshing it (from the stamp in the
 * entry); the last at the latest time a holder dead at the first read can still have an entry (first read + TTL).
 * An error, a lock without the heartbeat marker, or a holder that keeps refreshing: the expiry decides, as before.
 *
 * @example
 * const watch = new TakeoverWatch(hub, jobId, () => locker.RetryLoadNow());
 * watch.OnLocked(acquire.Holder); // from the load's "locked" branch
 * context.TakeDeadHolder = watch.DeadHolder();
 * @internal
 */
export class TakeoverWatch {
	/** @internal the lock being watched */ target: StoredSession | undefined;
	/** @internal the lock judged dead, and when */ dead: StoredSession | undefined;
	/** @internal */ deadAt = -math.huge;
	/** @internal the watched lock proved alive until then */ quietUntil = -math.huge;
	/** @internal bumped to cancel a running watch */ generation = 0;
	/** @internal reads done by watches of this locker (specs read it) */ reads = 0;

	constructor(
		readonly hub: LivenessHub,
		readonly ownJobId: string,
		/** Asks the locker to retry its load at once (a dead verdict). */
		readonly retryNow: () => void,
		readonly clock: () => number = os.clock,
	) {}

	/**
	 * The load found the key locked by `holder`. Starts a watch when the lock advertises a heartbeat and is not
	 * being watched already. Returns true when a dead verdict for exactly this lock is fresh (retry the load now).
	 */
	OnLocked(holder: StoredSession | undefined): boolean {
		const now = this.clock();
		if (holder === undefined || holder.Heartbeat !== 1 || holder.JobId === this.ownJobId) {
			this.Cancel();
			return false;
		}
		const dead = this.DeadHolder();
		if (dead !== undefined && isSameLock(holder, dead)) return true;
		const target = this.target;
		if (target !== undefined && isSameLock(holder, target)) {
			if (now < this.quietUntil) return false;
			if (this.running) return false;
		}
		this.start(holder);
		return false;
	}

	/** The lock a load may take now (a fresh dead verdict), or undefined. */
	DeadHolder(): StoredSession | undefined {
		if (this.dead === undefined || this.clock() - this.deadAt > VERDICT_LIFETIME) return undefined;
		return this.dead;
	}

	/** Stops any watch and forgets verdicts (the load settled, or the lock changed hands). */
	Cancel(): void {
		this.generation += 1;
		this.running = false;
		this.target = undefined;
		this.dead = undefined;
		this.quietUntil = -math.huge;
	}

	/** @internal */ running = false;

	/** @internal one watch: up to 3 reads in its own thread; a newer generation cancels it */
	start(holder: StoredSession): void {
		this.generation += 1;
		const generation = this.generation;
		this.target = holder;
		this.dead = undefined;
		this.running = true;
		task.spawn(() => {
			this.watch(holder, generation);
			if (this.generation === generation) this.running = false;
		});
	}

	/** @internal */
	watch(holder: StoredSession, generation: number): void {
		const first = this.clock();
		let latest = math.huge;
		let predicted: number | undefined;
		let confirming = false;
		for (let i = 1; i <= TAKEOVER_READS; i++) {
			const read = this.hub.ReadHolder(holder.JobId);
			if (this.generation !== generation) return;
			this.reads += 1;
			if (read.Liveness === "unknown") return; // an error is never a reason to take: the expiry decides
			if (read.Liveness === "dead" && this.hub.SawRecentError() && !confirming) {
				// After a MemoryStore incident a live holder may not have rewritten its entry yet: it retries
				// within RetrySeconds, so a second "dead" read after that is proof.
				confirming = true;
				task.wait(this.hub.Heartbeat.RetrySeconds + 1);
				if (this.generation !== generation) return;
				continue;
			}
			if (read.Liveness === "dead") {
				this.dead = holder;
				this.deadAt = this.clock();
				verdicts += 1;
				this.retryNow();
				return;
			}
			const now = this.clock();
			const ttl = read.Ttl ?? this.hub.Heartbeat.TtlSeconds;
			// A holder dead at the first read wrote its entry before it, so the entry is gone by first + TTL.
			latest = math.min(latest, first + ttl + LAPSE_MARGIN);
			// Alive past a lapse time: the holder wrote its entry again since, so it is alive.
			if (now >= latest || (predicted !== undefined && now >= predicted + PREDICTION_SLACK)) break;
			const backendNow = this.hub.BackendNow();
			if (i === 1 && read.Stamp !== undefined && backendNow !== undefined) {
				// Both clocks are lower bounds of the DataStore clock: a guess a little early costs one more read.
				predicted = now + read.Stamp + ttl - backendNow + LAPSE_MARGIN;
			}
			let readAt = latest;
			if (predicted !== undefined) readAt = math.min(i === 1 ? predicted : predicted + PREDICTION_SLACK, latest);
			task.wait(math.max(readAt - now, LAPSE_MARGIN));
			if (this.generation !== generation) return;
		}
		this.quietUntil = this.clock() + ALIVE_QUIET;
	}
}

/**
 * This server's heartbeat hub for a spec, or undefined when liveness is off: `MemoryStoreService: false`, test data,
 * read-only DataStores, or (by default) anything but a real DataStore on a live server. Studio play tests are one
 * server: nobody there needs a fast takeover, and their heartbeats must not mix with production's.
 * @internal
 */
export function livenessHubFor(
	spec: Pick<LockerSpec, "MemoryStoreService" | "DataStoreTestData" | "ReadOnlyDataStores" | "DataStore">,
	gateway: RequestGateway,
): LivenessHub | undefined {
	const option = spec.MemoryStoreService;
	if (option === false) return undefined;
	if (spec.DataStoreTestData !== undefined) return undefined;
	if (QueryConfig(spec.ReadOnlyDataStores, Defaults.ReadOnlyDataStores)) return undefined;
	let service = option;
	if (service === undefined) {
		if (!typeIs(spec.DataStore, "Instance")) return undefined;
		const [ok, studio] = pcall(() => game.GetService("RunService").IsStudio());
		if (!ok || studio) return undefined;
		service = game.GetService("MemoryStoreService");
	}
	return LivenessHub.For(service, gateway.JobId, () => gateway.BackendNow());
}
