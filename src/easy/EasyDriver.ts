import { RunService as DefaultRunService } from "@rbxts/services";
import { ProductPurchaser, ProductPurchaserCreate } from "../purchases/ProductPurchaser";

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
 * EasyStoreCreate(store, () => ({ Coins: 0 }), 1, 0, undefined, undefined, undefined, undefined, {
 * 	Services: { Clock: () => myClock() },
 * });
 */
export interface EasyServices {
	RunService: EasyRunService;
	/** Registers the shutdown handler; default `game.BindToClose`. */
	BindToClose: (callback: () => void) => void;
	/** Monotonic clock in seconds passed to SessionUpdate; default os.clock. */
	Clock: () => number;
}

/** What the driver needs from a store. */
export interface DrivenStore {
	/** @hidden one Heartbeat step */ update(now: number, closing: boolean): void;
	/** @hidden true while it holds lockers, purchases or remote sends */ isBusy(): boolean;
}

/** Seconds of the 30-second BindToClose window the shutdown may use; the rest is margin for Roblox. */
export const EASY_SHUTDOWN_BUDGET = 27;

interface Driver {
	services: EasyServices;
	stores: Array<DrivenStore>;
	connection: RBXScriptConnection | undefined;
	closing: boolean;
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

/** @hidden the server's driver, created with the first store's services */
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
			connection: undefined,
			closing: false,
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

function step(d: Driver): void {
	const now = d.services.Clock();
	for (const store of d.stores) store.update(now, d.closing);
	d.purchaser?.Update();
}

/** @hidden the shared purchaser, created on first use */
export function easyPurchaser(): ProductPurchaser {
	const d = easyDriver(undefined);
	if (d.purchaser === undefined) d.purchaser = ProductPurchaserCreate({ Clock: d.services.Clock });
	return d.purchaser;
}

/** @hidden adds a store to the one Heartbeat loop (connected on the first store) */
export function easyDriverAdd(d: Driver, store: DrivenStore, bindToClose: boolean): void {
	d.stores.push(store);
	if (d.connection === undefined) d.connection = d.services.RunService.Heartbeat.Connect(() => step(d));
	if (bindToClose && !d.closeBound) {
		d.closeBound = true;
		d.services.BindToClose(() => {
			EasyShutdown();
		});
	}
}

/** @hidden */
export function easyDriverClosing(): boolean {
	return driver !== undefined && driver.closing;
}

/**
 * Ends every Easy API session on this server and waits until all of them saved and released, purchases finished
 * and remote changes were sent — or until the shutdown budget (27 s) runs out. Returns true when everything
 * drained. Registered with BindToClose by default; call it yourself only if you created stores with
 * `BindToClose: false`. New sessions started after this are ended at once. **Yields.**
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
	for (;;) {
		let busy = d.purchaser !== undefined && d.purchaser.HasIncompletePurchases();
		for (const store of d.stores) {
			if (store.isBusy()) {
				busy = true;
				break;
			}
		}
		if (!busy) {
			d.shutdownFinished = true;
			return true;
		}
		if (clock() >= deadline) {
			warn("[SessionLocker] EasyShutdown: the shutdown budget ran out; unsaved sessions will expire");
			d.shutdownFinished = false;
			return false;
		}
		task.wait();
	}
}
