/** While closing: the first retry waits this long (s), each further one this much longer, up to CLOSING_RETRY_MAX. */
const CLOSING_RETRY_STEP = 1;
const CLOSING_RETRY_MAX = 3;
/** While closing: time (s) kept free before the deadline for the last request itself to complete. */
const CLOSING_REQUEST_TIME = 2;

/**
 * @internal
 * The part of a gateway the retry and closing policy reads and keeps: RequestGateway holds it, so the locker and the
 * shutdown code read `closingDeadline` where they always did.
 */
export interface ClosingState {
	readonly clock: () => number;
	readonly random: Random;
	/** Clock() time by which a closing server must be done; undefined while not closing */
	closingDeadline: number | undefined;
	/** closing and the last request failed: only one probe request at a time until one succeeds */
	closingOutage: boolean;
	/** a probe request is in flight */
	probing: boolean;
	/** Clock() time before which no new probe starts */
	probeNotBefore: number;
}

/**
 * @internal
 * Seconds to wait before retry number `failures`: exponential from `base`, capped at 6 × base, ±20 % jitter; while
 * closing, short retries that leave time for the last request before the deadline.
 */
export function retryDelay(state: ClosingState, base: number, failures: number): number {
	const deadline = state.closingDeadline;
	if (deadline !== undefined) {
		// Shutting down: the normal backoff (10 s, 20 s, ...) would outlast the 30-second window after one or two
		// failures, so retries are short, and the last one is planned to leave time for its request.
		const step = math.min(CLOSING_RETRY_STEP * math.max(failures, 1), CLOSING_RETRY_MAX);
		const planned = step * state.random.NextNumber(0.8, 1.2);
		const latest = deadline - CLOSING_REQUEST_TIME - state.clock();
		return math.max(math.min(planned, latest), 0);
	}
	const exponent = math.max(failures - 1, 0);
	const delay = math.min(base * 2 ** exponent, base * 6);
	return delay * state.random.NextNumber(0.8, 1.2);
}

/** @internal while closing, pulls a long retry planned earlier in to the first closing retry */
export function capRetryWhileClosing(state: ClosingState, at: number, now: number): number {
	if (state.closingDeadline === undefined || at - now <= CLOSING_RETRY_MAX * 1.2) return at;
	return now + retryDelay(state, 0, 1);
}

/** @internal enters (or tightens) shutdown mode */
export function beginClosing(state: ClosingState, deadline: number): void {
	if (state.closingDeadline === undefined) {
		// The DataStore's health is unknown: one request goes first, so an outage at shutdown costs one request of
		// budget, not one per session. A success lets every other request through at once.
		state.closingOutage = true;
		state.probeNotBefore = 0;
	}
	if (state.closingDeadline === undefined || deadline < state.closingDeadline) state.closingDeadline = deadline;
}

/**
 * @internal
 * While closing through an outage, every failed retry spends request budget that the final saves need once the
 * DataStore recovers. So after a retryable failure only one request at a time probes the DataStore (one per
 * CLOSING_RETRY_STEP); the others wait here and all go out as soon as a probe succeeds. Returns whether this
 * request is the probe. Yields.
 */
export function awaitClosingTurn(state: ClosingState): boolean {
	if (state.closingDeadline === undefined) return false;
	while (state.closingOutage) {
		if (!state.probing && state.clock() >= state.probeNotBefore) {
			state.probing = true;
			return true;
		}
		if (state.clock() >= state.closingDeadline) return false;
		task.wait(0.1);
	}
	return false;
}

/** @internal a request ended: a retryable failure while closing starts (or extends) the outage, a success ends it */
export function noteClosingOutcome(state: ClosingState, probe: boolean, retryableFailure: boolean): void {
	if (probe) state.probing = false;
	if (state.closingDeadline === undefined) return;
	if (retryableFailure) {
		if (!state.closingOutage || probe) state.probeNotBefore = state.clock() + CLOSING_RETRY_STEP;
		state.closingOutage = true;
	} else {
		state.closingOutage = false;
	}
}
