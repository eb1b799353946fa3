import { RunService as DefaultRunService } from "@rbxts/services";

/** The part of RunService the Easy API uses. */
export interface EasyRunService {
	readonly Heartbeat: RBXScriptSignal<(deltaTime: number) => void>;
	IsClient(): boolean;
	IsStudio(): boolean;
}

/**
 * The engine services the Easy API uses. Pass your own (for example fakes in a unit test) through
 * `EasyStoreCreate`'s options; the first store decides for the whole server, because all stores share one driver.
 * **`Clock` must advance with `task.delay`'s time (seconds): the driver sleeps with `task.delay` until the clock
 * says something is due.**
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

/** @internal the engine's own services, for whatever the first store does not pass */
export function defaultEasyServices(): EasyServices {
	return {
		RunService: DefaultRunService,
		BindToClose: callback => game.BindToClose(callback),
		Clock: os.clock,
	};
}
