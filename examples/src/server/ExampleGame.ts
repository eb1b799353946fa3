/*
	A complete game server on the Easy API: every player gets a session-locked profile, earns coins while playing,
	can buy a coin pack (a developer product, granted exactly once), can gift coins to a player on any server (a
	remote change, applied exactly once by whichever server holds the recipient), and leaves; on shutdown the library
	saves and releases every profile inside the 30-second BindToClose window.
*/
import { DataStoreService, Players, RunService } from "@rbxts/services";
import {
	EasyStore,
	EasyStoreCreate,
	LockerState,
	PlayerProfiles,
	PlayerProfilesCreate,
	RemoteChangeSend,
	SaveData,
	SD_RemoteChange_Base,
} from "./SessionLocker";

/** One player's save data. The library adds its own fields (Version, Session, Purchases...) beside these. */
export interface PlayerData extends SaveData {
	/** Spendable balance. */
	Coins: number;
	/** Coins earned by playing, in total. */
	Earned: number;
	/** Coins bought with the coin pack. */
	Bought: number;
	/** Coins received as gifts. */
	Gifted: number;
	/** Sessions played. */
	Sessions: number;
}

/** The coin pack developer product. */
export const COIN_PACK = 1001;
export const COIN_PACK_COINS = 100;
/** Seconds between coin rewards for playing. */
export const EARN_INTERVAL = 10;
/** A remote change kind never changes meaning: a new gift format would be "gift_coins_v2". */
export const GIFT_KIND = "gift_coins_v1";

interface GiftChange extends SD_RemoteChange_Base {
	Amount: number;
	From: number;
}

/** What the demo reads back from each server (a real game would send this to its analytics). */
export const ExampleStats = {
	SessionsLoaded: 0,
	/** Per UserId: the highest `Earned` value a save confirmed. */
	ConfirmedEarned: new Map<number, number>(),
};

// Applies a gift; runs on the server holding the recipient, inside its next save (or at once when nudged).
function applyRemoteChange(data: PlayerData, change: SD_RemoteChange_Base): boolean {
	// An unknown kind (from a newer server) stays in the key until a server that knows it loads the player.
	if (change.K !== GIFT_KIND) return false;
	const amount = (change as GiftChange).Amount;
	data.Coins += amount;
	data.Gifted += amount;
	return true;
}

// Grants a developer product by editing save data only; the library saves it before telling Roblox "granted".
function grantProduct(
	op: "validate" | "apply" | "record",
	_userData: object,
	productId: number,
	_receipt: unknown,
	ls: LockerState<PlayerData>,
): boolean {
	// An unknown product becomes product credit (ProductCreditQuery) instead of being lost.
	if (productId !== COIN_PACK) return false;
	if (op === "apply") {
		ls.SaveData.Coins += COIN_PACK_COINS;
		ls.SaveData.Bought += COIN_PACK_COINS;
	}
	return true;
}

export interface ExampleGame {
	readonly Store: EasyStore<PlayerData>;
	readonly Players: PlayerProfiles<PlayerData>;
	/** Sends coins from a player here to any player, online anywhere or offline. */
	SendGift(from: Player, toUserId: number, amount: number, callback?: (sent: boolean) => void): RemoteChangeSend;
}

let running: ExampleGame | undefined;

/** Starts the game on this server (once; later calls return the running game). */
export function startExampleGame(): ExampleGame {
	if (running !== undefined) return running;
	const store = EasyStoreCreate<PlayerData>(
		DataStoreService.GetDataStore("PlayerData"),
		() => ({ Coins: 0, Earned: 0, Bought: 0, Gifted: 0, Sessions: 0 }),
		{ SaveDataVersion: 1, ProcessRemoteChange: applyRemoteChange },
	);
	// Sessions follow players: keyed by UserId, reused on a quick rejoin, kicked with a clear message on trouble.
	const players = PlayerProfilesCreate(store, { KickOnLost: true, KickOnLoadFailure: true, LoadTimeout: 60 });
	players.ProcessReceipts(grantProduct);

	players.ProfileLoaded.Connect((player, profile) => {
		const data = profile.GetSaveData();
		data.Sessions += 1;
		profile.MarkShouldSave();
		ExampleStats.SessionsLoaded += 1;
		print(`${player.Name} loaded: ${data.Coins} coins, session #${data.Sessions}`);
	});
	players.Reconnected.Connect(player => print(`${player.Name} reconnected: same session, no DataStore request`));
	players.DuplicateLogin.Connect((kept, kicked) =>
		print(`${kicked.Name} replaced by ${kept.Name} (duplicate login)`),
	);

	// Playing earns a coin every EARN_INTERVAL seconds; the autosave (every 5 minutes) or the leave saves it.
	let elapsed = 0;
	RunService.Heartbeat.Connect(dt => {
		elapsed += dt;
		if (elapsed < EARN_INTERVAL) return;
		elapsed -= EARN_INTERVAL;
		for (const player of Players.GetPlayers()) {
			const profile = players.GetLoaded(player);
			if (profile === undefined) continue;
			const data = profile.GetSaveData();
			data.Coins += 1;
			data.Earned += 1;
			profile.MarkShouldSave();
			const earned = data.Earned;
			const userId = player.UserId;
			profile.WhenChangesSaved(saved => {
				if (saved && earned > (ExampleStats.ConfirmedEarned.get(userId) ?? 0)) {
					ExampleStats.ConfirmedEarned.set(userId, earned);
				}
			});
		}
	});

	running = {
		Store: store,
		Players: players,
		SendGift(from, toUserId, amount, callback) {
			const change: GiftChange = { K: GIFT_KIND, Amount: amount, From: from.UserId };
			print(`${from.Name} sends ${amount} coins to ${toUserId}`);
			return store.SendRemoteChanges(tostring(toUserId), [change as never], sent => callback?.(sent));
		},
	};
	return running;
}
