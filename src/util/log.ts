import { Players } from "@rbxts/services";

/**
 * Builds the prefix put in front of a locker's log lines: `[SessionLocker][Name]:[Id]`, or `[Id / DataStoreId]` when
 * the key's id differs from the player's.
 *
 * @example
 * LockerCreate(spec, "Player_1", [1], LogPrefixCreate(true, 1)); // "[SessionLocker][Builderman]:[1]"
 */
export function LogPrefixCreate(IsPlayer?: boolean, Id?: number | string, DataStoreId?: number | string): string {
	let name = "";
	if (IsPlayer && typeIs(Id, "number")) {
		const [ok, player] = pcall(() => Players.GetPlayerByUserId(Id));
		if (ok && player !== undefined) name = `[${player.Name}]`;
	}
	let ids = Id !== undefined ? tostring(Id) : "?";
	if (DataStoreId !== undefined && tostring(DataStoreId) !== ids) ids = `${ids} / ${tostring(DataStoreId)}`;
	return `[SessionLocker]${name}:[${ids}]`;
}

/**
 * Warns an error in four variants (identifier only; with the first line of the message; with the whole message;
 * with a traceback) so that Roblox's Error Report groups occurrences at every level of detail.
 *
 * @example
 * LogErrorVariations("ProcessReceipt", tostring(err));
 */
export function LogErrorVariations(Identifier: string, ErrorMessage: string): void {
	const [firstLine] = ErrorMessage.match("^[^\n]*");
	warn(`${Identifier}`);
	warn(`${Identifier}: ${firstLine !== undefined ? firstLine : ErrorMessage}`);
	warn(`${Identifier}: ${ErrorMessage}`);
	warn(`${Identifier}: ${ErrorMessage}\n${debug.traceback()}`);
}
