import { HolderHeartbeatRead, readHolderHeartbeat } from "./checkHolderLiveness";
import { HEARTBEAT_MAP_NAME } from "./heartbeatKey";
import { ServerHeartbeat } from "./ServerHeartbeat";
import { HeartbeatMapLike } from "./types";

/** Anything whose lock must be released before this server's heartbeat may stop (a LockerState). */
export interface LockHolder {
	/** True while it holds a lock, or a request that may write one is in flight. */
	HoldsLock(): boolean;
}

/** The MemoryStoreService part the hub uses. */
interface MemoryStoreLike {
	GetHashMap(name: string): HeartbeatMapLike;
}

export interface LivenessHubOptions {
	readonly Map: HeartbeatMapLike;
	readonly JobId: string;
	/** The DataStore clock's lower bound (seconds) for the entry's stamp; undefined while unknown. */
	readonly BackendNow: () => number | undefined;
	/** Registers the shutdown callback; default `game.BindToClose` (under pcall). */
	readonly BindToClose?: (callback: () => void) => void;
	/** Monotonic clock; default `os.clock`. */
	readonly Clock?: () => number;
}

/** Longest a first write may take before a load goes on without it (its lock then advertises no heartbeat). */
const FIRST_WRITE_WAIT = 2;
/** Shutdown gives up waiting for releases after this long; Roblox stops the server at 30 s anyway. */
const CLOSE_WAIT = 29;

const hubs = new Map<unknown, LivenessHub>();

/**
 * This server's one heartbeat, shared by every locker that uses the same MemoryStoreService: started lazily by the
 * first load, stepped by its own thread on the heartbeat's schedule, and stopped (its entry removed) only after
 * every registered lock is released at shutdown. Also reads other servers' entries for takeovers.
 * **Get it with `LivenessHub.For`, never `new`: two hubs on one server would double the MemoryStore cost.**
 *
 * @example
 * const hub = LivenessHub.For(game.GetService("MemoryStoreService"), game.JobId, () => gateway.BackendNow());
 * hub.Start(locker);
 * @internal
 */
export class LivenessHub {
	readonly Heartbeat: ServerHeartbeat;
	/** The DataStore clock's lower bound (seconds), as the entries are stamped. */
	readonly BackendNow: () => number | undefined;
	/** @internal */ readonly map: HeartbeatMapLike;
	/** @internal */ readonly clock: () => number;
	/** @internal */ readonly bindToClose: (callback: () => void) => void;
	/** @internal */ readonly holders = setmetatable(new Map<LockHolder, true>(), { __mode: "k" });
	/** @internal */ started = false;
	/** @internal */ firstAttemptDone = false;
	/** @internal */ closing = false;
	/** @internal */ lastReadError = -math.huge;

	constructor(options: LivenessHubOptions) {
		this.map = options.Map;
		this.clock = options.Clock ?? os.clock;
		this.bindToClose =
			options.BindToClose ??
			((callback: () => void) => {
				pcall(() => game.BindToClose(callback));
			});
		const backendNow = options.BackendNow;
		this.BackendNow = backendNow;
		this.Heartbeat = new ServerHeartbeat({ Map: this.map, JobId: options.JobId, Stamp: () => backendNow() });
	}

	/**
	 * The hub of `service` on this server, created on first use. `backendNow` stamps the entries (the first caller's
	 * wins: every gateway estimates the same DataStore clock).
	 *
	 * @example
	 * const hub = LivenessHub.For(MemoryStoreService, game.JobId, () => gateway.BackendNow());
	 */
	static For(service: MemoryStoreLike, jobId: string, backendNow: () => number | undefined): LivenessHub {
		let hub = hubs.get(service);
		if (hub === undefined) {
			hub = new LivenessHub({
				Map: service.GetHashMap(HEARTBEAT_MAP_NAME),
				JobId: jobId,
				BackendNow: backendNow,
			});
			hubs.set(service, hub);
		}
		return hub;
	}

	/**
	 * Registers a lock holder and starts the heartbeat if it is not running. Cheap when already registered.
	 *
	 * @example
	 * hub.Start(locker);
	 */
	Start(holder: LockHolder): void {
		this.holders.set(holder, true);
		if (this.started) return;
		this.started = true;
		task.spawn(() => this.run());
		this.bindToClose(() => this.closeAfterReleases());
	}

	/**
	 * Yields (in a request thread) until the first heartbeat write was attempted, for at most 2 s, so the first load
	 * of a server can already advertise the heartbeat.
	 *
	 * @example
	 * hub.AwaitFirstAttempt();
	 */
	AwaitFirstAttempt(): void {
		const deadline = this.clock() + FIRST_WRITE_WAIT;
		while (!this.firstAttemptDone && this.clock() < deadline) task.wait(0.05);
	}

	/**
	 * True when this server's entry is written and fresh: only then may a new lock carry the heartbeat marker.
	 *
	 * @example
	 * if (hub.IsEstablished()) session.Heartbeat = 1;
	 */
	IsEstablished(): boolean {
		return !this.closing && this.Heartbeat.IsEstablished(this.clock());
	}

	/**
	 * True when this server's entry may have expired (never written, or its last write is about a TTL old), so a lock
	 * advertising it may have been taken by another server.
	 *
	 * @example
	 * if (hub.MayHaveLapsed()) reconfirm(locker);
	 */
	MayHaveLapsed(): boolean {
		return this.Heartbeat.MayHaveLapsed(this.clock());
	}

	/**
	 * How many times this server's entry may have expired so far: a lock confirmed under an older count may have been
	 * taken in between, even if the heartbeat is fresh again.
	 *
	 * @example
	 * const epoch = hub.LapseCount(); // at load start
	 */
	LapseCount(): number {
		return this.Heartbeat.LapseCount;
	}

	/**
	 * Reads another server's entry (yields for one MemoryStore request). Any error is `unknown`.
	 *
	 * @example
	 * if (hub.ReadHolder(holderJobId).Liveness === "dead") takeNow();
	 */
	ReadHolder(jobId: string): HolderHeartbeatRead {
		const read = readHolderHeartbeat(this.map, "", jobId);
		if (read.Liveness === "unknown") this.lastReadError = this.clock();
		return read;
	}

	/**
	 * True when this server saw a MemoryStore error (a read or its own write) within the last TTL. A MemoryStore
	 * incident may have failed other servers' writes too, so their entries may be missing while they are alive
	 * until their next retry: a "dead" read is then confirmed by a second one.
	 *
	 * @example
	 * if (read.Liveness === "dead" && hub.SawRecentError()) confirmLater();
	 */
	SawRecentError(): boolean {
		const failure = math.max(this.lastReadError, this.Heartbeat.LastFailure ?? -math.huge);
		return this.clock() - failure < this.Heartbeat.TtlSeconds;
	}

	/** @internal the refresh loop: one write when due, then sleep until the next one is */
	run(): void {
		const heartbeat = this.Heartbeat;
		while (!heartbeat.stopped) {
			heartbeat.Step(this.clock());
			this.firstAttemptDone = true;
			task.wait(math.max(heartbeat.nextDue - this.clock(), 0.05));
		}
	}

	/** @internal BindToClose: the entry stays until every registered lock is released, then it is removed at once */
	closeAfterReleases(): void {
		this.closing = true;
		const deadline = this.clock() + CLOSE_WAIT;
		while (this.clock() < deadline) {
			let holding = false;
			for (const [holder] of this.holders) {
				if (holder.HoldsLock()) {
					holding = true;
					break;
				}
			}
			if (!holding) break;
			task.wait(0.25);
		}
		this.Heartbeat.Stop();
	}
}
