import type { SaveData } from "../protocol/format";
import type { EasyProfile } from "./EasyProfile";
import type { EasyProfileWatcher } from "./EasyProfileOwner";
import type { PlayerProfiles } from "./PlayerProfiles";
import { PlayerKickMessages } from "./PlayerProfilesOptions";

/**
 * @internal
 * PlayerProfiles' record of one player's session, and the watcher of its profile: the profile tells it of a load, a
 * loss or a failing load inside the locker's step, so the helper needs no signal connection, closure or polling
 * thread per player. The kicks it decides (`KickOnLost`, `KickOnLoadFailure`) run in a deferred thread: kicking
 * ends the session (PlayerRemoving), which must not happen inside the step.
 */
export class PlayerEntry<T extends SaveData> implements EasyProfileWatcher {
	Player: Player;
	readonly Profile: EasyProfile<T>;
	readonly Owner: PlayerProfiles<T>;
	/** ProfileLoaded was fired for the current load; GetLoaded returns the profile only from then on. */
	Announced = false;

	constructor(owner: PlayerProfiles<T>, player: Player, profile: EasyProfile<T>) {
		this.Owner = owner;
		this.Player = player;
		this.Profile = profile;
	}

	/** The helper still manages this session (the player has not left, the helper was not destroyed). */
	isCurrent(): boolean {
		return this.Owner.entries.get(this.Player.UserId) === this;
	}

	profileLoaded(): void {
		this.stopWatchingLoad();
		this.Owner.announce(this);
	}

	profileLost(): void {
		const kick = this.Owner.options.KickOnLost;
		if (kick !== undefined && kick !== false) task.defer(kickLost, this);
	}

	loadStatusChanged(): void {
		if (this.Owner.loadTimers.has(this) && loadFailureMessage(this.Profile) !== undefined) {
			task.defer(kickOnLoadFailure, this, false);
		}
	}

	/**
	 * With KickOnLoadFailure, on join: kicks at once for a load that already failed (a reused session), else from the
	 * first failing load status, or at `LoadTimeout` (default 60 s) while the data is still not loaded.
	 */
	watchLoad(): void {
		const profile = this.Profile;
		if (!profile.IsActive || profile.IsLoaded) return;
		if (loadFailureMessage(profile) !== undefined) {
			kickOnLoadFailure(this, false);
			return;
		}
		const timer = task.delay(this.Owner.options.LoadTimeout ?? 60, kickOnLoadFailure, this, true);
		this.Owner.loadTimers.set(this, timer);
	}

	stopWatchingLoad(): void {
		const timers = this.Owner.loadTimers;
		const timer = timers.get(this);
		if (timer === undefined) return;
		timers.delete(this);
		if (coroutine.status(timer) === "suspended") task.cancel(timer);
	}
}

/** The kick message for a load that failed for good: an unknown version or unreadable data. */
function loadFailureMessage<T extends SaveData>(profile: EasyProfile<T>): string | undefined {
	const status = profile.GetLoadStatus();
	if (status === "invalid_version") return PlayerKickMessages.InvalidVersion;
	if (status === "invalid_data") return PlayerKickMessages.InvalidData;
	return undefined;
}

function kickLost<T extends SaveData>(entry: PlayerEntry<T>): void {
	if (!entry.isCurrent()) return;
	const kick = entry.Owner.options.KickOnLost;
	entry.Player.Kick(typeIs(kick, "string") ? kick : PlayerKickMessages.Lost);
}

/** Kicks the player and ends the session if the load is still failing (or, at the timeout, still not done). */
function kickOnLoadFailure<T extends SaveData>(entry: PlayerEntry<T>, timedOut: boolean): void {
	if (timedOut) entry.Owner.loadTimers.delete(entry);
	const profile = entry.Profile;
	if (!entry.isCurrent() || !profile.IsActive || profile.IsLoaded) return;
	const message = loadFailureMessage(profile) ?? (timedOut ? PlayerKickMessages.Timeout : undefined);
	if (message === undefined) return;
	entry.stopWatchingLoad();
	entry.Player.Kick(message);
	entry.Owner.onLeave(entry.Player);
}
