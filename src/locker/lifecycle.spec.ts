/// <reference types="@rbxts/testez/globals" />
import { LockerWorld } from "../../test/helpers/world";
import { LockerCreate } from "./LockerCreate";
import { isLegalMove, LOCKER_TRANSITIONS, Phase, PhaseEvent, PhaseName, transition } from "./transition";

const PHASE_NAMES: Array<PhaseName> = [
	"idle",
	"loading",
	"blocked",
	"held",
	"releasing",
	"release-unconfirmed",
	"deleted",
];
const EVENTS: Array<PhaseEvent> = ["hold", "load_blocked", "loaded", "session", "unheld", "orphan", "free", "delete"];

/**
 * The table of docs/lifecycle.md, row for row (scripts/check-lifecycle-doc.mjs checks the doc against the code's
 * LOCKER_TRANSITIONS, this spec checks the code against these rows: a move added on one side only fails one of them).
 */
const EXPECTED_ROWS = [
	"idle | hold | loading",
	"idle | delete | deleted",
	"loading | loaded | held",
	"loading | loaded | releasing",
	"loading | load_blocked | blocked",
	"loading | orphan | releasing",
	"loading | free | idle",
	"loading | delete | deleted",
	"blocked | orphan | releasing",
	"blocked | free | idle",
	"blocked | delete | deleted",
	"held | unheld | releasing",
	"held | hold | loading",
	"held | free | idle",
	"releasing | free | idle",
	"releasing | hold | loading",
	"releasing | load_blocked | blocked",
	"releasing | session | held",
	"releasing | session | release-unconfirmed",
	"release-unconfirmed | session | held",
	"release-unconfirmed | unheld | releasing",
	"release-unconfirmed | hold | loading",
	"release-unconfirmed | free | idle",
];

function phaseOf(name: PhaseName): Phase {
	return name === "blocked" ? { Name: "blocked", Reason: "invalid_stored_data" } : ({ Name: name } as Phase);
}

export = () => {
	describe("the locker's lifecycle table", () => {
		it("lists exactly the documented moves", () => {
			const rows = LOCKER_TRANSITIONS.map(row => `${row.From} | ${row.Event} | ${row.To}`);
			expect(rows.join("\n")).to.equal(EXPECTED_ROWS.join("\n"));
		});

		it("accepts every listed move and refuses every other one (StrictMode: an error)", () => {
			const world = new LockerWorld();
			const ls = LockerCreate(world.spec({ StrictMode: true }), "k");
			let accepted = 0;
			let refused = 0;
			for (const from of PHASE_NAMES) {
				for (const event of EVENTS) {
					for (const to of PHASE_NAMES) {
						if (from === to) continue;
						ls.phase = phaseOf(from);
						const [ok, moved] = pcall(() => transition(ls, phaseOf(to), event, "spec"));
						const legal = isLegalMove(from, event, to);
						expect(`${from} ${event} ${to}: ${ok && moved === true}`).to.equal(
							`${from} ${event} ${to}: ${legal}`,
						);
						expect(ls.phase.Name).to.equal(legal ? to : from);
						if (legal) accepted += 1;
						else refused += 1;
					}
				}
			}
			expect(accepted).to.equal(EXPECTED_ROWS.size());
			expect(accepted + refused).to.equal(PHASE_NAMES.size() * EVENTS.size() * (PHASE_NAMES.size() - 1));
		});

		it("outside StrictMode refuses an illegal move without raising, keeping the phase and State", () => {
			const world = new LockerWorld();
			const ls = LockerCreate(world.spec({ StrictMode: false }), "k");
			const [ok, moved] = pcall(() => transition(ls, phaseOf("held"), "session", "spec"));
			expect(ok).to.equal(true);
			expect(moved).to.equal(false);
			expect(ls.phase.Name).to.equal("idle");
			expect(ls.State).to.equal("idle");
		});

		it("walks a real locker idle -> loading -> held -> releasing -> idle -> deleted, State in step", () => {
			const world = new LockerWorld();
			const ls = LockerCreate(world.spec({ StrictMode: true }), "k");
			const seen = new Array<string>();
			const note = () => {
				const last = seen[seen.size() - 1];
				const now = `${ls.phase.Name}/${ls.State}`;
				if (last !== now) seen.push(now);
			};
			note();
			ls.MarkShouldAcquire();
			world.update(ls, 1);
			note();
			expect(world.runUntil(ls, () => ls.LoadStatus === "loaded", 30)).to.equal(true);
			world.update(ls, 1);
			note();
			ls.MarkShouldRelease();
			world.update(ls, 1);
			note();
			expect(world.runUntil(ls, () => ls.phase.Name === "idle", 30)).to.equal(true);
			note();
			ls.MarkDeleted();
			note();
			expect(seen.join(" ")).to.equal(
				"idle/idle loading/loading held/held releasing/releasing idle/idle deleted/deleted",
			);
			expect(ls.IsDeleted).to.equal(true);
		});
		it("a load stopped for good is blocked (State loading) with its error kind, until released", () => {
			const world = new LockerWorld();
			world.store.Write("k", "legacy gold=5");
			const ls = LockerCreate(world.spec({ StrictMode: true }), "k");
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			const phase = ls.phase;
			expect(phase.Name).to.equal("blocked");
			expect(phase.Name === "blocked" ? phase.Reason : "none").to.equal("invalid_stored_data");
			expect(ls.State).to.equal("loading");
			ls.MarkShouldRelease();
			world.update(ls, 1);
			expect(ls.phase.Name).to.equal("idle");
			expect(ls.State).to.equal("idle");
		});

		it("a hold key back after a failed release is release-unconfirmed (State held, not available) until a write lands", () => {
			const world = new LockerWorld();
			const ls = world.loaded({ StrictMode: true });
			world.update(ls, 1);
			expect(ls.phase.Name).to.equal("held");
			ls.MarkShouldRelease();
			world.store.FailNext("502: API Services rejected request with error. HTTP 500 (Internal Server Error)");
			world.update(ls, 1);
			expect(ls.phase.Name).to.equal("releasing");
			ls.MarkShouldAcquire();
			expect(world.runUntil(ls, () => ls.phase.Name !== "releasing", 5)).to.equal(true);
			expect(ls.phase.Name).to.equal("release-unconfirmed");
			expect(ls.State).to.equal("held");
			expect(ls.IsAvailable()).to.equal(false);
			expect(world.runUntil(ls, () => ls.phase.Name === "held", 60)).to.equal(true);
			expect(ls.IsAvailable()).to.equal(true);
			expect(world.kinds().includes("request_failed")).to.equal(true);
		});
	});
};
