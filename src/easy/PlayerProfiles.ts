import { Players as DefaultPlayers } from "@rbxts/services";
import { lazySignal } from "./LazySignal";
import type { SaveData } from "../protocol/format";
import { ProcessReceiptBind } from "../purchases/ProcessReceipt";
import type { ProductProcessFunction } from "../purchases/types";
import { easyPurchaser } from "./EasyDriver";
import type { EasyProfile } from "./EasyProfile";
import type { EasyStore } from "./EasyStore";
import { PlayerEntry } from "./PlayerEntry";
import { PlayerKickMessages, PlayerProfilesOptions } from "./PlayerProfilesOptions";

// The PlayerProfiles class. Next to it: PlayerProfilesOptions.ts (its options, the Players service it needs, the kick
// messages; re-exported here) and PlayerEntry.ts (its record of one player's session, which watches the profile and
// decides the kicks on a lost session or a failed load).
export { PlayerKickMessages } from "./PlayerProfilesOptions";
export type { PlayerProfilesOptions, PlayersLike } from "./PlayerProfilesOptions";

/**
 * Ties EasyProfiles to players' lifetimes: a session per player on join (reused on a quick rejoin), ended on leave,
 * kicks where the game asks for them. Sessions are keyed by UserId, never by the Player instance, so a reconnection
 * (a new Player object) finds its session and a duplicate login is told apart from it.
 *
 * @example
 * const players = PlayerProfilesCreate(store, { KickOnLost: true, KickOnLoadFailure: true });
 * players.ProfileLoaded.Connect((player, profile) => print(player.Name, profile.GetSaveData().Coins));
 */
export class PlayerProfiles<T extends SaveData = SaveData> {
	readonly Store: EasyStore<T>;
	/**
	 * The player's data finished loading (also fired for a reconnection that reused a loaded session). Fired in the
	 * frame the data loads, before `GetLoaded` returns the profile, and also when the player leaves right after.
	 */
	readonly ProfileLoaded = lazySignal<(Player: Player, Profile: EasyProfile<T>) => void>();
	/**
	 * The player rejoined before their previous session was released: the same session continues, without a
	 * DataStore request. Fires before `ProfileLoaded`.
	 */
	readonly Reconnected = lazySignal<(Player: Player, Profile: EasyProfile<T>) => void>();
	/** The same account joined twice; `Kept` holds the session, `Kicked` was removed. */
	readonly DuplicateLogin = lazySignal<(Kept: Player, Kicked: Player) => void>();

	/** @internal */ readonly entries = new Map<number, PlayerEntry<T>>();
	/**
	 * @internal With KickOnLoadFailure, the players whose first load is in progress: the thread that kicks each at
	 * `LoadTimeout`. Kept here, not on the entry, so that an entry keeps its four fields once loaded.
	 */
	readonly loadTimers = new Map<PlayerEntry<T>, thread>();
	/** @internal */ readonly options: PlayerProfilesOptions;
	/** @internal */ readonly connections = new Array<RBXScriptConnection>();

	/** @internal PlayerProfilesCreate's way in: the constructor is private so that `new PlayerProfiles()` does not compile. */
	static make<T extends SaveData>(store: EasyStore<T>, options: PlayerProfilesOptions): PlayerProfiles<T> {
		return new PlayerProfiles<T>(store, options);
	}

	/** Use `PlayerProfilesCreate`. */
	private constructor(store: EasyStore<T>, options: PlayerProfilesOptions) {
		this.Store = store;
		this.options = options;
		const players = options.Players ?? DefaultPlayers;
		this.connections.push(players.PlayerAdded.Connect(player => this.onJoin(player)));
		this.connections.push(players.PlayerRemoving.Connect(player => this.onLeave(player)));
		// Players who joined before this ran (Studio solo tests) still get a session.
		for (const player of players.GetPlayers()) task.spawn(() => this.onJoin(player));
	}

	/**
	 * The active profile of a player or UserId, loaded or not; undefined when they have none.
	 *
	 * @example
	 * const profile = players.Get(player);
	 */
	Get(PlayerOrUserId: Player | number): EasyProfile<T> | undefined {
		const userId = typeIs(PlayerOrUserId, "number") ? PlayerOrUserId : PlayerOrUserId.UserId;
		return this.entries.get(userId)?.Profile;
	}

	/**
	 * The profile only once it is loaded (its data is the real data) and `ProfileLoaded` was fired for it.
	 *
	 * @example
	 * players.GetLoaded(player)?.GetSaveData().Coins;
	 */
	GetLoaded(PlayerOrUserId: Player | number): EasyProfile<T> | undefined {
		const userId = typeIs(PlayerOrUserId, "number") ? PlayerOrUserId : PlayerOrUserId.UserId;
		const entry = this.entries.get(userId);
		return entry !== undefined && entry.Announced && entry.Profile.IsLoaded ? entry.Profile : undefined;
	}

	/**
	 * Sets `MarketplaceService.ProcessReceipt` to grant developer products exactly once through the store's shared
	 * ProductPurchaser: the buyer's profile is found by PlayerId, `ProcessFunction` applies the product to the save
	 * data, and PurchaseGranted is returned only after a save covering it landed. Shutdown waits for purchases in
	 * progress (EasyShutdown). **Only one ProcessReceipt handler can exist per server.**
	 *
	 * @example
	 * players.ProcessReceipts((op, _ud, productId, _receipt, ls) => {
	 * 	if (op === "apply") ls.SaveData.Coins += 100;
	 * 	return true;
	 * });
	 */
	ProcessReceipts(ProcessFunction: ProductProcessFunction<T>, MarketplaceService?: MarketplaceService): void {
		ProcessReceiptBind<T>(easyPurchaser(), {
			GetLockerState: playerId => this.Get(playerId)?.ELS,
			ProcessFunction,
			MarketplaceService,
			BindToClose: false,
		});
	}

	/**
	 * Stops handling joins and leaves and ends every session it started.
	 *
	 * @example
	 * players.Destroy();
	 */
	Destroy(): void {
		for (const connection of this.connections) connection.Disconnect();
		this.connections.clear();
		for (const [, entry] of this.entries) {
			this.release(entry);
			entry.Profile.EndSession();
		}
		this.entries.clear();
	}

	/** @internal */
	key(userId: number): string {
		const make = this.options.Key;
		return make !== undefined ? make(userId) : tostring(userId);
	}

	/** @internal */
	onJoin(player: Player): void {
		const userId = player.UserId;
		const existing = this.entries.get(userId);
		if (existing !== undefined) {
			if (existing.Player === player) return;
			this.onDuplicate(existing, player);
			return;
		}
		const key = this.key(userId);
		const reusing = this.Store.byKey.has(key);
		const profile = this.Store.StartSessionReusable(key, [userId]);
		const entry = new PlayerEntry<T>(this, player, profile);
		this.entries.set(userId, entry);
		profile.watcher = entry;
		if (reusing && profile.IsLoaded) this.Reconnected.Fire(player, profile);
		if (this.options.KickOnLoadFailure === true) entry.watchLoad();
	}

	/**
	 * @internal
	 * The profile just became loaded (called inside the load's step): ProfileLoaded fires now. GetLoaded returns the
	 * profile from a deferred thread queued after the event's handlers, so code that finds it there can rely on
	 * whatever the handlers set up; both happen in this frame.
	 */
	announce(entry: PlayerEntry<T>): void {
		if (this.entries.get(entry.Player.UserId) !== entry || !entry.Profile.IsActive) return;
		this.ProfileLoaded.Fire(entry.Player, entry.Profile);
		task.defer(() => {
			if (this.entries.get(entry.Player.UserId) === entry && entry.Profile.IsLoaded) entry.Announced = true;
		});
	}

	/** @internal stops watching a profile the helper no longer manages, so that nothing on it holds the Player */
	release(entry: PlayerEntry<T>): void {
		if (entry.Profile.watcher === entry) entry.Profile.watcher = undefined;
		entry.stopWatchingLoad();
	}

	/** @internal same account twice (seed 002: a duplicate is still connected; a reconnection is not) */
	onDuplicate(existing: PlayerEntry<T>, newcomer: Player): void {
		const old = existing.Player;
		if (this.options.DuplicateLogin === "KickNew") {
			this.DuplicateLogin.Fire(old, newcomer);
			newcomer.Kick(PlayerKickMessages.AlreadyInServer);
			return;
		}
		// The session moves to the new Player; the old one's PlayerRemoving then finds it is no longer the owner.
		existing.Player = newcomer;
		this.DuplicateLogin.Fire(newcomer, old);
		old.Kick(PlayerKickMessages.DuplicateLogin);
		if (existing.Profile.IsLoaded) this.ProfileLoaded.Fire(newcomer, existing.Profile);
	}

	/** @internal */
	onLeave(player: Player): void {
		const entry = this.entries.get(player.UserId);
		if (entry === undefined || entry.Player !== player) return;
		this.entries.delete(player.UserId);
		this.release(entry);
		entry.Profile.EndSession();
	}
}

/**
 * Starts handling players for a store: each joining player gets `StartSessionReusable(Key(UserId), [UserId])`,
 * each leaving player's profile is ended. Get profiles with `Get(player)`.
 * **Create it once per store, before players join (it also picks up players already in the server).**
 *
 * @example
 * const store = EasyStoreCreate(DataStoreService.GetDataStore("PlayerData"), () => ({ Coins: 0 }));
 * const players = PlayerProfilesCreate(store, { KickOnLost: true });
 */
export function PlayerProfilesCreate<T extends SaveData>(
	Store: EasyStore<T>,
	Options?: PlayerProfilesOptions,
): PlayerProfiles<T> {
	return PlayerProfiles.make(Store, Options ?? {});
}
