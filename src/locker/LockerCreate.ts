import type { SaveData } from "../protocol/format";
import { LogPrefixCreate } from "../util/log";
import { LockerSpec } from "./LockerSpec";
import { LockerState } from "./LockerState";

/**
 * Creates a LockerState for one DataStore key. It does not load anything until `MarkShouldAcquire()`.
 * **Errors at once for a key that is empty or longer than 50 bytes, and for a SaveDataCreator that does not return
 * a table.**
 *
 * @example
 * const ls = LockerCreate(spec, `Player_${player.UserId}`, [player.UserId]);
 * ls.MarkShouldAcquire();
 */
export function LockerCreate<T extends SaveData>(
	LockerSpec: LockerSpec<T>,
	DataStoreKey: string,
	AssociatedUserIds?: Array<number>,
	LogPrefix?: string,
	DisableAPIs?: boolean,
): LockerState<T> {
	return new LockerState(LockerSpec, DataStoreKey, AssociatedUserIds ?? [], LogPrefix, DisableAPIs);
}

/**
 * Creates a LockerState for a player: the key defaults to the UserId as a string, the user ids to `[UserId]` and
 * the log prefix to `LogPrefixCreate(true, UserId)`.
 *
 * @example
 * Players.PlayerAdded.Connect((player) => {
 * 	const ls = LockerCreatePlayer(spec, player);
 * 	ls.MarkShouldAcquire();
 * 	lockers.set(player, ls);
 * });
 */
export function LockerCreatePlayer<T extends SaveData>(
	LockerSpec: LockerSpec<T>,
	Player: Player,
	DataStoreKey?: string,
	LogPrefix?: string,
	DisableAPIs?: boolean,
): LockerState<T> {
	const userId = Player.UserId;
	const key = DataStoreKey ?? string.format("%i", userId);
	return new LockerState(
		LockerSpec,
		key,
		[userId],
		LogPrefix ?? LogPrefixCreate(true, userId, key !== tostring(userId) ? key : undefined),
		DisableAPIs,
	);
}
