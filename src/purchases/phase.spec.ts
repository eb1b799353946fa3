/// <reference types="@rbxts/testez/globals" />
import { PhaseHolder, PURCHASE_EVENTS, PURCHASE_PHASES, PurchasePhase, PurchasePhaseKind, transition } from "./phase";
import type { VerifyJob } from "./PurchaseState";

/**
 * The phase table of docs/purchases.md ("Purchase phases"), row for row and in its column order: a change to the
 * code's table fails here until the page (and this copy) says the same.
 */
const DOCUMENTED: Array<[PurchasePhaseKind, ...Array<string>]> = [
	// record_found, intent_recorded, applied, saved, verify_failed, not_found, verified, data_lost, refuse, destroy
	["pending", "granted", "saving_intent", "saving", "-", "-", "-", "-", "-", "refused", "refused"],
	["saving_intent", "-", "-", "-", "verifying_intent", "-", "-", "-", "pending", "-", "refused"],
	[
		"verifying_intent",
		"-",
		"-",
		"-",
		"-",
		"saving_intent",
		"saving_intent",
		"intent_durable",
		"pending",
		"-",
		"refused",
	],
	["intent_durable", "granted", "saving_intent", "saving", "-", "-", "-", "-", "-", "refused", "refused"],
	["saving", "-", "-", "-", "verifying", "-", "-", "-", "pending", "-", "refused"],
	["verifying", "-", "-", "-", "-", "saving", "saving", "granted", "pending", "-", "refused"],
	["granted", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"],
	["refused", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"],
];

function job(): VerifyJob {
	return { Thread: undefined, Done: true, Results: [], ErrorMessage: "" };
}

function holderIn(kind: PurchasePhaseKind): PhaseHolder {
	const phase: PurchasePhase =
		kind === "verifying" || kind === "verifying_intent" ? { Kind: kind, Verify: job() } : { Kind: kind };
	const resolved = kind === "granted" || kind === "refused";
	return { Phase: phase, Applied: kind !== "pending", Done: resolved, Granted: kind === "granted" };
}

export = () => {
	describe("purchase phases (docs/purchases.md)", () => {
		it("documents every phase and every event, in the code's order", () => {
			expect(DOCUMENTED.size()).to.equal(PURCHASE_PHASES.size());
			for (let i = 0; i < DOCUMENTED.size(); i++) {
				expect(DOCUMENTED[i][0]).to.equal(PURCHASE_PHASES[i]);
				expect(DOCUMENTED[i].size()).to.equal(PURCHASE_EVENTS.size() + 1);
			}
		});

		it("transition() makes exactly the documented moves and rejects every other one", () => {
			let legal = 0;
			for (const row of DOCUMENTED) {
				const from = row[0];
				for (let e = 0; e < PURCHASE_EVENTS.size(); e++) {
					const event = PURCHASE_EVENTS[e];
					const expected = row[e + 1];
					const holder = holderIn(from);
					if (expected === "-") {
						expect(() => transition(holder, event, job())).to.throw("illegal purchase move");
						expect(holder.Phase.Kind).to.equal(from);
						continue;
					}
					legal += 1;
					const verify = job();
					const phase = transition(holder, event, verify);
					expect(phase.Kind).to.equal(expected);
					expect(holder.Phase).to.equal(phase);
					if (phase.Kind === "verifying" || phase.Kind === "verifying_intent") {
						expect(phase.Verify).to.equal(verify);
					}
					// Done and Granted follow the phase; Applied is false only before anything was applied.
					expect(holder.Done).to.equal(expected === "granted" || expected === "refused");
					expect(holder.Granted).to.equal(expected === "granted");
					if (expected === "pending") expect(holder.Applied).to.equal(false);
					else if (!holder.Done) expect(holder.Applied).to.equal(true);
					else expect(holder.Applied).to.equal(from !== "pending");
				}
			}
			expect(legal).to.equal(26);
		});

		it("a move into a verifying phase needs its read-back job", () => {
			const holder = holderIn("saving");
			expect(() => transition(holder, "saved")).to.throw("needs its read-back job");
		});
	});
};
