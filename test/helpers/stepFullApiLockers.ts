import type { LockerState, SaveData } from "../../src";

/**
 * One Heartbeat of a Full API game fixture: steps every locker, and deletes the idle ones whose player left (the
 * pattern the Full API guide shows). Used by the game fixtures that kit servers require.
 *
 * @example
 * RunService.Heartbeat.Connect(() => stepFullApiLockers(lockers, leaving, os.clock()));
 */
export function stepFullApiLockers<T extends SaveData>(
	lockers: Map<number, LockerState<T>>,
	leaving: Set<number>,
	now: number,
): void {
	for (const [userId, ls] of lockers) {
		if (ls.SessionUpdate(now) && leaving.has(userId)) {
			ls.MarkDeleted();
			if (ls.IsDeleted) {
				lockers.delete(userId);
				leaving.delete(userId);
			}
		}
	}
}
