/** Name of the MemoryStore hash map that holds one heartbeat entry per live server. */
export const HEARTBEAT_MAP_NAME = "SessionLocker_Heartbeats";

/**
 * The heartbeat entry key of a server: its JobId under the same key prefix the game's data uses, so a Studio play
 * test (which runs with a prefix) never looks alive or dead to production servers, and the reverse.
 *
 * @example
 * heartbeatKey("Studio_", game.JobId); // "Studio_3f2c…"
 */
export function heartbeatKey(keyPrefix: string, jobId: string): string {
	return `${keyPrefix}${jobId}`;
}
