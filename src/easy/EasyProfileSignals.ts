import type { LifecycleReason, LifecycleStatus } from "../locker/LockerSpec";
import { lazySignal } from "./LazySignal";

/**
 * The signals of an `EasyProfile`, which inherits them. Each creates its BindableEvent only when something connects
 * or waits (LazySignal.ts): every player has a profile, and games listen to one or two of its signals.
 *
 * @example
 * profile.Saved.Connect(() => print("saved"));
 */
export class EasyProfileSignals {
	/**
	 * Every lifecycle event of the locker, (Status, Reason): the raw stream. An ended profile keeps receiving its
	 * locker's events (the final save and the release) until `Finished`.
	 */
	readonly Lifecycle = lazySignal<(Status: LifecycleStatus, Reason: LifecycleReason) => void>();
	/**
	 * The profile is completely done: after `EndSession()`, its locker released the key (the final save landed) and
	 * was deleted, or a new profile took the session over (`StartSessionReusable`, a reconnection). **After its
	 * handlers have run, every signal of the profile is destroyed and its connections are dropped.**
	 */
	readonly Finished = lazySignal<() => void>();
	/** `EndSession()` was called; the release happens later (`Finished` tells you when it landed). */
	readonly Destroyed = lazySignal<() => void>();
	/** A save succeeded. */
	readonly Saved = lazySignal<() => void>();
	/** The contents of the save data were swapped (loaded, released or lost). */
	readonly Replaced = lazySignal<(Reason: LifecycleReason) => void>();
	/** The real data replaced the offline defaults. */
	readonly Loaded = lazySignal<() => void>();
	/** The data went back to offline defaults because the session ended (released) or was lost. */
	readonly Reset = lazySignal<(Reason: LifecycleReason) => void>();
	/** The lock was given up willingly. */
	readonly Released = lazySignal<() => void>();
	/** The lock was lost: another server owns the key now. Unsaved changes are gone. */
	readonly Lost = lazySignal<() => void>();
	/** Product credit changed by `ChangeAmount` (negative when used). */
	readonly ProductCreditChanged = lazySignal<(ProductId: number, ChangeAmount: number, UserData?: unknown) => void>();

	/** @internal destroys every signal: their connections are dropped, and nothing fires on them again */
	destroySignals(): void {
		this.Lifecycle.Destroy();
		this.Finished.Destroy();
		this.Destroyed.Destroy();
		this.Saved.Destroy();
		this.Replaced.Destroy();
		this.Loaded.Destroy();
		this.Reset.Destroy();
		this.Released.Destroy();
		this.Lost.Destroy();
		this.ProductCreditChanged.Destroy();
	}
}
