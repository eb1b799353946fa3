import { HttpService, Players } from "@rbxts/services";
import { AutosavePlanner } from "./AutosavePlanner";
import { beginClosing, capRetryWhileClosing, retryDelay } from "./closingPolicy";
import { GatewayResult } from "./GatewayResult";
import { measureValue } from "./measureValue";
import { defaultBudgetSource, RequestBudget } from "./RequestBudget";
import { RequestGatewayOptions } from "./RequestGatewayOptions";
import { RequestPriority } from "./RequestPriority";
import { RateLimitBucket, RequestRateLimit } from "./RequestRateLimit";
import { RequestScheduler } from "./RequestScheduler";
import { sendUpdate } from "./sendUpdate";
import { DataStoreLike, JsonEncoder, KeyInfoLike } from "./types";

export type { GatewayOutcome, GatewayResult } from "./GatewayResult";
export type { RequestGatewayOptions } from "./RequestGatewayOptions";

/** The DataStore's limit on a value's JSON length (`#HttpService:JSONEncode(value)`). */
export const MAX_VALUE_LENGTH = 4_194_304;
/** Reserved key written by clock probes, in the same store as the data. */
export const CLOCK_PROBE_KEY = "__SessionLocker_Clock";

/**
 * The one place where DataStore requests happen on a server: it runs UpdateAsync with a protected transform
 * (errors inside are caught and reported as such, never as a lost lock), checks the value's size before it is
 * written, classifies request errors, computes backoff with jitter, counts requests, and keeps this server's estimate
 * of the DataStore's clock.
 *
 * @example
 * const gateway = RequestGatewayCreate({ Clock: os.clock });
 * const spec: LockerSpec = { DataStore: store, Gateway: gateway, SaveDataVersion: 1, SaveDataCreator: () => ({ Version: 1, VersionPatch: 0 }) };
 */
export class RequestGateway {
	/** Requests sent, all operations. */
	RequestCount = 0;
	/** Requests sent per operation name ("UpdateAsync_Load", "UpdateAsync_Save", ...). */
	readonly RequestCountByOperation = new Map<string, number>();
	readonly PlaceId: number;
	readonly JobId: string;
	readonly SizeLimit: number;
	/** @internal */ readonly clock: () => number;
	/** @internal */ readonly random: Random;
	/** @internal */ readonly http: JsonEncoder;
	/** @internal lower bound of (backend seconds - clock()) */ backendOffset: number | undefined;
	/** @internal Clock() time by which a closing server must be done; undefined while not closing */
	closingDeadline: number | undefined;
	/** @internal closing and the last request failed: only one probe request at a time until one succeeds */
	closingOutage = false;
	/** @internal a probe request is in flight */
	probing = false;
	/** @internal Clock() time before which no new probe starts */
	probeNotBefore = 0;
	/** @internal orders requests by priority and holds them while the budget is low */
	readonly scheduler: RequestScheduler;
	/** @internal */ readonly autosaves = new AutosavePlanner();

	constructor(options?: RequestGatewayOptions) {
		this.clock = options?.Clock ?? os.clock;
		this.random = options?.Random ?? new Random();
		this.http = options?.HttpService ?? HttpService;
		this.PlaceId = options?.PlaceId ?? game.PlaceId;
		this.JobId = options?.JobId ?? game.JobId;
		this.SizeLimit = options?.SizeLimit ?? MAX_VALUE_LENGTH;
		const source = options?.BudgetSource;
		const budget = new RequestBudget(source === false ? undefined : (source ?? defaultBudgetSource()));
		this.scheduler = new RequestScheduler(budget, this.clock, () => this.closingDeadline !== undefined);
		if (options?.RateLimit !== undefined) this.SetRateLimit(options.RateLimit);
	}

	/**
	 * Caps the library's own DataStore requests at `Base + PerPlayer × players` a minute (bursts of up to 10
	 * seconds' worth), or removes the cap (`undefined`). Requests over it wait, most urgent first (releases,
	 * purchases, loads, then saves and autosaves). The cap is lifted while the server closes.
	 * **Leave room for the library: about 2 requests per player per autosave period, plus one per join and leave.**
	 *
	 * @example
	 * // This game makes its own DataStore requests too: keep the library to 30 + 3 per player a minute.
	 * DefaultGateway().SetRateLimit({ Base: 30, PerPlayer: 3 });
	 */
	SetRateLimit(limit: RequestRateLimit | undefined): void {
		this.scheduler.rateLimit =
			limit === undefined
				? undefined
				: new RateLimitBucket({ Base: limit.Base, PerPlayer: limit.PerPlayer }, countPlayers);
	}

	/**
	 * @internal
	 * How short of request budget this server is: 0 with plenty left and nothing held back, rising as the budget
	 * runs low, 1 when it is spent or requests are waiting for it. Optional work (prefetches, read-backs, extra
	 * saves) can be skipped while it is high.
	 *
	 * @example
	 * if (gateway.BudgetPressure() < 0.5) prefetch();
	 */
	BudgetPressure(): number {
		return this.scheduler.Pressure();
	}

	/**
	 * @internal the locker calls it
	 * When the first autosave check of a session that loaded at `now` (a `Clock` time) should happen: between half
	 * the period and the whole period from now, as far as can be from the other sessions' checks (exactly one period
	 * for a lone session), so sessions loaded together (a join storm) do not autosave together. `owner` identifies
	 * the session: its own earlier plan is not in its way.
	 *
	 * @example
	 * ls.autosaveAt = ls.gateway.PlanAutosave(now, period, ls);
	 */
	PlanAutosave(now: number, period: number, owner?: object): number {
		return this.autosaves.Plan(now, period, owner);
	}

	/**
	 * A lower bound of the DataStore's clock now, in seconds, or undefined before the first response with a
	 * DataStoreKeyInfo. Derived from the UpdatedTime of writes this server made: errors make it early, which delays
	 * takeovers rather than stealing live locks.
	 *
	 * @example
	 * const now = gateway.BackendNow();
	 * if (now !== undefined && isSessionStale(writtenMs, now, 1800)) print("stale");
	 */
	BackendNow(): number | undefined {
		const offset = this.backendOffset;
		return offset === undefined ? undefined : this.clock() + offset;
	}

	/**
	 * Feeds a response's keyInfo into the clock estimate.
	 *
	 * @example
	 * const [value, keyInfo] = store.GetAsync(key);
	 * gateway.ObserveKeyInfo(keyInfo, os.clock());
	 */
	ObserveKeyInfo(keyInfo: KeyInfoLike | undefined, clockAtResponse: number): void {
		if (keyInfo === undefined) return;
		const updated = keyInfo.UpdatedTime;
		if (!typeIs(updated, "number")) return;
		const offset = updated / 1000 - clockAtResponse;
		if (this.backendOffset === undefined || offset > this.backendOffset) this.backendOffset = offset;
	}

	/**
	 * A new random LockId in [0, 2^32-1].
	 *
	 * @example
	 * const lockId = gateway.NewLockId();
	 */
	NewLockId(): number {
		return this.random.NextInteger(0, 4294967295);
	}

	/**
	 * Seconds to wait before retry number `failures` (1 for the first retry): exponential from `base`, capped at
	 * 6 × base, with ±20 % jitter so servers that failed together do not retry together.
	 *
	 * @example
	 * nextAttemptAt = now + gateway.RetryDelay(10, failures);
	 */
	RetryDelay(base: number, failures: number): number {
		return retryDelay(this, base, failures);
	}

	/**
	 * While closing, moves a retry planned earlier (for example a 17 s backoff from before shutdown) to the first
	 * closing retry (about 1 s from `now`); returns `at` unchanged otherwise. Retries planned while closing are
	 * already short and pass through.
	 *
	 * @example
	 * nextAttemptAt = gateway.CapRetryWhileClosing(nextAttemptAt, os.clock());
	 * @internal the locker calls it; games never need to
	 */
	CapRetryWhileClosing(at: number, now: number): number {
		return capRetryWhileClosing(this, at, now);
	}

	/**
	 * Shutdown mode: from now on `RetryDelay` gives short retries (about 1, 2, then 3 s) that fit before `Deadline`
	 * (a `Clock` time), so sessions keep trying to save through a DataStore outage instead of waiting out a 10 or
	 * 20 s backoff past the end of the server. While requests fail, only one at a time probes the DataStore and the
	 * others wait for its success, so the outage does not use up the request budget the final saves need. The Easy
	 * API calls it when BindToClose starts.
	 * **Call it once the server is closing, never earlier: short retries use more of the request budget.**
	 *
	 * @example
	 * game.BindToClose(() => {
	 * 	gateway.BeginClosing(os.clock() + 27);
	 * 	LockersShutdown(() => [...lockers.values()]);
	 * });
	 */
	BeginClosing(Deadline: number): void {
		beginClosing(this, Deadline);
	}

	/**
	 * True once `BeginClosing` was called.
	 *
	 * @example
	 * if (gateway.IsClosing()) print("retries are short now");
	 */
	IsClosing(): boolean {
		return this.closingDeadline !== undefined;
	}

	/**
	 * JSON length of a value as the DataStore would measure it (buffers counted as their stored base64 form), or why
	 * it cannot be stored: a walk of the value names the first mixed table, sparse array, function, Instance, other
	 * userdata, NaN, ±inf, invalid UTF-8 string or cycle with its path (`Inventory.Slots[3] is a function`).
	 *
	 * @example
	 * const [ok, size] = gateway.Measure(ls.SaveData);
	 */
	Measure(value: unknown): LuaTuple<[boolean, number | string]> {
		return measureValue(this.http, value);
	}

	/**
	 * One UpdateAsync. `produce` computes the value to write from the current one (undefined: write nothing); it
	 * runs under pcall, and its value is size-checked before it is handed back to the DataStore. UserIds are
	 * `userIds`, or the key's own when `userIds` is undefined (writers that do not own the key, such as
	 * RemoteChangeSender; a missing key then gets none); metadata is carried over from the key so it is never
	 * cleared.
	 * **Yields; call it from a job thread, never from a transform or Heartbeat handler directly.**
	 *
	 * @example
	 * const result = gateway.Update(store, key, (value, keyInfo) => {
	 * 	appendRemoteChanges(value as RawSaveData, changes, nextId, os.time());
	 * 	markForeignWrite(value, keyInfo);
	 * 	return value;
	 * }, undefined, "UpdateAsync_SendRemoteChanges");
	 * @param priority how urgent the request is; by default derived from `operation` (`UpdateAsync_Save` counts as
	 * a requested save, so pass `"autosave"` for periodic saves and `"purchase"` for saves a purchase waits for)
	 */
	Update(
		store: DataStoreLike,
		key: string,
		produce: (value: unknown, keyInfo: KeyInfoLike | undefined) => unknown,
		userIds: Array<number> | undefined,
		operation: string,
		priority?: RequestPriority,
	): GatewayResult {
		return sendUpdate(this, store, key, produce, userIds, operation, priority);
	}

	/**
	 * Writes the reserved clock key once so the response's UpdatedTime calibrates `BackendNow`. Used when a load
	 * meets a held lock before this server has any estimate. Yields.
	 *
	 * @example
	 * if (gateway.BackendNow() === undefined) gateway.ProbeClock(store);
	 */
	ProbeClock(store: DataStoreLike): GatewayResult {
		return this.Update(store, CLOCK_PROBE_KEY, () => ({ ProbedBy: this.JobId }), [], "UpdateAsync_ClockProbe");
	}

	/** @internal */
	count(operation: string): void {
		this.RequestCount += 1;
		this.RequestCountByOperation.set(operation, (this.RequestCountByOperation.get(operation) ?? 0) + 1);
	}
}

/** @internal players on this server, for per-player rate limits */
function countPlayers(): number {
	const [ok, count] = pcall(() => Players.GetPlayers().size());
	return ok ? count : 0;
}

let defaultGateway: RequestGateway | undefined;

/**
 * Creates a request gateway. Most games use the default one (`DefaultGateway()`); create your own to inject
 * services or to simulate several servers in one place.
 *
 * @example
 * const gateway = RequestGatewayCreate({ PlaceId: 1, JobId: "server-a", Clock: () => myClock });
 */
export function RequestGatewayCreate(options?: RequestGatewayOptions): RequestGateway {
	return new RequestGateway(options);
}

/**
 * This server's shared gateway, created on first use with the real services.
 *
 * @example
 * print(DefaultGateway().RequestCount);
 */
export function DefaultGateway(): RequestGateway {
	if (defaultGateway === undefined) defaultGateway = new RequestGateway();
	return defaultGateway;
}
