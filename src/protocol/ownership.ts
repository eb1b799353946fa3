import { isRawTable, isStoredSession, StoredSession } from "./format";

/** Why a save was fenced out. */
export type LostReason = "missing" | "not_table" | "no_session" | "foreign_session" | "version_changed";

/**
 * The fencing predicate: undefined when the stored value is still ours (same PlaceId, JobId, LockId and Version),
 * otherwise why not. A missing key counts as lost: recreating a key someone erased (for example a GDPR removal)
 * would resurrect data.
 *
 * @example
 * if (ownershipProblem(stored, ls.Session!, spec.SaveDataVersion) !== undefined) return undefined; // fenced
 */
export function ownershipProblem(stored: unknown, ours: StoredSession, version: number): LostReason | undefined {
	if (stored === undefined) return "missing";
	if (!isRawTable(stored)) return "not_table";
	const session = stored.Session;
	if (!isStoredSession(session)) return "no_session";
	if (session.PlaceId !== ours.PlaceId || session.JobId !== ours.JobId || session.LockId !== ours.LockId) {
		return "foreign_session";
	}
	if (stored.Version !== version) return "version_changed";
	return undefined;
}

/**
 * A sentence for `lock_lost` messages: why the key is no longer ours, in words that fit the reason. Only a
 * `foreign_session` fence means another server holds the key; a `version_changed` fence still finds our lock.
 *
 * @example
 * const why = describeOwnershipProblem("version_changed", stored, 1); // "the key still holds our lock, but ..."
 */
export function describeOwnershipProblem(reason: LostReason, stored: unknown, version: number): string {
	if (reason === "missing") return "the key no longer exists (it was removed by another writer)";
	if (reason === "not_table") return `the key now holds a ${typeOf(stored)}, not save data`;
	if (reason === "no_session") {
		return "the key holds no session lock any more (another writer released or replaced it)";
	}
	const value = stored as { Version?: unknown; Session?: StoredSession };
	if (reason === "foreign_session") {
		const session = value.Session as StoredSession;
		return `another server holds it now (PlaceId ${session.PlaceId}, JobId ${session.JobId}); its data is kept`;
	}
	return (
		`the key still holds our lock, but its save data is version ${tostring(value.Version)}, not this server's ` +
		`version ${version} (a newer server migrated it, or SaveDataCreator returned an old Version)`
	);
}

/** True when `session` is exactly the lock `ours` (used to recognise our own lock after an ambiguous write). */
export function isSameLock(session: unknown, ours: StoredSession): boolean {
	return (
		isStoredSession(session) &&
		session.PlaceId === ours.PlaceId &&
		session.JobId === ours.JobId &&
		session.LockId === ours.LockId
	);
}
