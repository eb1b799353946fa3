import type { EasyProfile } from "./EasyProfile";

// What an EasyProfile is wired to: the store that made it, and the helper (PlayerProfiles) that may manage it. Both
// are interfaces so that EasyProfile.ts imports neither file: the store and the helper import the profile.

/** What an EasyProfile needs from the store that made it. */
export interface EasyProfileOwner {
	/** @internal */ endProfile(profile: EasyProfile<never>): void;
	/** @internal */ purchaseFor(
		profile: EasyProfile<never>,
		processFunction: unknown,
		receiptInfo: unknown,
		callback: ((granted: boolean) => void) | undefined,
		userData: unknown,
	): boolean | undefined;
}

/**
 * What the helper managing a profile hears from it, called inside the locker's step before any signal of the
 * profile fires: a load, a loss or a failing load is handled in the frame it happens, without a signal (whose
 * BindableEvent would exist for every player) and without polling. Handlers must not yield; anything that ends
 * sessions or kicks players belongs in a deferred thread, outside the step.
 */
export interface EasyProfileWatcher {
	/** The profile just became loaded (its data is the real data). */
	profileLoaded(): void;
	/** The profile's session was lost to another server. */
	profileLost(): void;
	/** The locker's load status changed (a failed or locked load, a retry, a load, a reset). */
	loadStatusChanged(): void;
}
