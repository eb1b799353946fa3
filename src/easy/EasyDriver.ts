import type { LockerState } from "../locker/LockerState";
import { takeoverVerdicts } from "../locker/takeover";
import { ProductPurchaser, ProductPurchaserCreate } from "../purchases/ProductPurchaser";
import { DrivenStore, Schedule, scheduleLockerNow, stepSchedule } from "./easySchedule";
import { defaultEasyServices, EasyServices } from "./EasyServices";

/**
 * The one driver of the Easy API on a server: it steps every store's lockers from RunService.Heartbeat, but only
 * while something is due. When nothing is (every locker waits for a time, nothing in flight, no purchase, no send),
 * it disconnects from Heartbeat and sleeps on one `task.delay` until the earliest due time; every source of work
 * that does not come from the clock wakes it (LockerState changes through `onPoke`, purchases, remote sends,
 * release announcements, new and ended sessions). An idle server therefore runs no Luau on most frames.
 */
export interface Driver {
	services: EasyServices;
	stores: Array<DrivenStore>;
	schedules: Array<Schedule>;
	/** The Heartbeat connection while awake; undefined while asleep. */
	connection: RBXScriptConnection | undefined;
	/** The `task.delay` thread that wakes the driver at `sleepUntil` while asleep. */
	alarm: thread | undefined;
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

/** @internal the server's driver, created with the first store's services */
export function easyDriver(services: Partial<EasyServices> | undefined): Driver {
	if (driver === undefined) {
		const base = defaultEasyServices();
		driver = {
			services: {
				RunService: services?.RunService ?? base.RunService,
				BindToClose: services?.BindToClose ?? base.BindToClose,
				Clock: services?.Clock ?? base.Clock,
			},
			stores: [],
			schedules: [],
			connection: undefined,
			alarm: undefined,
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

/** @internal the server's driver if a store created it */
export function easyDriverCurrent(): Driver | undefined {
	return driver;
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
 * True when the driver may sleep: the same frame stepped in full would find no full pass to run, nothing in flight,
 * no timer due, no nudge, purchase or send.
 *
 * The checks stay in this one Lua frame, calling `next` (Map.isEmpty) from here rather than through `IsSending`:
 * a C function needs 20 free stack slots above its caller, and a deeper call would grow the new thread's stack.
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

/**
 * Seconds the alarm rings before the due time. The timer and Clock() are different clocks that agree only up to
 * float rounding; ringing a little early costs one more doze, ringing late would cost a frame.
 */
const ALARM_EARLY = 0.001;

/** @hidden leaves Heartbeat until `sleepUntil` or a wake call, whichever comes first */
function doze(d: Driver, now: number): void {
	d.connection?.Disconnect();
	d.connection = undefined;
	if (d.alarm !== undefined) task.cancel(d.alarm);
	d.alarm = task.delay(math.max(0, d.sleepUntil - now - ALARM_EARLY), () => {
		d.alarm = undefined;
		easyDriverRouse(d);
	});
}

/** @hidden the Heartbeat handler */
function onFrame(d: Driver): void {
	const now = d.services.Clock();
	if (!asleep(d, now)) {
		const purchasing = d.purchaser !== undefined && d.purchaser.HasIncompletePurchases();
		for (const schedule of d.schedules) stepSchedule(schedule, now, d.closing, purchasing);
		d.purchaser?.Update();
		// While purchasing or closing, lockers change hands from outside the driver every frame: no sleeping.
		d.sleepUntil = d.closing || purchasing ? 0 : wakeAt(d, now);
		if (!asleep(d, now)) return;
	}
	doze(d, now);
}

/**
 * @internal
 * The next frame steps every schedule: reconnects to Heartbeat if the driver was asleep. Every source of work that
 * is not a locker's own due time calls this.
 */
export function easyDriverRouse(d: Driver): void {
	d.sleepUntil = 0;
	if (d.alarm !== undefined) {
		task.cancel(d.alarm);
		d.alarm = undefined;
	}
	if (d.connection === undefined) d.connection = d.services.RunService.Heartbeat.Connect(() => onFrame(d));
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
	easyDriverRouse(driver!);
}

/** @internal every store's next frame runs a full pass */
export function easyDriverWakeAll(): void {
	if (driver === undefined) return;
	for (const schedule of driver.schedules) schedule.full = true;
	easyDriverRouse(driver);
}

/** @internal one locker must be looked at on the next frame (a forced save) */
export function easyDriverWakeLocker(store: unknown, locker: LockerState): void {
	const schedule = scheduleOf(store);
	if (schedule === undefined || locker.IsDeleted) return;
	scheduleLockerNow(schedule, locker);
	easyDriverRouse(driver!);
}

/** @internal the shared purchaser, created on first use; a purchase it queues wakes the driver */
export function easyPurchaser(): ProductPurchaser {
	const d = easyDriver(undefined);
	if (d.purchaser === undefined) {
		d.purchaser = ProductPurchaserCreate({ Clock: d.services.Clock });
		d.purchaser.onQueued = () => easyDriverRouse(d);
	}
	return d.purchaser;
}

/** @internal */
export function easyDriverClosing(): boolean {
	return driver !== undefined && driver.closing;
}
