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

/** True when `session` is exactly the lock `ours` (used to recognise our own lock after an ambiguous write). */
export function isSameLock(session: unknown, ours: StoredSession): boolean {
	return (
		isStoredSession(session) &&
		session.PlaceId === ours.PlaceId &&
		session.JobId === ours.JobId &&
		session.LockId === ours.LockId
	);
}
