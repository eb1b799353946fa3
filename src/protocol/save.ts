import { RawSaveData, SD_RemoteChange_Base, StoredSession } from "./format";
import { describeOwnershipProblem, LostReason, ownershipProblem } from "./ownership";
import { remoteChangesForWrite } from "./remoteChanges";

export interface SaveContext {
	/** Our lock. */
	readonly Session: StoredSession;
	readonly Version: number;
	/** True to write `Session = nil` (release). */
	readonly Release: boolean;
	/** A deep copy of the holder's SaveData taken inside this invocation; the transform writes it. */
	readonly Snapshot: RawSaveData;
	readonly ProcessedRemoteIds: ReadonlySet<number>;
	/** os.time() now, stored as the v13-compatible `UpdatedAt` label. */
	readonly UpdatedAtLabel: number;
}

/** The save transform's result record; reset at the start of every invocation. */
export interface SaveResult {
	Status: "pending" | "saved" | "lost";
	LostReason: LostReason | undefined;
	/** With Status "lost": the reason as a sentence for messages. */
	LostDetail: string | undefined;
	Release: boolean;
	/** The RemoteChanges list that was written (stored list minus processed ones). */
	WrittenRemoteChanges: Array<SD_RemoteChange_Base> | undefined;
	/** The lock that was written; undefined for a release. */
	WrittenSession: StoredSession | undefined;
}

export function saveResultCreate(): SaveResult {
	return {
		Status: "pending",
		LostReason: undefined,
		LostDetail: undefined,
		Release: false,
		WrittenRemoteChanges: undefined,
		WrittenSession: undefined,
	};
}

/**
 * The save and release transform: fenced on PlaceId, JobId, LockId and Version. Returns the value to write or
 * undefined (lock lost: nothing written).
 */
export function saveTransform(current: unknown, ctx: SaveContext, out: SaveResult): RawSaveData | undefined {
	out.Status = "pending";
	out.LostReason = undefined;
	out.LostDetail = undefined;
	out.Release = ctx.Release;
	out.WrittenRemoteChanges = undefined;
	out.WrittenSession = undefined;
	const problem = ownershipProblem(current, ctx.Session, ctx.Version);
	if (problem !== undefined) {
		out.Status = "lost";
		out.LostReason = problem;
		out.LostDetail = describeOwnershipProblem(problem, current, ctx.Version);
		return undefined;
	}
	const value = ctx.Snapshot;
	value.Version = ctx.Version;
	if (ctx.Release) {
		value.Session = undefined;
	} else {
		// A new table without HolderWriteTime: this is a holder write, so the key's UpdatedTime is the heartbeat.
		const session: StoredSession = {
			PlaceId: ctx.Session.PlaceId,
			JobId: ctx.Session.JobId,
			LockId: ctx.Session.LockId,
			UpdatedAt: ctx.UpdatedAtLabel,
			Heartbeat: ctx.Session.Heartbeat,
		};
		value.Session = session;
		out.WrittenSession = session;
	}
	const remote = remoteChangesForWrite(current, ctx.ProcessedRemoteIds);
	value.RemoteChanges = remote;
	out.WrittenRemoteChanges = remote;
	out.Status = "saved";
	return value;
}
