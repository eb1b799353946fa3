import type { PurchaseHandle } from "../../kit";
import type { StoredSession } from "../../../src/protocol/format";
import type { ChaosData } from "./fixtures/MixedGame";
import type { Invariant } from "./mixedChaos";

/** What the run promised the game, to be found in the final stored data. */
export interface Promises {
	/** Per user, the tokens whose save was acknowledged (WhenChangesSaved answered true). */
	confirmed: Map<number, Array<string>>;
	purchases: Array<{ userId: number; handle: PurchaseHandle }>;
	/** PurchaseIds for which a ProcessReceipt handler returned PurchaseGranted. */
	grantedIds: Set<string>;
	/** Every remote change sent, by token; `accepted` once its sender reported it stored. */
	remote: Map<string, { userId: number; accepted: boolean }>;
}

function occurrences(list: Array<string> | undefined): Map<string, number> {
	const counts = new Map<string, number>();
	if (list !== undefined) for (const item of list) counts.set(item, (counts.get(item) ?? 0) + 1);
	return counts;
}

/**
 * Reads every user's final data once and counts the violations of the data invariants: acknowledged edits present,
 * granted purchases applied exactly once (and no purchase applied twice), accepted remote changes applied exactly
 * once (and none twice), every key released (crashed servers' locks excepted: they expire).
 */
export function checkFinalData(
	players: number,
	stored: (userId: number) => ChaosData | undefined,
	crashedJobs: Set<string>,
	promises: Promises,
	count: (name: string, by?: number) => void,
	violate: (name: Invariant, text: string) => void,
): void {
	const logs = new Map<number, Map<string, number>>();
	const bought = new Map<number, Map<string, number>>();
	const applied = new Map<number, Map<string, number>>();
	for (let userId = 1; userId <= players; userId++) {
		const value = stored(userId);
		logs.set(userId, occurrences(value?.Log));
		bought.set(userId, occurrences(value?.Bought));
		applied.set(userId, occurrences(value?.Remote));
		const session = value?.Session as StoredSession | undefined;
		if (session !== undefined && !crashedJobs.has(session.JobId)) {
			violate("keysLeftLocked", `user ${userId} left locked by ${session.JobId}`);
		}
	}
	for (const [userId, tokens] of promises.confirmed) {
		const present = logs.get(userId)!;
		for (const token of tokens) {
			if (!present.has(token)) violate("acknowledgedWriteLost", `user ${userId}: acknowledged ${token} lost`);
		}
	}
	for (const { userId, handle } of promises.purchases) {
		const id = handle.receipt.PurchaseId;
		const times = bought.get(userId)!.get(id) ?? 0;
		const granted = promises.grantedIds.has(id) || handle.status() === "granted";
		count(granted ? "purchasesGranted" : "purchasesStillPending");
		count("receiptInvocations", handle.invocations());
		if (handle.invocations() > 1) count("receiptsInvokedAgain");
		if (times > 1) violate("purchaseAppliedTwice", `user ${userId}: purchase ${id} applied ${times} times`);
		else if (granted && times !== 1) violate("purchaseNotAppliedOnce", `user ${userId}: granted ${id} not applied`);
	}
	for (const [token, { userId, accepted }] of promises.remote) {
		const times = applied.get(userId)!.get(token) ?? 0;
		if (times > 0) count("remoteChangesApplied");
		if (times > 1) violate("remoteChangeAppliedTwice", `user ${userId}: change ${token} applied ${times} times`);
		else if (accepted && times !== 1) {
			violate("remoteChangeNotAppliedOnce", `user ${userId}: accepted change ${token} not applied`);
		}
	}
}
