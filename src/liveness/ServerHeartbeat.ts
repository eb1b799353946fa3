import { heartbeatKey } from "./heartbeatKey";
import { HeartbeatMapLike } from "./types";

/**
 * Seconds before the TTL ends from which an entry counts as possibly expired: the entry lives at least the TTL from
 * when its write was sent, and a second covers the clocks of two machines drifting apart within one TTL.
 */
const LAPSE_MARGIN = 1;

export interface ServerHeartbeatOptions {
	/** The heartbeat hash map (`MemoryStoreService.GetHashMap(HEARTBEAT_MAP_NAME)`). */
	readonly Map: HeartbeatMapLike;
	/** This server's `game.JobId`. */
	readonly JobId: string;
	/** The key prefix the game's data uses (Studio isolation). Default "". */
	readonly KeyPrefix?: string;
	/** Seconds an entry lives after each write. Default 17. */
	readonly TtlSeconds?: number;
	/**
	 * Seconds between writes. Default 6. Capped at `TtlSeconds - 10` (a server stalled for 10 s at the worst moment
	 * keeps its entry), or at a third of the TTL when that is larger (TTLs under 15 s).
	 */
	readonly RefreshSeconds?: number;
	/** Seconds before a failed write is tried again. Default 2. */
	readonly RetrySeconds?: number;
	/**
	 * Called before each write: the DataStore clock's lower bound now (seconds), stored in the entry so a reader can
	 * tell when the entry lapses if this server stops refreshing it. Undefined (or absent) stores no stamp.
	 */
	readonly Stamp?: () => number | undefined;
}

/** Seconds a live server may stall (a long frame, a pause) without its entry lapsing, with the default timings. */
export const STALL_TOLERANCE = 10;

/** The value of a heartbeat entry: `T` the DataStore-clock stamp of the write (absent when unknown), `L` the TTL. */
export interface HeartbeatEntry {
	T?: number;
	L: number;
}

/**
 * One server's heartbeat entry for its JobId in a MemoryStore hash map, written with a TTL and refreshed before it
 * lapses. Other servers read it to tell a crashed lock holder from a live one. It has no timers of its own: the
 * caller passes its clock to `Step` (every frame is fine); `Step` writes only when a refresh is due and never runs
 * two writes at once. Costs 10 MemoryStore requests a minute per server (one every 6 s), whatever the player count.
 *
 * **Call `Stop` only after every lock of this server is released: once the entry is gone, other servers may take
 * its locks at once.**
 *
 * @example
 * const heartbeat = new ServerHeartbeat({ Map: MemoryStoreService.GetHashMap(HEARTBEAT_MAP_NAME), JobId: game.JobId });
 * RunService.Heartbeat.Connect(() => heartbeat.Step(os.clock()));
 */
export class ServerHeartbeat {
	readonly Key: string;
	readonly TtlSeconds: number;
	readonly RefreshSeconds: number;
	readonly RetrySeconds: number;
	/** Clock value (as passed to `Step`) of the last write that succeeded. */
	LastWrite: number | undefined;
	/** How many times the entry may have expired between two successful writes (see `MayHaveLapsed`). */
	LapseCount = 0;
	/** Clock value (as passed to `Step`) of the last write that failed. */
	LastFailure: number | undefined;
	/** @internal */ readonly map: HeartbeatMapLike;
	/** @internal */ nextDue = -math.huge;
	/** @internal */ writing = false;
	/** @internal */ stopped = false;
	/** @internal */ readonly stamp: (() => number | undefined) | undefined;

	constructor(options: ServerHeartbeatOptions) {
		this.map = options.Map;
		this.Key = heartbeatKey(options.KeyPrefix ?? "", options.JobId);
		this.TtlSeconds = options.TtlSeconds ?? 17;
		// A refresh period close to the TTL would let a stall or one slow write make a live server look dead.
		const cap = math.max(this.TtlSeconds - STALL_TOLERANCE, this.TtlSeconds / 3);
		this.RefreshSeconds = math.min(options.RefreshSeconds ?? 6, cap);
		this.stamp = options.Stamp;
		this.RetrySeconds = math.min(options.RetrySeconds ?? 2, this.RefreshSeconds);
	}

	/**
	 * Writes the entry if a refresh is due at `now` (may yield for one MemoryStore request). Returns true when it
	 * wrote, false when nothing was due, a write is already in flight, or the write failed (retried after
	 * `RetrySeconds`).
	 *
	 * @example
	 * heartbeat.Step(os.clock());
	 */
	Step(now: number): boolean {
		if (this.stopped || this.writing || now < this.nextDue) return false;
		this.writing = true;
		const entry: HeartbeatEntry = { T: this.stamp?.(), L: this.TtlSeconds };
		const [ok] = pcall(() => this.map.SetAsync(this.Key, entry, this.TtlSeconds));
		this.writing = false;
		if (this.stopped) return false;
		if (ok) {
			// The previous entry may have expired before this write landed: every lock advertising it is in doubt.
			if (this.LastWrite !== undefined && this.MayHaveLapsed(now)) this.LapseCount += 1;
			this.LastWrite = now;
			this.nextDue = now + this.RefreshSeconds;
		} else {
			this.LastFailure = now;
			this.nextDue = now + this.RetrySeconds;
		}
		return ok;
	}

	/**
	 * True when a write succeeded and its entry has not lapsed at `now` (with one refresh period to spare): only then
	 * may a lock advertise this heartbeat, or another server could read "no entry" and take a live lock.
	 *
	 * @example
	 * if (heartbeat.IsEstablished(os.clock())) session.Heartbeat = 1;
	 */
	IsEstablished(now: number): boolean {
		const last = this.LastWrite;
		return !this.stopped && last !== undefined && now - last < this.TtlSeconds - this.RefreshSeconds;
	}

	/**
	 * True when the entry may have expired by `now` (its last successful write started at least the TTL minus a
	 * second ago), so another server may have read "no entry" and taken this server's locks. A server paused past the
	 * TTL finds this true when it resumes.
	 *
	 * @example
	 * if (heartbeat.MayHaveLapsed(os.clock())) reconfirmLocks();
	 */
	MayHaveLapsed(now: number): boolean {
		const last = this.LastWrite;
		return last === undefined || now - last >= this.TtlSeconds - LAPSE_MARGIN;
	}

	/**
	 * Stops refreshing and removes the entry, so peers see this server gone without waiting for the TTL. Returns
	 * false when the removal failed (the entry then lapses after the TTL).
	 *
	 * @example
	 * game.BindToClose(() => { releaseAllLocks(); heartbeat.Stop(); });
	 */
	Stop(): boolean {
		this.stopped = true;
		const [ok] = pcall(() => this.map.RemoveAsync(this.Key));
		return ok;
	}
}
