/**
 * The headless runtime's test kit: start several emulated game servers in one universe, drive the virtual clock,
 * inspect output, and reach into the emulated DataStore, Marketplace and Messaging backends.
 *
 * It works only on the headless runtime (`npm test`); in Roblox Studio `Kit.isHeadless()` is false and every other
 * call errors with a clear message.
 *
 * @example
 * const universe = Kit.createUniverse({ seed: 1 });
 * const a = universe.startServer();
 * const b = universe.startServer();
 * const libA = a.require<typeof import("../../src")>("ReplicatedStorage.SessionLocker");
 * Kit.advance(30); // 30 virtual seconds, a few milliseconds of wall time
 */

export type OutputKind = "print" | "warn" | "error" | "info";

export interface OutputLine {
	kind: OutputKind;
	message: string;
	/** Virtual time of the line (`Kit.now()` when it was written). */
	time: number;
}

export type RequestMethod =
	| "GetAsync"
	| "SetAsync"
	| "UpdateAsync"
	| "RemoveAsync"
	| "IncrementAsync"
	| "GetSortedAsync"
	| "ListKeysAsync"
	| "ListVersionsAsync"
	| "GetVersionAsync"
	| "GetVersionAtTimeAsync"
	| "ListDataStoresAsync";

export interface LatencyOptions {
	/** Minimum virtual latency of one backend request, in seconds. Default 0.1. */
	min?: number;
	/** Maximum virtual latency of one backend request, in seconds. Default 0.5. */
	max?: number;
}

export interface UniverseOptions {
	/** Seed for every random choice the runtime makes (latency, GUIDs, fault probabilities). Default 1. */
	seed?: number;
	/** Default PlaceId of servers. Default 1818. */
	placeId?: number;
	/** DataStore budget profile (items 28–33). Default "legacy". */
	budgetProfile?: "legacy" | "2026" | "unlimited";
	/** Virtual latency of DataStore requests (item 42). */
	latency?: LatencyOptions;
	/** Enable the legacy 6-second same-key write cooldown (item 37). Default false. */
	writeCooldown?: boolean;
	/** Backend start time, unix seconds. Default 1_780_000_000. */
	epoch?: number;
	/** Virtual latency of one MemoryStore round trip. Default 0.02 to 0.08 s. */
	memoryStoreLatency?: LatencyOptions;
	/**
	 * ProcessReceipt / BindReceiptHandler re-invocation (Roblox's rule since January 2025): each new purchase and each
	 * join invokes the handler again for every unresolved receipt of the buyer, even while an earlier invocation of it
	 * is still running on that server. Default true; false restores the older rule (never twice at once on a server).
	 */
	receiptReinvocation?: boolean;
	/** Fraction (0–1) of MessagingService deliveries lost, drawn per delivery from a seeded generator. Default 0. */
	messageLoss?: number;
	/** Record what happens for `Kit.writeTimeline` (cheap: it follows the request log). Default true. */
	timeline?: boolean;
}

export interface ServerOptions {
	/** Defaults to a GUID from the universe's seeded generator. */
	jobId?: string;
	placeId?: number;
	/** Emulate a Studio play session (RunService:IsStudio(), CloseReason DeveloperShutdown). Default false. */
	studio?: boolean;
	/** Studio only: whether "Enable Studio Access to API Services" is on. Default true. */
	apiAccess?: boolean;
	/** Seconds added to this server's os.time / tick / DateTime / GetServerTimeNow (item 56). Default 0. */
	clockSkew?: number;
	/** Workspace.SignalBehavior (item 55). Default "Deferred". */
	signalBehavior?: "Deferred" | "Immediate";
	/**
	 * Order of PlayerRemoving and BindToClose during shutdown (item 50): players leave first (default), callbacks
	 * start first, or players leave one per frame while the callbacks run.
	 */
	shutdownOrder?: "playersFirst" | "closeFirst" | "interleaved";
	/**
	 * Keep the server running when its last player leaves. By default it shuts down as Roblox does, with
	 * `Enum.CloseReason.ServerEmpty`: BindToClose callbacks run, then the 30 s deadline applies. Only for specs that
	 * need an empty server to stay up (for example, a player leaving and rejoining the same server).
	 */
	stayOpenWhenEmpty?: boolean;
	/**
	 * `os.clock()` on this server. `"advancing"` (default): each call reads `osClockStep` more than the previous one
	 * in the same resumption of one of this server's threads, and each such resumption starts 1 µs into the frame past
	 * the one before, so code sees it advance within a frame, as in Roblox, while reading it in one thread never moves
	 * another's readings, and other servers' threads never move them either.
	 * `"frame"`: the virtual clock, constant within a frame (a deviation, for specs that want exact numbers). Each
	 * server has its own seeded baseline and counts from its start either way.
	 */
	osClock?: "advancing" | "frame";
	/** Seconds `os.clock()` advances per call within a resumption in `"advancing"` mode. Default 0.000000001. */
	osClockStep?: number;
	/**
	 * Run the place's server Scripts when the server starts, as a Roblox server does: RunContext Legacy Scripts in
	 * Workspace and ServerScriptService, RunContext Server Scripts there and in ReplicatedStorage. The test runner
	 * script is never run on kit servers. Default true.
	 */
	runScripts?: boolean;
}

/** One emulated game server. */
export interface KitServer {
	readonly id: number;
	readonly jobId: string;
	readonly placeId: number;
	/** This server's DataModel. */
	readonly game: DataModel;
	/** False once crashed or closed. */
	readonly isAlive: boolean;
	/** True once shutdown finished (BindToClose returned or the 30 s deadline passed). */
	readonly isClosed: boolean;

	/**
	 * Requires a module of this server by its full name, such as `"ReplicatedStorage.SessionLocker"`, and returns this
	 * server's own copy (each server has its own module cache, `_G` and scheduler queues).
	 */
	require<T = unknown>(fullName: string): T;
	/** Adds a player; fires PlayerAdded. UserIds default to 1, 2, 3…; pass negative ids to mimic Studio test players. */
	addPlayer(options?: { userId?: number; name?: string }): Player;
	/** Removes a player; fires PlayerRemoving(player, reason) while the player is still parented (item 50). */
	removePlayer(player: Player, reason?: Enum.PlayerExitReason): void;
	/** Stops every thread of this server at once; nothing of it runs again. */
	crash(): void;
	/** Begins shutdown: players leave, BindToClose callbacks run, the server is killed at the 30 s deadline (item 49). */
	shutdown(reason?: Enum.CloseReason): void;
	/** Freezes the server: no thread of it resumes and no frame event fires until `resume`. Clocks keep running. */
	pause(): void;
	/** Unfreezes it: the work it held back runs first, in order, ahead of events fired at it since. */
	resume(): void;
	/**
	 * Keeps this server running when its last player leaves (`false` restores Roblox's ServerEmpty shutdown). Same as
	 * the `stayOpenWhenEmpty` server option; for specs that need an empty server to stay up.
	 */
	stayOpenWhenEmpty(value?: boolean): void;
	/** Changes the skew of this server's wall clocks, in seconds. */
	setClockSkew(seconds: number): void;
	/** Everything this server printed, warned or errored, in order. */
	output(): Array<OutputLine>;
	/** Only the lines of the given kind. */
	outputOf(kind: OutputKind): Array<string>;
	/** Forgets the output collected so far. */
	clearOutput(): void;
}

/** A fault rule for the emulated DataStore backend (item 39, item 40). */
export interface DataStoreFault {
	/** Which method it applies to; every method when absent. */
	method?: RequestMethod;
	/** Which key it applies to; every key when absent. */
	key?: string;
	/** Which server it applies to; every server when absent. */
	server?: KitServer;
	/** How many matching requests it fails before it expires. Default 1. Use math.huge for "until cleared". */
	count?: number;
	/** Skip this many matching requests before failing. Default 0. */
	after?: number;
	/**
	 * What happens:
	 * - `"error"` (default): the request fails with `message` and nothing is committed;
	 * - `"commit-then-error"`: the write commits, then the caller gets the error (item 40);
	 * - `"drop-then-ok"`: nothing is committed, but the caller is told it succeeded (item 40).
	 */
	mode?: "error" | "commit-then-error" | "drop-then-ok";
	/** The full error text, for example `"502: API Services rejected request with error. HTTP 500 (Internal Server Error)"`. */
	message?: string;
	/**
	 * Also apply to UpdateAsync's read steps (the first read and each re-read after a conflict), not only to its write
	 * (item D5). On a read step every mode fails the read and the transform does not run. Default false, so a rule
	 * without it means what it always meant.
	 */
	reads?: boolean;
}

/** One request an emulated service answered (item D4): the universe keeps one log for every service. */
export interface RequestLogEntry {
	/** Position in the universe's log, from 1. */
	seq: number;
	time: number;
	server: number;
	/** `"DataStoreService"`, or another service that logs its requests (`"MessagingService"` …). */
	service: string;
	/** A {@link RequestMethod} for DataStoreService; the method name for other services. */
	method: string;
	store: string;
	key: string;
	/**
	 * `"throttled"`: refused by a server or experience budget, a full queue (301–306, `…GameServerThrottled`,
	 * `…ExperienceThrottled`) or a per-key throughput limit; `error` holds the text.
	 */
	outcome: "ok" | "error" | "cancelled" | "throttled";
	error?: string;
	/** The mode of the injected fault rule this request drew, if any (an `"ok"` with `"drop-then-ok"` was dropped). */
	fault?: "error" | "commit-then-error" | "drop-then-ok";
}

/** Which requests of the log to read. `service` defaults to `"DataStoreService"`; `"*"` means every service. */
export interface RequestFilter {
	service?: string;
	server?: KitServer;
	method?: string;
	key?: string;
	outcome?: RequestLogEntry["outcome"];
}

export interface StoredEntry {
	value: unknown;
	userIds: Array<number>;
	metadata: Record<string, unknown>;
	createdTime: number;
	updatedTime: number;
	version: string;
}

/** Inspection and fault injection for the universe's one DataStore backend. */
export interface DataStoreKit {
	/** Raw stored value (a fresh copy) or undefined. */
	read(storeName: string, key: string, scope?: string): StoredEntry | undefined;
	/** Writes a raw value, bypassing locks and budgets. */
	write(
		storeName: string,
		key: string,
		value: unknown,
		options?: { scope?: string; userIds?: Array<number>; metadata?: Record<string, unknown> },
	): void;
	remove(storeName: string, key: string, scope?: string): void;
	/** Adds a fault rule; returns a function that removes it. */
	addFault(fault: DataStoreFault): () => void;
	clearFaults(): void;
	/** Makes the next `count` UpdateAsync transforms on `key` run again, as if another server committed in between (item 22). */
	forceConflicts(key: string, count: number): void;
	/**
	 * Makes the next `count` UpdateAsync calls on `key` first transform the value the key had before its latest
	 * commit (a stale read), then run again with the current value (item 23). Keys never written are unaffected.
	 */
	staleReads(key: string, count: number): void;
	/** While held, requests to `key` do not complete; `release` lets them finish (item 42). */
	hold(key: string): { release(): void };
	setLatency(options: LatencyOptions): void;
	/** Requests made, oldest first, optionally filtered (DataStoreService's unless `filter.service` says otherwise). */
	requests(filter?: RequestFilter): Array<RequestLogEntry>;
	requestCount(filter?: RequestFilter): number;
	/** How many requests each service method answered, keyed `"Service.Method"` (every service unless filtered). */
	requestCounts(filter?: RequestFilter): Record<string, number>;
	/** Saves the whole backend as JSON to a file path (Node side), and loads it back. */
	saveToFile(path: string): void;
	loadFromFile(path: string): boolean;
	/** Shift the backend clock (keyInfo times), in seconds. */
	advanceBackendClock(seconds: number): void;
	/**
	 * Behaviour switches for the whole backend (docs/emulator-services.md):
	 * - `transformErrors`: what a throwing or yielding UpdateAsync transform does (item 25). `"report"` (default)
	 *   prints the error and UpdateAsync returns nil; `"propagate"` raises it from UpdateAsync.
	 * - `studioErrorStyle`: the error of a Studio server without API access (item 41). Default `"modern"`
	 *   (`502: … HTTP 403 (Forbidden)`); `"legacy"` gives `403: Cannot write to DataStore from studio…`.
	 * - `strictMixedTables`: refuse mixed tables with 104 instead of dropping their string keys (item 10).
	 * - `valueLimit`: the encoded-size cap of item 6, in characters. Default 4,194,304.
	 * - `warnNonFinite`: warn when a stored value contains inf or nan (item 11).
	 * - `closeBudgetBoost`: once a server starts shutting down, raise each of its budgets to at least 150 × rate/60
	 *   (item 49's optional boost; unconfirmed upstream). Default false.
	 */
	setOptions(options: {
		transformErrors?: "report" | "propagate";
		studioErrorStyle?: "modern" | "legacy";
		strictMixedTables?: boolean;
		valueLimit?: number;
		warnNonFinite?: boolean;
		closeBudgetBoost?: boolean;
	}): void;
	/** A server's current budget for a request type, as GetRequestBudgetForRequestType would answer (item 31). */
	budget(server: KitServer, requestType: Enum.DataStoreRequestType | string): number;
}

export interface KitReceipt {
	PurchaseId: string;
	PlayerId: number;
	ProductId: number;
	PlaceIdWherePurchased: number;
	CurrencySpent: number;
	CurrencyType: Enum.CurrencyType;
	ProductPurchaseChannel: Enum.ProductPurchaseChannel;
}

export interface PurchaseHandle {
	readonly receipt: KitReceipt;
	/** "pending" until some server's ProcessReceipt returned PurchaseGranted and it was recorded. */
	status(): "pending" | "granted";
	/** How many times ProcessReceipt was invoked for this receipt, on any server. */
	invocations(): number;
}

export interface MarketplaceKit {
	/** A player on a server buys a developer product; delivery starts at once (item 46). */
	purchase(server: KitServer, player: Player, productId: number, options?: { price?: number }): PurchaseHandle;
	granted(): Array<KitReceipt>;
	pending(): Array<KitReceipt>;
	/** The next `count` PurchaseGranted results fail to be recorded, so those receipts stay unresolved (item 47). */
	failRecording(count: number): void;
}

export interface MessagingKit {
	/** Drop the next `count` messages on `topic` (all topics when absent). */
	drop(count: number, topic?: string): void;
	/** Extra virtual delay for deliveries, in seconds. */
	setDelay(seconds: number): void;
	published(): Array<{ topic: string; data: unknown; server: number; time: number }>;
	/**
	 * Delivery latency range, in seconds, drawn per delivery from the universe's seeded generator. Default 0.02–0.9
	 * (the reference's "less than 1 second"; its current text says "typically within 1-2 seconds").
	 */
	setLatency(options: { min?: number; max?: number }): void;
	/** Fraction (0–1) of deliveries lost from now on ("delivery is best effort and not guaranteed"). */
	setLossRate(rate: number): void;
	/** How many deliveries the loss rate has dropped so far. */
	lostCount(): number;
	/** The topics `server` is subscribed to now, one entry per live subscription, in subscription order. */
	subscriptions(server: KitServer): Array<string>;
	/** Every PublishAsync and SubscribeAsync call `server` made, with its outcome, in call order. */
	requests(server: KitServer): Array<MessagingRequest>;
}

export interface MessagingRequest {
	time: number;
	server: number;
	method: "PublishAsync" | "SubscribeAsync";
	/** Absent when the topic was not a string. */
	topic?: string;
	outcome: "ok" | "error";
	error?: string;
	/** PublishAsync: the message's encoded size in bytes. */
	size?: number;
}

export type MemoryStoreMapKind = "hash" | "sorted";

export type MemoryStoreMethod =
	"SetAsync" | "GetAsync" | "UpdateAsync" | "RemoveAsync" | "ListItemsAsync" | "GetRangeAsync";

/** One item of a MemoryStore map as the backend holds it. */
export interface MemoryStoreItem {
	key: string;
	/** A fresh copy of the value. */
	value: unknown;
	/** Sorted maps only. */
	sortKey?: string | number;
	/** When the item expires, unix seconds on the backend clock. */
	expiresAt: number;
	/** Seconds left before it expires. */
	ttl: number;
}

/** A fault rule for the emulated MemoryStore backend. */
export interface MemoryStoreFault {
	/** Which method it applies to; every method when absent. */
	method?: MemoryStoreMethod;
	/** Which map (by name) it applies to; every map when absent. */
	map?: string;
	/** Which key it applies to; every key when absent. */
	key?: string;
	/** Which server it applies to; every server when absent. */
	server?: KitServer;
	/** How many matching requests it fails before it expires. Default 1. Use math.huge for "until cleared". */
	count?: number;
	/** Skip this many matching requests before failing. Default 0. */
	after?: number;
	/**
	 * `"error"` (default): the request fails after its round trip and changes nothing; `"commit-then-error"`: the
	 * request acts, then the caller gets the error.
	 */
	mode?: "error" | "commit-then-error";
	/** The full error text. Default `"InternalError: Internal error."`. */
	message?: string;
}

export interface MemoryStoreRequest {
	time: number;
	server: number;
	method: MemoryStoreMethod;
	kind: MemoryStoreMapKind;
	map: string;
	/** The key; `""` for GetRangeAsync and a first ListItemsAsync page, the cursor for later pages. */
	key: string;
	outcome: "ok" | "error";
	/** Request units charged. */
	units: number;
	error?: string;
}

export interface MemoryStoreRequestFilter {
	server?: KitServer;
	method?: MemoryStoreMethod;
	kind?: MemoryStoreMapKind;
	map?: string;
	key?: string;
	outcome?: "ok" | "error";
}

/** Inspection and fault injection for the universe's one MemoryStore backend (docs/emulator-services.md). */
export interface MemoryStoreKit {
	/** The live item of a key, or undefined when absent or expired. */
	read(kind: MemoryStoreMapKind, map: string, key: string): MemoryStoreItem | undefined;
	/** Every live item of a map, by key. */
	entries(kind: MemoryStoreMapKind, map: string): Array<MemoryStoreItem>;
	/** Writes an item, bypassing validation, quotas, faults and latency. Expiration defaults to 45 days. */
	write(
		kind: MemoryStoreMapKind,
		map: string,
		key: string,
		value: unknown,
		expiration?: number,
		sortKey?: string | number,
	): void;
	remove(kind: MemoryStoreMapKind, map: string, key: string): void;
	/** Adds a fault rule; returns a function that removes it. */
	addFault(fault: MemoryStoreFault): () => void;
	clearFaults(): void;
	/** While on, every request fails after its round trip with `message` (default `"InternalError: Internal error."`). */
	setOutage(on: boolean, message?: string): void;
	setLatency(options: LatencyOptions): void;
	/** Overrides the documented quotas; `undefined` restores the formula. */
	setQuotas(options: { requestUnits?: number; memoryBytes?: number }): void;
	/** Memory used and its quota (bytes), request units of the last 60 s and their quota. */
	usage(): { memoryBytes: number; memoryQuota: number; requestUnits: number; requestUnitQuota: number };
	/** The next `count` UpdateAsync writes on that key find the item changed and run the transform again. */
	forceConflicts(kind: MemoryStoreMapKind, map: string, key: string, count: number): void;
	requests(filter?: MemoryStoreRequestFilter): Array<MemoryStoreRequest>;
	requestCount(filter?: MemoryStoreRequestFilter): number;
}

export interface KitUniverse {
	readonly servers: Array<KitServer>;
	readonly dataStores: DataStoreKit;
	readonly marketplace: MarketplaceKit;
	readonly messaging: MessagingKit;
	readonly memoryStore: MemoryStoreKit;
	startServer(options?: ServerOptions): KitServer;
	/** Crashes every server still alive and forgets the universe. */
	destroy(): void;
}

export declare namespace Kit {
	/** True on the headless runtime. */
	function isHeadless(): boolean;
	/**
	 * Creates a universe. When no game server of another universe is running, virtual time restarts at 0 first (every
	 * pending wait keeps its remaining time), so the same seed gives the same run, at the same virtual times,
	 * whatever ran before it.
	 */
	function createUniverse(options?: UniverseOptions): KitUniverse;
	/**
	 * Virtual seconds of the clock servers run on. **It goes back to 0 when `createUniverse` restarts it: measure
	 * durations within one universe.**
	 */
	function now(): number;
	/** Yields the calling spec for `seconds` of virtual time while every server keeps running. */
	function advance(seconds: number): void;
	/** Yields until `predicate()` is true, checking every frame; returns false after `timeout` virtual seconds (default 60). */
	function waitUntil(predicate: () => boolean, timeout?: number): boolean;
	/** Lets the current resumption point finish: deferred threads and signal handlers run, including handlers they defer. */
	function flush(): void;
	/**
	 * Frame length in seconds (item 52). Default 1/60. Long simulations may use a coarser step. The runner resets it
	 * to 1/60 when each test starts, so set it inside the test (or in beforeEach).
	 */
	function setFrameStep(seconds: number): void;
	/** Adds up to `seconds` of seeded random extra time to every frame (item 52); 0 turns it off. Reset per test. */
	function setFrameJitter(seconds: number, seed?: number): void;
	/** Makes the next frame last `seconds` (a server hitch, item 52). */
	function longFrame(seconds: number): void;
	/**
	 * Resumes timers due in the same frame in a seeded random order instead of (due time, scheduling order), to catch
	 * code that depends on an order Roblox does not document (item 54). `undefined` turns it off. Reset per test.
	 */
	function shuffleTimerTies(seed: number | undefined): void;
	/** The host server that runs the specs. */
	function host(): KitServer;
	/**
	 * Writes a picture of a universe (default: the last one created) as a self-contained SVG file: one lane per server
	 * over virtual time, a bar while a server holds a player's session lock, and marks for joins, leaves, loads,
	 * saves, releases, refused and failed requests, purchases, shutdowns and crashes. Long quiet stretches are drawn
	 * short. The path is relative to the folder the tests run from.
	 *
	 * @example
	 * Kit.writeTimeline("timelines/hop-and-crash.svg"); // at the end of a multi-server spec, then open it in a browser
	 */
	function writeTimeline(path: string, universe?: KitUniverse, title?: string): void;
	/** Labels the current moment on a universe's timeline (default: the last one created), e.g. "Alice hops". */
	function timelineNote(text: string, universe?: KitUniverse): void;
	/** The SVG text `writeTimeline` writes. */
	function timelineSvg(universe?: KitUniverse, title?: string): string;
}
