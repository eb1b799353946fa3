// The options of PlayerProfilesCreate, the Players service it needs, and the kick messages it uses. PlayerProfiles.ts
// re-exports them.

/** The part of the Players service the helper uses (inject a fake in unit tests). */
export interface PlayersLike {
	readonly PlayerAdded: RBXScriptSignal<(player: Player) => void>;
	readonly PlayerRemoving: RBXScriptSignal<(player: Player) => void>;
	GetPlayers(): Array<Player>;
}

/** Kick messages the helper uses; override any of them. */
export const PlayerKickMessages = {
	Lost: "Your data was opened on another server. Please rejoin.",
	InvalidVersion: "This server is older than your data. Please rejoin to get a newer server.",
	InvalidData: "Your data could not be read. Please contact the game's developers.",
	Timeout: "Your data is still in use on another server. Please rejoin in a minute.",
	DuplicateLogin: "You joined this experience from another device.",
	AlreadyInServer: "You are already in this server on another device.",
};

export interface PlayerProfilesOptions {
	/** The DataStore key of a user; default the UserId as a string (`"123"`, like SessionLocker's players). */
	Key?: (UserId: number) => string;
	/** Kick the player when their session is lost to another server (default false). A string is the message. */
	KickOnLost?: boolean | string;
	/**
	 * Kick the player when their data cannot load: an unknown version, unreadable data, or still locked after
	 * `LoadTimeout` seconds (default false).
	 */
	KickOnLoadFailure?: boolean;
	/** With KickOnLoadFailure: seconds to wait for a locked or failing load before kicking (default 60). */
	LoadTimeout?: number;
	/**
	 * A second Player with the same UserId joins while the first is still here. "KickOld" (default) moves the
	 * session to the new Player and kicks the old one; "KickNew" keeps the old one and kicks the new one.
	 */
	DuplicateLogin?: "KickOld" | "KickNew";
	/** The Players service (default the real one). */
	Players?: PlayersLike;
}
