/**
 * A cap on the library's own DataStore requests, per minute: `Base + PerPlayer × players`, like
 * `DataStoreService:SetRateLimitForRequestType`. For games whose own DataStore use shares the server's budget.
 *
 * @example
 * const gateway = RequestGatewayCreate({ RateLimit: { Base: 30, PerPlayer: 5 } });
 */
export interface RequestRateLimit {
	/** Requests per minute with no player on the server. */
	Base: number;
	/** Requests per minute added per player on the server. */
	PerPlayer: number;
}

/** A burst may use up to this many seconds of the rate at once. */
const BURST_SECONDS = 10;

/**
 * @internal
 * A token bucket for `RequestRateLimit`: refills at the limit's rate, holds at most BURST_SECONDS of it, starts full.
 */
export class RateLimitBucket {
	/** @internal */ limit: RequestRateLimit;
	/** @internal */ tokens: number | undefined;
	/** @internal */ at = 0;
	/** @internal */ readonly players: () => number;

	constructor(limit: RequestRateLimit, players: () => number) {
		this.limit = limit;
		this.players = players;
	}

	/** @internal requests per second now */
	rate(): number {
		return math.max(this.limit.Base + this.limit.PerPlayer * this.players(), 0) / 60;
	}

	/** @internal */
	settle(now: number): number {
		const rate = this.rate();
		const cap = math.max(rate * BURST_SECONDS, 1);
		const tokens = this.tokens === undefined ? cap : math.min(cap, this.tokens + rate * math.max(now - this.at, 0));
		this.tokens = tokens;
		this.at = now;
		return tokens;
	}

	/** Whether one request may go now. */
	HasToken(now: number): boolean {
		return this.settle(now) >= 1 - 1e-9;
	}

	/** Spends one request. */
	Take(now: number): void {
		this.tokens = this.settle(now) - 1;
	}
}
