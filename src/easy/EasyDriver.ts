import { RunService as DefaultRunService } from "@rbxts/services";
import type { LockerState } from "../locker/LockerState";
import { ProductPurchaser, ProductPurchaserCreate } from "../purchases/ProductPurchaser";
import { takeoverVerdicts } from "../locker/takeover";
import { TimerQueue } from "./TimerQueue";

/** The part of RunService the Easy API uses. */
export interface EasyRunService {
	readonly Heartbeat: RBXScriptSignal<(deltaTime: number) => void>;
	IsClient(): boolean;
	IsStudio(): boolean;
}

/**
 * The engine services the Easy API uses. Pass your own (for example fakes in a unit test) through
 * `EasyStoreCreate`'s options; the first store decides for the whole server, because all stores share one driver.
 *
 * @example
 * EasyStoreCreate(store, () => ({ Coins: 0 }), { Services: { Clock: () => myClock() } });
 */
export interface EasyServices {
	RunService: EasyRunService;
	/** Registers the shutdown handler; default `game.BindToClose`. */
	BindToClose: (callback: () => void) => void;
	/** Monotonic clock in seconds passed to SessionUpdate; default os.clock. */
	Clock: () => number;
	/**
	 * The MemoryStoreService holding this server's heartbeat, for fast takeover from a crashed server; `false` turns
	 * it off. Default: `LockerSpec.MemoryStoreService`'s default (the game's, on live servers; off in Studio).
	 */
	MemoryStoreService?: MemoryStoreService | false;
}

/** What the driver needs from a store. */
export interface DrivenStore {
	/** @internal one full step: every locker, deletions, remote sends */ update(now: number, closing: boolean): void;
	/** @internal true while it holds lockers, purchases or remote sends */ isBusy(): boolean;
	/** @internal the store's lockers in creation order, for the timer queue */ readonly entries: ReadonlyArray<{
		readonly Locker: LockerState;
	}>;
	/** @internal */ readonly RemoteChangeSender: {
		IsSending(): boolean;
		Update(): void;
		DescribePending(): string;
		/** what `IsSending` looks at, read by the idle frame itself (see onFrame) */
		readonly jobs: ReadonlyMap<unknown, unknown>;
	};
	/** @internal for the shutdown warning: unreleased keys with their states and unconfirmed remote changes */
	describePending(): string;
	/** @internal */ readonly RemoteChangeListener: { readonly NudgeCount: number };
}

/**
 * Seconds between full passes over a store's lockers while nothing asks for one. The timer queue knows when each
 * locker is due by itself, and every public LockerState method that changes what the locker will do next (a hold,
 * a forced save, a waiter, a retry; also when game code calls them on `profile.ELS` directly) wakes the driver for
 * that locker, as do purchases, remote-change nudges and release announcements. This pass is only the safety net for
 * a change no method reports (a field of the LockerState set by hand).
 */
export const EASY_FULL_PASS_PERIOD = 30;

/** @internal the driver's schedule of one store */
interface Schedule {
	store: DrivenStore;
	/** Lockers waiting for a time: next autosave, retry or cooldown. */
	timers: TimerQueue<LockerState>;
	/** Lockers with a request in flight: checked every frame, applied the frame it finishes. */
	inFlight: Array<LockerState>;
	/** A full pass is needed on the next frame (new or ended profile, an idle locker to delete, a nudge). */
	full: boolean;
	fullPassAt: number;
	nudges: number;
}

/** Seconds of the 30-second BindToClose window the shutdown may use; the rest is margin for Roblox. */
export const EASY_SHUTDOWN_BUDGET = 27;

interface Driver {
	services: EasyServices;
	stores: Array<DrivenStore>;
	schedules: Array<Schedule>;
	connection: RBXScriptConnection | undefined;
	closing: boolean;
	/**
	 * Clock() time before which no schedule has anything due: frames before it only check the sources of work that
	 * arrive without a wake call (purchases, nudges, remote sends). 0 when the next frame must step.
	 */
	sleepUntil: number;
	closeBound: boolean;
	shutdownFinished: boolean | undefined;
	/** The one ProductPurchaser of the Easy API on this server, shared by every store. */
	purchaser: ProductPurchaser | undefined;
}

// Module state is per server (each server has its own module cache), which is what "one per server" means.
let driver: Driver | undefined;

function defaultServices(): EasyServices {
	return {
		RunService: DefaultRunService,
		BindToClose: callback => game.BindToClose(callback),
		Clock: os.clock,
	};
}

/** @internal the server's driver, created with the first store's services */
export function easyDriver(services: Partial<EasyServices> | undefined): Driver {
	if (driver === undefined) {
		const base = defaultServices();
		driver = {
			services: {
				RunService: services?.RunService ?? base.RunService,
				BindToClose: services?.BindToClose ?? base.BindToClose,
				Clock: services?.Clock ?? base.Clock,
			},
			stores: [],
			schedules: [],
			connection: undefined,
			closing: false,
			sleepUntil: 0,
			closeBound: false,
			shutdownFinished: undefined,
			purchaser: undefined,
		};
	} else if (
		services !== undefined &&
		services.RunService !== undefined &&
		services.RunService !== driver.services.RunService
	) {
		warn("[SessionLocker] EasyStoreCreate: services are shared by every store; the first store's are kept");
	}
	return driver;
}

/** @internal true when the locker's request finished (or its thread died): SessionUpdate applies it now */
function jobFinished(locker: LockerState): boolean {
	const job = locker.job;
	if (job === undefined || job.Done) return true;
	return job.Thread !== undefined && coroutine.status(job.Thread) === "dead";
}

/**
 * @internal
 * When a locker with nothing in flight next needs a SessionUpdate by itself: the time its state machine compares
 * with (autosave, retry, cooldown). Anything else that can make it due is an event that wakes the schedule.
 */
function dueAt(locker: LockerState, now: number): number {
	let at = locker.nextAttemptAt;
	if (locker.Session !== undefined) {
		if (locker.inUseCount > 0 && locker.ChangeId_PendingForce <= locker.ChangeId_Saved) {
			at = math.max(at, locker.autosaveAt);
		}
	} else if (locker.inUseCount > 0 && locker.loadBlocked) {
		// A load that cannot succeed waits for an event (a change of version, a release) or the full pass.
		return math.huge;
	}
	// Due already but nothing started (a state this schedule does not model): look again next frame.
	return at > now ? at : now;
}

/** @internal files a locker under in-flight or the timer queue after it was updated */
function classify(schedule: Schedule, locker: LockerState, now: number): void {
	if (locker.IsDeleted) {
		schedule.timers.remove(locker);
		return;
	}
	if (locker.job !== undefined) {
		schedule.timers.remove(locker);
		if (!schedule.inFlight.includes(locker)) schedule.inFlight.push(locker);
		return;
	}
	schedule.timers.set(locker, dueAt(locker, now));
}

/** @internal one locker's SessionUpdate outside a full pass; an idle result needs the store's full pass (deletion) */
function stepLocker(schedule: Schedule, locker: LockerState, now: number): void {
	if (locker.IsDeleted) return;
	if (locker.SessionUpdate(now)) {
		schedule.full = true;
		schedule.timers.remove(locker);
		return;
	}
	classify(schedule, locker, now);
}

function fullPass(schedule: Schedule, now: number, closing: boolean): void {
	schedule.full = false;
	schedule.fullPassAt = now + EASY_FULL_PASS_PERIOD;
	schedule.store.update(now, closing);
	// Re-filing every locker moves only those whose due time changed. Lockers the store deleted are no longer
	// listed; they leave the queue and the in-flight list when next met (stepLocker skips deleted lockers).
	for (const { Locker: locker } of schedule.store.entries) classify(schedule, locker, now);
}

/** Remote-change nudges plus takeover verdicts (a load to retry at once): both wake the driver */
function nudgeCount(store: DrivenStore): number {
	return store.RemoteChangeListener.NudgeCount + takeoverVerdicts();
}

function stepSchedule(schedule: Schedule, now: number, closing: boolean, purchasing: boolean): void {
	const store = schedule.store;
	const nudges = nudgeCount(store);
	if (nudges !== schedule.nudges) {
		// A nudge forced a save on a held locker from outside the driver.
		schedule.nudges = nudges;
		schedule.full = true;
	}
	// While closing or purchasing, lockers change hands every frame from outside the driver: full passes, as before.
	if (closing || purchasing || schedule.full || now >= schedule.fullPassAt) {
		fullPass(schedule, now, closing);
		return;
	}
	const inFlight = schedule.inFlight;
	for (let i = inFlight.size() - 1; i >= 0; i--) {
		const locker = inFlight[i];
		if (!jobFinished(locker)) continue;
		inFlight.unorderedRemove(i);
		stepLocker(schedule, locker, now);
	}
	const timers = schedule.timers;
	for (;;) {
		const locker = timers.popDue(now);
		if (locker === undefined) break;
		stepLocker(schedule, locker, now);
	}
	if (store.RemoteChangeSender.IsSending()) store.RemoteChangeSender.Update();
}

/** @hidden the earliest time any schedule has something due after a step at `now`; `now` when the next frame must look */
function wakeAt(d: Driver, now: number): number {
	let at = math.huge;
	for (const schedule of d.schedules) {
		if (schedule.full || schedule.inFlight.size() > 0) return now;
		at = math.min(at, schedule.fullPassAt);
		const first = schedule.timers.items[0];
		if (first !== undefined) at = math.min(at, schedule.timers.dueOf(first)!);
	}
	return at;
}

/**
 * @hidden
 * True when a frame may skip every schedule: the same frame stepped in full would find no full pass to run, nothing
 * in flight, no timer due, no nudge, purchase or send. Idle servers then pay a few field reads per frame.
 *
 * Each frame runs the Heartbeat handler in a new thread, whose stack is reallocated (garbage, then collector work)
 * when a call nests too deep: a C function needs 20 free slots above its caller. So the checks stay in this one
 * frame, calling `next` (Map.isEmpty) from here rather than through `IsSending`; idle frames then allocate no more
 * than an empty handler's.
 */
function asleep(d: Driver, now: number): boolean {
	if (now >= d.sleepUntil || d.closing) return false;
	const purchaser = d.purchaser;
	if (purchaser !== undefined && purchaser.HasIncompletePurchases()) return false;
	const verdicts = takeoverVerdicts();
	for (const schedule of d.schedules) {
		const store = schedule.store;
		// nudgeCount(store), and store.RemoteChangeSender.IsSending(), inline (see above).
		if (store.RemoteChangeListener.NudgeCount + verdicts !== schedule.nudges) return false;
		if (!store.RemoteChangeSender.jobs.isEmpty()) return false;
	}
	return true;
}

/** @hidden the Heartbeat handler */
function onFrame(d: Driver): void {
	const now = d.services.Clock();
	if (asleep(d, now)) return;
	step(d, now);
}

function step(d: Driver, now: number): void {
	const purchasing = d.purchaser !== undefined && d.purchaser.HasIncompletePurchases();
	for (const schedule of d.schedules) stepSchedule(schedule, now, d.closing, purchasing);
	d.purchaser?.Update();
	// While purchasing or closing, lockers change hands from outside the driver every frame: no sleeping.
	d.sleepUntil = d.closing || purchasing ? 0 : wakeAt(d, now);
}

/** @internal the schedule of a store, or undefined when it is not driven here */
function scheduleOf(store: unknown): Schedule | undefined {
	if (driver === undefined) return undefined;
	for (const schedule of driver.schedules) if (schedule.store === store) return schedule;
	return undefined;
}

/**
 * @internal
 * Something outside the timer queue changed a store's lockers (a profile started or ended, another server released
 * a key): its next frame runs a full pass.
 */
export function easyDriverWake(store: unknown): void {
	const schedule = scheduleOf(store);
	if (schedule === undefined) return;
	schedule.full = true;
	driver!.sleepUntil = 0;
}

/** @internal every store's next frame runs a full pass */
export function easyDriverWakeAll(): void {
	if (driver === undefined) return;
	for (const schedule of driver.schedules) schedule.full = true;
	driver.sleepUntil = 0;
}

/** @internal one locker must be looked at on the next frame (a forced save) */
export function easyDriverWakeLocker(store: unknown, locker: LockerState): void {
	const schedule = scheduleOf(store);
	if (schedule === undefined || locker.IsDeleted) return;
	if (locker.job === undefined) schedule.timers.set(locker, -math.huge);
	driver!.sleepUntil = 0;
}

/** @internal the shared purchaser, created on first use */
export function easyPurchaser(): ProductPurchaser {
	const d = easyDriver(undefined);
	if (d.purchaser === undefined) d.purchaser = ProductPurchaserCreate({ Clock: d.services.Clock });
	return d.purchaser;
}

/** @internal adds a store to the one Heartbeat loop (connected on the first store) */
export function easyDriverAdd(d: Driver, store: DrivenStore, bindToClose: boolean): void {
	d.stores.push(store);
	d.schedules.push({
		store,
		timers: new TimerQueue<LockerState>(),
		inFlight: [],
		full: true,
		fullPassAt: 0,
		nudges: nudgeCount(store),
	});
	d.sleepUntil = 0;
	if (d.connection === undefined) d.connection = d.services.RunService.Heartbeat.Connect(() => onFrame(d));
	if (bindToClose && !d.closeBound) {
		d.closeBound = true;
		d.services.BindToClose(() => {
			EasyShutdown();
		});
	}
}

/** @internal */
export function easyDriverClosing(): boolean {
	return driver !== undefined && driver.closing;
}

/**
 * Ends every Easy API session on this server and waits until all of them saved and released, purchases finished
 * and remote changes were sent — or until the shutdown budget (27 s) runs out. Returns true when everything
 * drained; otherwise it warns, naming the keys not released and the remote changes not confirmed. Registered
 * with BindToClose by default; call it yourself only if you created stores with `BindToClose: false`. New sessions
 * started after this are ended at once. **Yields.**
 *
 * @example
 * game.BindToClose(() => EasyShutdown());
 */
export function EasyShutdown(): boolean {
	const d = driver;
	if (d === undefined) return true;
	d.closing = true;
	const clock = d.services.Clock;
	const deadline = clock() + EASY_SHUTDOWN_BUDGET;
	// The Heartbeat loop ends the profiles and keeps the lockers moving; this thread only waits.
	// Remote sends fail a second before the budget ends and leave their queue, so what they were is kept here for
	// the warning.
	const sends = new Map<DrivenStore, string>();
	for (;;) {
		let busy = d.purchaser !== undefined && d.purchaser.HasIncompletePurchases();
		for (const store of d.stores) {
			if (store.isBusy()) busy = true;
			if (store.RemoteChangeSender.IsSending()) sends.set(store, store.RemoteChangeSender.DescribePending());
		}
		if (!busy) {
			d.shutdownFinished = true;
			return true;
		}
		if (clock() >= deadline) {
			const pending = new Array<string>();
			if (d.purchaser !== undefined && d.purchaser.HasIncompletePurchases())
				pending.push("purchases in progress");
			for (const store of d.stores) {
				const described = store.describePending();
				if (described !== "") pending.push(described);
				const failed = sends.get(store);
				if (failed !== undefined && !store.RemoteChangeSender.IsSending())
					pending.push(`remote changes failed unconfirmed: ${failed}`);
			}
			warn(
				`[SessionLocker] EasyShutdown: the shutdown budget ran out; unsaved sessions will expire. Pending: ${pending.join("; ")}`,
			);
			d.shutdownFinished = false;
			return false;
		}
		task.wait();
	}
}
