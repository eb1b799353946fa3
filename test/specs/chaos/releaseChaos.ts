import { Kit, KitServer, KitUniverse } from "../../kit";
import type { SaveData, StoredSession } from "../../../src/protocol/format";
import type { LockerState } from "../../../src/locker/LockerState";
import type { DataStoreLike, KeyInfoLike } from "../../../src/gateway/types";

type Lib = typeof import("../../../src/index");

interface Data extends SaveData {
	Log: Array<string>;
}

export interface ChaosOptions {
	seed: number;
	/** Player sessions to run (a join, play, leave; hops and rejoins count as new sessions). */
	sessions: number;
	/** Servers alive at any time (a crashed one is replaced). */
	servers: number;
	/** Distinct player keys. */
	players: number;
	/** Probability per step of one DataStore fault (every mode), a crash, a pause. */
	faultRate: number;
	crashRate: number;
	pauseRate: number;
	/** Servers' wall clocks are skewed by up to ± this many seconds. */
	clockSkew: number;
}

export interface ChaosReport {
	sessions: number;
	acknowledged: number;
	discarded: number;
	faults: number;
	crashes: number;
	pauses: number;
	/** Frames where more than one server reported a key available. */
	doubleAvailable: number;
	/** Acknowledged edits missing from the key. */
	lostAcknowledged: number;
	/** Waiters on live servers never answered by the end. */
	unansweredWaiters: number;
	/** Keys still locked at the end by a server that did not crash. */
	keysLeftLocked: number;
	/** Lockers that went idle while the key still held their lock. */
	idleBeforeConfirmed: number;
	/**
	 * Writes by a server that had lost the lock: a transform of a holding locker (a save or release, not a load or
	 * re-acquire) produced a value while the key held another lock or none.
	 */
	lostLockWrites: number;
	/** Writes the lost-lock check looked at (saves and releases of a holding locker). */
	checkedWrites: number;
	virtualSeconds: number;
	problems: Array<string>;
}

const STORE = "Chaos";
const HTTP_500 = "502: API Services rejected request with error. HTTP 500 (Internal Server Error)";

class ChaosServer {
	readonly lib: Lib;
	readonly lockers = new Map<string, LockerState<Data>>();
	readonly lastLock = new Map<LockerState<Data>, StoredSession>();
	crashed = false;
	pausedUntil = -1;
	pending = 0;
	constructor(
		readonly server: KitServer,
		readonly seed: number,
		onIdle: (node: ChaosServer, ls: LockerState<Data>) => void,
		onLostLockWrite: (node: ChaosServer, key: string, found: unknown) => void,
		onCheckedWrite: () => void,
	) {
		this.lib = server.require<Lib>("ReplicatedStorage.SessionLocker");
		this.onIdle = onIdle;
		this.onLostLockWrite = onLostLockWrite;
		this.onCheckedWrite = onCheckedWrite;
		server.game.GetService("RunService").Heartbeat.Connect(() => {
			const now = os.clock();
			for (const [key, ls] of this.lockers) {
				const idle = ls.SessionUpdate(now);
				if (ls.Session !== undefined) this.lastLock.set(ls, ls.Session);
				if (idle && ls.InUse.size() === 0) {
					ls.MarkDeleted();
					this.lockers.delete(key);
					this.lastLock.delete(ls);
				}
			}
		});
	}
	readonly onIdle: (node: ChaosServer, ls: LockerState<Data>) => void;
	readonly onLostLockWrite: (node: ChaosServer, key: string, found: unknown) => void;
	readonly onCheckedWrite: () => void;
	gateway: ReturnType<Lib["RequestGatewayCreate"]> | undefined;
	locker(key: string): LockerState<Data> {
		const existing = this.lockers.get(key);
		if (existing !== undefined) return existing;
		if (this.gateway === undefined) this.gateway = this.lib.RequestGatewayCreate({ Random: new Random(this.seed) });
		const raw = this.server.game.GetService("DataStoreService").GetDataStore(STORE);
		const owner: { ls?: LockerState<Data> } = {};
		// Watches every transform this locker runs: once it holds a session (a save or a release; loads and
		// re-acquires run without one), a value it produces must be written over its own lock, never over another.
		const lostLockWrite = (k: string, found: unknown) => this.onLostLockWrite(this, k, found);
		const checkedWrite = () => this.onCheckedWrite();
		const store: DataStoreLike = {
			UpdateAsync(k, transform) {
				return raw.UpdateAsync(k, (value: unknown, keyInfo: DataStoreKeyInfo | undefined) => {
					const held = owner.ls?.Session;
					const [out, userIds, metadata] = transform(value, keyInfo as KeyInfoLike | undefined);
					if (held !== undefined && out !== undefined) {
						checkedWrite();
						const found = typeIs(value, "table") ? (value as Data).Session : undefined;
						if (!sameLock(found, held)) lostLockWrite(k, found);
					}
					return $tuple(out, userIds, metadata);
				}) as never;
			},
		};
		const ls = this.lib.LockerCreate<Data>(
			{
				DataStore: store as never,
				Gateway: this.gateway,
				SaveDataVersion: 1,
				SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Log: [] }),
				MaintainSessionPeriod: 30,
				SessionExpiry: 120,
				SessionRetryCooldown: 2,
				ReportDataStoreError: () => {},
				Lifecycle: (l, status) => {
					if (status === "idling") this.onIdle(this, l);
				},
			},
			key,
			[1],
		);
		owner.ls = ls;
		this.lockers.set(key, ls);
		return ls;
	}
}

function sameLock(a: unknown, b: StoredSession | undefined): boolean {
	if (b === undefined || !typeIs(a, "table")) return false;
	const s = a as StoredSession;
	return s.PlaceId === b.PlaceId && s.JobId === b.JobId && s.LockId === b.LockId;
}

/**
 * Seeded chaos over the Full API's session paths: many players joining, playing, leaving, hopping between servers
 * and rejoining, on `servers` servers with skewed clocks, while DataStore writes fail in every mode (error,
 * commit-then-error, drop-then-ok), servers crash and pause past the lock expiry. Counts violations of: no
 * acknowledged write lost; no write by a server that had lost the lock; at most one server reports a key
 * available; no locker idle before its release is
 * confirmed; every waiter answered and every key released by the end (crashed servers' locks expire).
 */
export function runReleaseChaos(options: ChaosOptions): ChaosReport {
	const rng = new Random(options.seed);
	// Crashes and pauses draw from their own generator: the main one is consumed by branches that depend on timing
	// (IsAvailable), so sharing it would make the number of crashes hinge on frame rounding rather than the seed.
	const events = new Random(options.seed + 1);
	const u: KitUniverse = Kit.createUniverse({
		seed: options.seed,
		budgetProfile: "unlimited",
		latency: { min: 0.05, max: 0.4 },
	});
	const report: ChaosReport = {
		sessions: 0,
		acknowledged: 0,
		discarded: 0,
		faults: 0,
		crashes: 0,
		pauses: 0,
		doubleAvailable: 0,
		lostAcknowledged: 0,
		unansweredWaiters: 0,
		keysLeftLocked: 0,
		idleBeforeConfirmed: 0,
		lostLockWrites: 0,
		checkedWrites: 0,
		virtualSeconds: 0,
		problems: [],
	};
	const problem = (text: string) => {
		if (report.problems.size() < 20) report.problems.push(text);
	};
	const stored = (key: string) => u.dataStores.read(STORE, key)?.value as Data | undefined;
	const onIdle = (node: ChaosServer, ls: LockerState<Data>) => {
		const value = stored(ls.DataStoreKey);
		if (value !== undefined && sameLock(value.Session, node.lastLock.get(ls))) {
			report.idleBeforeConfirmed += 1;
			problem(`key ${ls.DataStoreKey} idle on ${node.server.jobId} while the key held its lock`);
		}
	};
	const onLostLockWrite = (node: ChaosServer, key: string, found: unknown) => {
		report.lostLockWrites += 1;
		const holder = typeIs(found, "table") ? (found as StoredSession).JobId : "nobody";
		problem(`key ${key} written by ${node.server.jobId} while it was locked by ${holder}`);
	};
	let serverSeed = options.seed * 100;
	const startServer = () => {
		serverSeed += 1;
		const skew = rng.NextNumber(-options.clockSkew, options.clockSkew);
		return new ChaosServer(u.startServer({ clockSkew: skew }), serverSeed, onIdle, onLostLockWrite, () => {
			report.checkedWrites += 1;
		});
	};
	const nodes = new Array<ChaosServer>();
	for (let i = 0; i < options.servers; i++) nodes.push(startServer());
	const confirmed = new Map<string, Array<string>>();
	/** Where each player is: the server whose locker holds their hold, or undefined. */
	const online = new Map<string, ChaosServer>();
	const lastFault = new Map<string, number>();
	const crashedServers = new Array<ChaosServer>();
	let tokens = 0;
	const start = Kit.now();

	const checkFrame = () => {
		const availableOn = new Map<string, number>();
		for (const n of nodes) {
			if (n.crashed) continue;
			for (const [key, ls] of n.lockers) {
				if (!ls.IsAvailable()) continue;
				const count = (availableOn.get(key) ?? 0) + 1;
				availableOn.set(key, count);
				if (count === 2) {
					report.doubleAvailable += 1;
					const holder = (stored(key)?.Session as StoredSession | undefined)?.JobId ?? "nobody";
					const who = new Array<string>();
					for (const m of nodes) {
						const other = m.lockers.get(key);
						if (other !== undefined && other.IsAvailable()) {
							const age = (other.gateway.BackendNow() ?? 0) - (other.holderWriteMs ?? 0) / 1000;
							who.push(
								`${m.server.jobId.sub(1, 8)} (last error ${other.LastError?.Kind ?? "none"}, last write ${math.floor(age)} s ago, paused ${m.pausedUntil >= 0})`,
							);
						}
					}
					problem(
						`key ${key} available on ${who.join(" and ")} at ${Kit.now()}; the key is held by ${holder}`,
					);
				}
			}
		}
		return false;
	};
	const run = (seconds: number) => {
		for (const n of nodes) {
			if (n.pausedUntil >= 0 && Kit.now() >= n.pausedUntil && !n.crashed) {
				n.pausedUntil = -1;
				n.server.resume();
			}
		}
		Kit.waitUntil(checkFrame, seconds);
	};
	const leave = (key: string) => {
		const node = online.get(key);
		if (node === undefined) return;
		online.delete(key);
		if (!node.crashed) node.lockers.get(key)?.MarkShouldRelease();
	};
	const join = (key: string, node: ChaosServer) => {
		online.set(key, node);
		report.sessions += 1;
		node.locker(key).MarkShouldAcquire();
	};

	while (report.sessions < options.sessions) {
		for (let i = 0; i < 4; i++) {
			const key = tostring(rng.NextInteger(1, options.players));
			const node = nodes[rng.NextInteger(0, nodes.size() - 1)];
			const where = online.get(key);
			const roll = rng.NextNumber();
			if (where === undefined) {
				if (!node.crashed) join(key, node);
			} else if (where.crashed) {
				online.delete(key);
			} else if (roll < 0.45) {
				const ls = where.lockers.get(key);
				if (ls !== undefined && ls.IsAvailable()) {
					tokens += 1;
					const token = `t${tokens}`;
					ls.SaveData.Log.push(token);
					if (rng.NextNumber() < 0.5) ls.MarkForceSave();
					else ls.MarkShouldSave();
					where.pending += 1;
					ls.WhenChangesSaved(saved => {
						where.pending -= 1;
						if (saved) {
							report.acknowledged += 1;
							let list = confirmed.get(key);
							if (list === undefined) {
								list = [];
								confirmed.set(key, list);
							}
							list.push(token);
						} else {
							report.discarded += 1;
						}
					});
				}
			} else if (roll < 0.75) {
				leave(key);
			} else if (roll < 0.85) {
				// A hop: leave, and join another server at once.
				leave(key);
				if (!node.crashed && node !== where) join(key, node);
			} else {
				// A rejoin on the same server shortly after leaving (often while the release is in flight).
				leave(key);
				run(rng.NextNumber(0, 0.6));
				if (!where.crashed) join(key, where);
			}
		}
		if (rng.NextNumber() < options.faultRate) {
			report.faults += 1;
			const key = tostring(rng.NextInteger(1, options.players));
			const mode = rng.NextInteger(1, 3);
			const holder = online.get(key);
			const ls = holder?.lockers.get(key);
			if (mode === 1) u.dataStores.addFault({ method: "UpdateAsync", key, message: HTTP_500 });
			else if (mode === 2) {
				u.dataStores.addFault({ method: "UpdateAsync", key, mode: "commit-then-error", message: HTTP_500 });
			} else if (holder !== undefined && ls !== undefined && ls.IsAvailable()) {
				// A dropped write of the holder, consumed at once by its forced save or its release (dropped loads are
				// outside these invariants: a load is not read back).
				const last = lastFault.get(key);
				if (last === undefined || Kit.now() - last > 10) {
					u.dataStores.addFault({ method: "UpdateAsync", key, mode: "drop-then-ok", server: holder.server });
					if (rng.NextNumber() < 0.5) ls.MarkForceSave();
					else leave(key);
				}
			}
			lastFault.set(key, Kit.now());
		}
		if (events.NextNumber() < options.crashRate) {
			const index = events.NextInteger(0, nodes.size() - 1);
			const victim = nodes[index];
			victim.crashed = true;
			victim.server.crash();
			report.crashes += 1;
			// Its waiters can never be answered: the data they cover is only as safe as what was acknowledged.
			victim.pending = 0;
			nodes[index] = startServer();
			for (const [key, where] of online) if (where === victim) online.delete(key);
			crashedServers.push(victim);
		}
		if (events.NextNumber() < options.pauseRate) {
			const victim = nodes[events.NextInteger(0, nodes.size() - 1)];
			if (victim.pausedUntil < 0) {
				victim.server.pause();
				victim.pausedUntil = Kit.now() + events.NextNumber(5, 200);
				report.pauses += 1;
			}
		}
		run(rng.NextNumber(0.2, 3));
	}
	// Wind down: faults end, paused servers resume, everyone leaves.
	u.dataStores.clearFaults();
	for (const n of nodes) {
		if (n.pausedUntil >= 0) {
			n.pausedUntil = -1;
			n.server.resume();
		}
	}
	for (const [key] of online) leave(key);
	Kit.waitUntil(() => {
		checkFrame();
		return nodes.every(n => n.lockers.size() === 0);
	}, 600);
	for (const n of nodes) {
		report.unansweredWaiters += n.pending;
		for (const [key, ls] of n.lockers) problem(`key ${key} still in ${ls.State} on ${n.server.jobId}`);
	}
	const crashedJobs = new Set<string>();
	for (const c of crashedServers) crashedJobs.add(c.server.jobId);
	for (let p = 1; p <= options.players; p++) {
		const key = tostring(p);
		const value = stored(key);
		const list = confirmed.get(key);
		const present = new Set<string>();
		if (value !== undefined) for (const t of value.Log) present.add(t);
		if (list !== undefined) {
			for (const t of list) {
				if (present.has(t)) continue;
				report.lostAcknowledged += 1;
				problem(`key ${key}: acknowledged ${t} lost`);
			}
		}
		const session = value?.Session as StoredSession | undefined;
		if (session !== undefined && !crashedJobs.has(session.JobId)) {
			report.keysLeftLocked += 1;
			problem(`key ${key} left locked by ${session.JobId}`);
		}
	}
	report.virtualSeconds = math.floor(Kit.now() - start);
	u.destroy();
	return report;
}
