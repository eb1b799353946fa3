import { TableDeepCopy } from "../util/TableDeepCopy";
import { isRawTable, isStoredSession, KeyInfoView, RawSaveData, StoredSession } from "./format";
import { applyMigrations, SaveDataMigrators, SaveDataPatchers } from "./migrate";
import { isSameLock } from "./ownership";
import { holderWriteTimeMs, isSessionStale } from "./staleness";

export type AcquireStatus =
	| "pending"
	| "loaded"
	| "locked"
	| "need_clock"
	| "invalid_version"
	| "invalid_data"
	| "invalid_save_data"
	| "migration_failed";

export interface AcquireContext {
	/** The lock to write; keep it across retries of one load so an ambiguous earlier write is recognised. */
	readonly NewSession: StoredSession;
	readonly Version: number;
	/** SessionExpiry in seconds. */
	readonly Expiry: number;
	/** Lower bound of the backend's time now, in seconds; undefined when this server has no estimate yet. */
	readonly BackendNow: number | undefined;
	/** Makes fresh save data for a missing key. May throw; called under pcall. */
	readonly CreateSaveData: () => unknown;
	readonly Migrators?: SaveDataMigrators;
	readonly Patchers?: SaveDataPatchers;
	/**
	 * A lock whose holder a heartbeat read found dead: taken at once, before its expiry, but only if the stored
	 * Session is still exactly that lock (PlaceId, JobId, LockId) and advertises a heartbeat. Any other lock is
	 * judged as usual.
	 */
	readonly TakeDeadHolder?: StoredSession;
}

/** The load transform's result record; `resetAcquireResult` runs at the start of every invocation. */
export interface AcquireResult {
	Status: AcquireStatus;
	Created: boolean;
	Migrated: boolean;
	MinimumServerVersion: number | undefined;
	Detail: string;
	/** The table written, when Status is "loaded". */
	Value: RawSaveData | undefined;
	/** The lock found, when Status is "locked". */
	Holder: StoredSession | undefined;
	/** True when the load took a lock whose holder was judged dead (`TakeDeadHolder`). */
	TookDeadHolder: boolean;
}

export function acquireResultCreate(): AcquireResult {
	return {
		Status: "pending",
		Created: false,
		Migrated: false,
		MinimumServerVersion: undefined,
		Detail: "",
		Value: undefined,
		Holder: undefined,
		TookDeadHolder: false,
	};
}

export function resetAcquireResult(out: AcquireResult): void {
	out.Status = "pending";
	out.Created = false;
	out.Migrated = false;
	out.MinimumServerVersion = undefined;
	out.Detail = "";
	out.Value = undefined;
	out.Holder = undefined;
	out.TookDeadHolder = false;
}

/**
 * Normalises creator output: a table is required; Version defaults to the spec's SaveDataVersion (fixing v13's B9,
 * which defaulted to 1) and any other Version is refused, VersionPatch defaults to 0, Purchases and ProductCredit to empty lists; Session is removed.
 * Returns the table or a description of what was wrong.
 */
export function normalizeCreatedSaveData(value: unknown, version: number): RawSaveData | string {
	if (!isRawTable(value)) return typeOf(value);
	const data = TableDeepCopy(value);
	// A stale Version would be written with our lock and fence out our own first save (version_changed).
	if (data.Version !== undefined && data.Version !== version) {
		return `Version ${tostring(data.Version)}, but SaveDataVersion ${version} is current (leave Version out or set it to SaveDataVersion)`;
	}
	if (!typeIs(data.Version, "number")) data.Version = version;
	if (!typeIs(data.VersionPatch, "number")) data.VersionPatch = 0;
	if (!typeIs(data.Purchases, "table")) data.Purchases = [];
	if (!typeIs(data.ProductCredit, "table")) data.ProductCredit = [];
	data.Session = undefined;
	return data;
}

function freshSession(session: StoredSession): StoredSession {
	return {
		PlaceId: session.PlaceId,
		JobId: session.JobId,
		LockId: session.LockId,
		UpdatedAt: session.UpdatedAt,
		Heartbeat: session.Heartbeat,
	};
}

/** True when `session` is exactly the lock judged dead, and that lock advertised a heartbeat. */
function isJudgedDead(session: StoredSession, dead: StoredSession | undefined): boolean {
	return dead !== undefined && session.Heartbeat === 1 && isSameLock(session, dead);
}

/**
 * The acquire transform: pure and safe to re-run. Returns the value to write (the data with our new lock) or
 * undefined to write nothing; `out` says why.
 */
export function acquireTransform(
	current: unknown,
	keyInfo: KeyInfoView | undefined,
	ctx: AcquireContext,
	out: AcquireResult,
): RawSaveData | undefined {
	resetAcquireResult(out);
	if (current === undefined) {
		const [ok, created] = pcall(ctx.CreateSaveData);
		if (!ok) {
			out.Status = "invalid_save_data";
			out.Detail = `SaveDataCreator threw: ${tostring(created)}`;
			return undefined;
		}
		const data = normalizeCreatedSaveData(created, ctx.Version);
		if (typeIs(data, "string")) {
			out.Status = "invalid_save_data";
			out.Detail = data;
			return undefined;
		}
		data.Session = freshSession(ctx.NewSession);
		out.Status = "loaded";
		out.Created = true;
		out.Value = data;
		return data;
	}
	if (!isRawTable(current)) {
		out.Status = "invalid_data";
		out.Detail = `stored value is a ${typeOf(current)}`;
		return undefined;
	}
	const session = current.Session;
	if (session !== undefined && !isSameLock(session, ctx.NewSession)) {
		if (!isStoredSession(session)) {
			out.Status = "invalid_data";
			out.Detail = `Session is not a lock table (${typeOf(session)})`;
			return undefined;
		}
		out.Holder = session;
		if (isJudgedDead(session, ctx.TakeDeadHolder)) {
			out.TookDeadHolder = true;
		} else {
			const locked = lockedStatus(session, keyInfo, ctx);
			const ageKnown = holderWriteTimeMs(session, keyInfo) !== undefined;
			if (locked !== undefined) {
				out.Status = locked;
				if (locked === "locked")
					out.Detail = `held by JobId ${session.JobId}${ageKnown ? "" : ", age unknown"}`;
				return undefined;
			}
		}
		out.Holder = undefined;
	}
	return takeExisting(current, ctx, out);
}

/** Whether an existing foreign lock still holds at this load: "locked", "need_clock", or undefined when stale. */
function lockedStatus(
	session: StoredSession,
	keyInfo: KeyInfoView | undefined,
	ctx: AcquireContext,
): "locked" | "need_clock" | undefined {
	const written = holderWriteTimeMs(session, keyInfo);
	// No way to tell the lock's age: never steal on a guess.
	if (written === undefined) return "locked";
	if (ctx.BackendNow === undefined) return "need_clock";
	if (!isSessionStale(written, ctx.BackendNow, ctx.Expiry)) return "locked";
	return undefined;
}

/** Writes our lock into existing save data (migrated as needed). */
function takeExisting(current: RawSaveData, ctx: AcquireContext, out: AcquireResult): RawSaveData | undefined {
	const migration = applyMigrations(current, ctx.Version, ctx.Migrators, ctx.Patchers);
	if (migration.Status === "invalid_version") {
		out.Status = "invalid_version";
		out.MinimumServerVersion = migration.MinimumServerVersion;
		out.Detail = tostring(migration.StoredVersion);
		return undefined;
	}
	if (migration.Status === "failed") {
		out.Status = "migration_failed";
		out.Detail = migration.Error ?? "unknown";
		return undefined;
	}
	if (!typeIs(current.Purchases, "table")) current.Purchases = [];
	if (!typeIs(current.ProductCredit, "table")) current.ProductCredit = [];
	current.Session = freshSession(ctx.NewSession);
	out.Status = "loaded";
	out.Migrated = migration.Changed;
	out.Value = current;
	return current;
}
