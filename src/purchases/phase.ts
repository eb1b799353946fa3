import type { PurchaseState, VerifyJob } from "./PurchaseState";

/**
 * @internal
 * Where a purchase is (docs/purchases.md, "Purchase phases"). A gift first saves its intent (`*_intent` phases),
 * then applies both halves like any purchase.
 */
export type PurchasePhase =
	/** Not applied: waits for the buyer's data (and a gift's recipient) to be available here. */
	| { Kind: "pending" }
	/** A gift's intent record is being saved (nothing applied yet). */
	| { Kind: "saving_intent" }
	/** The intent's save is being read back. */
	| { Kind: "verifying_intent"; Verify: VerifyJob }
	/** The intent is durable: waits to apply both halves. */
	| { Kind: "intent_durable" }
	/** The effect and the record are being saved. */
	| { Kind: "saving" }
	/** The saves are being read back. */
	| { Kind: "verifying"; Verify: VerifyJob }
	/** Resolved true: applied and durably saved. */
	| { Kind: "granted" }
	/** Resolved false: the receipt is left for Roblox to deliver again. */
	| { Kind: "refused" };

/** @internal */
export type PurchasePhaseKind = PurchasePhase["Kind"];

/** @internal what moves a purchase from one phase to the next */
export type PurchaseEvent =
	/** The buyer's data already holds a complete record of the purchase. */
	| "record_found"
	/** A gift's intent record was added; its save starts. */
	| "intent_recorded"
	/** The effect and the record were applied in memory; their saves start. */
	| "applied"
	/** Every involved save reported success. */
	| "saved"
	/** A read-back failed or crashed: ask again after a wait. */
	| "verify_failed"
	/** A read-back found the record missing: save again. */
	| "not_found"
	/** Every read-back found the record. */
	| "verified"
	/** Some involved data was replaced before it saved: start over on what loads next. */
	| "data_lost"
	/** The locker was deleted, the data does not load here, the receipt is invalid, or the caller abandoned it. */
	| "refuse"
	/** The purchaser was destroyed. */
	| "destroy";

/** @internal every phase, in the order of the documented table */
export const PURCHASE_PHASES: ReadonlyArray<PurchasePhaseKind> = [
	"pending",
	"saving_intent",
	"verifying_intent",
	"intent_durable",
	"saving",
	"verifying",
	"granted",
	"refused",
];

/** @internal every event, in the order of the documented table */
export const PURCHASE_EVENTS: ReadonlyArray<PurchaseEvent> = [
	"record_found",
	"intent_recorded",
	"applied",
	"saved",
	"verify_failed",
	"not_found",
	"verified",
	"data_lost",
	"refuse",
	"destroy",
];

const LIVE = ["pending", "saving_intent", "verifying_intent", "intent_durable", "saving", "verifying"] as const;

/** @internal phase x event -> next phase; a missing entry is an illegal move */
export const PHASE_TABLE: ReadonlyMap<PurchaseEvent, ReadonlyMap<PurchasePhaseKind, PurchasePhaseKind>> = new Map<
	PurchaseEvent,
	ReadonlyMap<PurchasePhaseKind, PurchasePhaseKind>
>([
	// From "intent_durable" too: if the held data was replaced and reloaded meanwhile, the record decides again.
	[
		"record_found",
		new Map([
			["pending", "granted"],
			["intent_durable", "granted"],
		]),
	],
	[
		"intent_recorded",
		new Map([
			["pending", "saving_intent"],
			["intent_durable", "saving_intent"],
		]),
	],
	[
		"applied",
		new Map([
			["pending", "saving"],
			["intent_durable", "saving"],
		]),
	],
	[
		"saved",
		new Map([
			["saving_intent", "verifying_intent"],
			["saving", "verifying"],
		]),
	],
	[
		"verify_failed",
		new Map([
			["verifying_intent", "saving_intent"],
			["verifying", "saving"],
		]),
	],
	[
		"not_found",
		new Map([
			["verifying_intent", "saving_intent"],
			["verifying", "saving"],
		]),
	],
	[
		"verified",
		new Map([
			["verifying_intent", "intent_durable"],
			["verifying", "granted"],
		]),
	],
	[
		"data_lost",
		new Map([
			["saving_intent", "pending"],
			["verifying_intent", "pending"],
			["saving", "pending"],
			["verifying", "pending"],
		]),
	],
	[
		"refuse",
		new Map([
			["pending", "refused"],
			["intent_durable", "refused"],
		]),
	],
	["destroy", new Map(LIVE.map(kind => [kind, "refused"] as [PurchasePhaseKind, PurchasePhaseKind]))],
]);

/** @internal the next phase for `event`, or undefined when the move is illegal */
export function nextPhase(from: PurchasePhaseKind, event: PurchaseEvent): PurchasePhaseKind | undefined {
	return PHASE_TABLE.get(event)?.get(from);
}

/** @internal the fields a phase decides */
export type PhaseHolder = Pick<PurchaseState, "Phase" | "Applied" | "Done" | "Granted">;

/**
 * @internal
 * The only place a purchase changes phase. Errors on a move the table does not allow. `verify` is the read-back
 * job of a move into a verifying phase.
 */
export function transition(ppp: PhaseHolder, event: PurchaseEvent, verify?: VerifyJob): PurchasePhase {
	const from = ppp.Phase.Kind;
	const to = nextPhase(from, event);
	if (to === undefined) error(`[SessionLocker][ProductPurchaser] illegal purchase move: ${event} in ${from}`, 2);
	let phase: PurchasePhase;
	if (to === "verifying" || to === "verifying_intent") {
		if (verify === undefined) error(`[SessionLocker][ProductPurchaser] ${to} needs its read-back job`, 2);
		phase = { Kind: to, Verify: verify };
	} else {
		phase = { Kind: to };
	}
	ppp.Phase = phase;
	// Resolved purchases keep `Applied` as it was: it tells whether the effect is in the data.
	if (to === "pending") ppp.Applied = false;
	else if (to !== "granted" && to !== "refused") ppp.Applied = true;
	else {
		ppp.Done = true;
		ppp.Granted = to === "granted";
	}
	return phase;
}
