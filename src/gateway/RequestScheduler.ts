import { RequestBudget } from "./RequestBudget";
import { PRIORITY_RANK, PRIORITY_RESERVE, RequestPriority } from "./RequestPriority";
import { RateLimitBucket } from "./RequestRateLimit";

/** How often (s) a held request looks again for budget. */
const POLL = 0.05;
/**
 * A held request's reserve shrinks by this much per second of waiting, down to 0, so autosaves and read-backs on a
 * server whose budget never recovers far still go (after at most 30 or 40 s), only later than urgent ones.
 */
const AGING_PER_SECOND = 1;
/** Budget headroom (requests) at and above which there is no pressure. */
const COMFORTABLE_HEADROOM = 40;

interface Waiter {
	Rank: number;
	Seq: number;
	Thread: thread;
	/** Clock() time it last looked for budget: a thread that stopped running (its server paused or crashed) stops */
	LastPoll: number;
}
/** A waiter that has not looked for budget for this long (s) no longer holds up the others. */
const STALE_WAITER = 5;

/**
 * @internal
 * Decides when each request of the gateway may go. A request goes at once while the budget (less this gateway's
 * requests waiting in the DataStore's queue) stays above its priority's reserve and nothing more urgent waits;
 * otherwise it waits (yielding) in a queue ordered by priority, then arrival, and leaves as the budget refills. So
 * autosaves wait while releases and purchases go, instead of filling the DataStore's own queue.
 */
export class RequestScheduler {
	/** @internal */ readonly budget: RequestBudget;
	/** @internal */ readonly clock: () => number;
	/** @internal */ rateLimit: RateLimitBucket | undefined;
	/** @internal ordered by (Rank, Seq) */ readonly waiting = new Array<Waiter>();
	/**
	 * @internal threads with a request sent and not answered yet → whether it was sent with no budget left, so it
	 * waits in the DataStore's own queue (the others were charged when they were sent)
	 */
	readonly inFlight = new Map<thread, boolean>();
	/** @internal */ seq = 0;
	/** @internal requests that waited for budget or the rate limit, and how long in all (s) */
	heldCount = 0;
	heldSeconds = 0;

	/** @internal */ readonly isClosing: () => boolean;

	constructor(budget: RequestBudget, clock: () => number, isClosing: () => boolean) {
		this.budget = budget;
		this.clock = clock;
		this.isClosing = isClosing;
	}

	/**
	 * @internal requests sent with no budget left and not answered (they wait in the DataStore's queue); threads
	 * that died meanwhile (a cancelled job) no longer count
	 */
	queuedCount(): number {
		let queued = 0;
		for (const [thread, overBudget] of this.inFlight) {
			if (coroutine.status(thread) === "dead") this.inFlight.delete(thread);
			else if (overBudget) queued += 1;
		}
		return queued;
	}

	/** Budget left once the requests waiting in the DataStore's queue are paid for (negative: more are queued). */
	Headroom(): number {
		return this.budget.Available() - this.queuedCount();
	}

	/** 0 (plenty of budget, nothing held) to 1 (budget spent or requests held back). */
	Pressure(): number {
		this.pruneWaiting();
		if (this.waiting.size() > 0) return 1;
		const headroom = this.Headroom();
		if (headroom === math.huge) return 0;
		return math.clamp(1 - headroom / COMFORTABLE_HEADROOM, 0, 1);
	}

	/** @internal whether a request of this priority, held for `waited` seconds, may go now */
	admits(priority: RequestPriority, closing: boolean, waited = 0): boolean {
		// Closing: the server has a fixed window left, so a game's own rate limit no longer applies.
		if (!closing && this.rateLimit !== undefined && !this.rateLimit.HasToken(this.clock())) return false;
		let reserve = PRIORITY_RESERVE[priority];
		if (reserve > 0) reserve = math.max(reserve - waited * AGING_PER_SECOND, 0);
		return this.Headroom() > reserve;
	}

	/** @internal */
	pruneWaiting(): void {
		const now = this.clock();
		for (let i = this.waiting.size() - 1; i >= 0; i--) {
			const waiter = this.waiting[i];
			if (coroutine.status(waiter.Thread) === "dead" || now - waiter.LastPoll > STALE_WAITER)
				this.waiting.remove(i);
		}
	}

	/** @internal closing began: every waiting request is now a shutdown save, served in arrival order */
	promoteForClosing(): void {
		if (!this.waiting.some(w => w.Rank > 0)) return;
		for (const w of this.waiting) w.Rank = 0;
		this.waiting.sort((a, b) => a.Seq < b.Seq);
	}

	/**
	 * Waits until a request of `priority` may go, then counts it in flight; pair with `Finish`. While closing every
	 * request counts as a release. Yields only when it must wait.
	 */
	Acquire(priority: RequestPriority): void {
		let closing = this.isClosing();
		let effective: RequestPriority = closing ? "release" : priority;
		const thread = coroutine.running();
		this.pruneWaiting();
		if (this.waiting.size() === 0 && this.admits(effective, closing)) {
			this.start(thread, closing);
			return;
		}
		this.seq += 1;
		const waiter: Waiter = {
			Rank: PRIORITY_RANK[effective],
			Seq: this.seq,
			Thread: thread,
			LastPoll: this.clock(),
		};
		this.insert(waiter);
		const since = this.clock();
		while (true) {
			waiter.LastPoll = this.clock();
			// Back in line if it was dropped as stale while its thread did not run.
			if (!this.waiting.includes(waiter)) this.insert(waiter);
			this.pruneWaiting();
			if (!closing && this.isClosing()) {
				closing = true;
				effective = "release";
				this.promoteForClosing();
			}
			// The most urgent waiter goes first; when it cannot, a less urgent one (same or larger reserve) could not either.
			if (this.waiting[0] === waiter && this.admits(effective, closing, this.clock() - since)) break;
			task.wait(POLL);
		}
		this.waiting.remove(0);
		this.heldCount += 1;
		this.heldSeconds += this.clock() - since;
		this.start(thread, closing);
	}

	/** @internal keeps `waiting` ordered by (Rank, Seq) */
	insert(waiter: Waiter): void {
		let index = this.waiting.size();
		while (index > 0) {
			const before = this.waiting[index - 1];
			if (before.Rank < waiter.Rank || (before.Rank === waiter.Rank && before.Seq < waiter.Seq)) break;
			index -= 1;
		}
		this.waiting.insert(index, waiter);
	}

	/** @internal */
	start(thread: thread, closing: boolean): void {
		if (!closing) this.rateLimit?.Take(this.clock());
		this.inFlight.set(thread, this.budget.Available() < 1);
	}

	/** The request of the running thread was answered. */
	Finish(): void {
		this.inFlight.delete(coroutine.running());
	}
}
