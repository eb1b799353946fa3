import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { LockerErrorKind } from "../errors";
import { LockerPhase } from "./LockerSpec";
import { strict } from "./reporting";

/**
 * The locker's phase: one value, changed only by `transition`.
 *
 * - `idle`: no lock, no hold key; the locker may be deleted.
 * - `loading`: a hold key is in use and no lock is held; a load is in flight or waits for its retry.
 * - `blocked`: like loading, but the load stopped for good (`Reason`: the error kind) until every hold is dropped.
 * - `held`: the lock is ours and a hold key keeps it.
 * - `releasing`: the last write is under way: the release (no hold key left) or the removal of a lock an abandoned
 *   load may have written.
 * - `release-unconfirmed`: a hold key came back after a release was sent; until a write settles it, the data may be
 *   the next holder's, so the locker is neither loaded nor available.
 * - `deleted`: terminal.
 */
export type Phase =
	| { readonly Name: "idle" }
	| { readonly Name: "loading" }
	| { readonly Name: "blocked"; readonly Reason: LockerErrorKind | "unknown" }
	| { readonly Name: "held" }
	| { readonly Name: "releasing" }
	| { readonly Name: "release-unconfirmed" }
	| { readonly Name: "deleted" };

export type PhaseName = Phase["Name"];

/** The phases without a payload, shared so that a step does not allocate. */
export const PHASES = {
	idle: { Name: "idle" },
	loading: { Name: "loading" },
	held: { Name: "held" },
	releasing: { Name: "releasing" },
	releaseUnconfirmed: { Name: "release-unconfirmed" },
	deleted: { Name: "deleted" },
} as const satisfies Record<string, Phase>;

/** The blocked phase, with the kind of the error that stopped the load. */
export function blockedPhase(reason: LockerErrorKind | undefined): Phase {
	return { Name: "blocked", Reason: reason ?? "unknown" };
}

/**
 * What moves the phase, as `SessionUpdate` sees it after applying the finished job (or the user calls it):
 *
 * - `hold`: a hold key is in use, no lock is held and the load may run.
 * - `load_blocked`: a hold key is in use, no lock is held and the load stopped for good.
 * - `loaded`: a load wrote our lock.
 * - `session`: our lock is held and a hold key keeps it.
 * - `unheld`: our lock is held and no hold key is left (the release).
 * - `orphan`: no hold key, no lock, but an abandoned load may have written one: remove it.
 * - `free`: no hold key, no lock, nothing to clean up.
 * - `delete`: `MarkDeleted`.
 */
export type PhaseEvent = "hold" | "load_blocked" | "loaded" | "session" | "unheld" | "orphan" | "free" | "delete";

export interface PhaseMove {
	readonly From: PhaseName;
	readonly Event: PhaseEvent;
	readonly To: PhaseName;
}

function move(From: PhaseName, Event: PhaseEvent, To: PhaseName): PhaseMove {
	return { From, Event, To };
}

/**
 * Every legal move (docs/lifecycle.md shows the same table). A move to the phase the locker is already in is no move
 * and always accepted; anything not listed here is refused by `transition`.
 */
export const LOCKER_TRANSITIONS: ReadonlyArray<PhaseMove> = [
	move("idle", "hold", "loading"),
	move("idle", "delete", "deleted"),
	move("loading", "loaded", "held"),
	move("loading", "loaded", "releasing"),
	move("loading", "load_blocked", "blocked"),
	move("loading", "orphan", "releasing"),
	move("loading", "free", "idle"),
	move("loading", "delete", "deleted"),
	move("blocked", "orphan", "releasing"),
	move("blocked", "free", "idle"),
	move("blocked", "delete", "deleted"),
	move("held", "unheld", "releasing"),
	move("held", "hold", "loading"),
	move("held", "free", "idle"),
	move("releasing", "free", "idle"),
	move("releasing", "hold", "loading"),
	move("releasing", "load_blocked", "blocked"),
	move("releasing", "session", "held"),
	move("releasing", "session", "release-unconfirmed"),
	move("release-unconfirmed", "session", "held"),
	move("release-unconfirmed", "unheld", "releasing"),
	move("release-unconfirmed", "hold", "loading"),
	move("release-unconfirmed", "free", "idle"),
];

/** The public `State` each phase shows (`LockerPhase` predates the finer phases). */
const PUBLIC_STATE: { readonly [K in PhaseName]: LockerPhase } = {
	idle: "idle",
	loading: "loading",
	blocked: "loading",
	held: "held",
	releasing: "releasing",
	"release-unconfirmed": "held",
	deleted: "deleted",
};

/** True when `LOCKER_TRANSITIONS` lists the move. */
export function isLegalMove(from: PhaseName, event: PhaseEvent, to: PhaseName): boolean {
	for (const row of LOCKER_TRANSITIONS) {
		if (row.From === from && row.Event === event && row.To === to) return true;
	}
	return false;
}

/**
 * The only place the phase changes. A listed move updates the phase and the public `State` (and `IsDeleted`), and
 * is logged with its event and reason when VerboseLogs is on. An unlisted move is a library bug: it raises an error in
 * StrictMode; otherwise it is refused with a warning and the phase stays as it was. Returns whether the move happened.
 * @internal
 */
export function transition(ls: LockerState, to: Phase, event: PhaseEvent, reason: string): boolean {
	const from = ls.phase;
	if (from.Name === to.Name) {
		ls.phase = to; // same phase: only a blocked reason can change
		return true;
	}
	if (!isLegalMove(from.Name, event, to.Name)) {
		const message = `${ls.LogPrefix} illegal phase move ${from.Name} -> ${to.Name} on ${event} (${reason}); refused`;
		if (strict(ls)) error(message, 2);
		warn(message);
		return false;
	}
	ls.phase = to;
	ls.State = PUBLIC_STATE[to.Name];
	if (to.Name === "deleted") ls.IsDeleted = true;
	if (QueryConfig(ls.LockerSpec.VerboseLogs, Defaults.VerboseLogs)) {
		print(`${ls.LogPrefix} phase ${from.Name} -> ${to.Name} on ${event} (${reason})`);
	}
	return true;
}
