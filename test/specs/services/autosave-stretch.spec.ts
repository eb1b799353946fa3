/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { LockerCreate, LockerState, RequestGatewayCreate } from "../../../src";
import { leaseDeadline } from "../../../src/locker/savePlan";
import { LockerWorld, WorldData } from "../../helpers/world";

// How the gateway stretches autosaves while the request budget is short: later, never past the lease deadline. Only
// autosaves move: forced saves never wait. (The spread of a join storm's autosaves: autosave-spread.spec.)

const PERIOD = 300;
const EXPIRY = 1800;

/** What a run of lockers on a budget of `budget` requests saw. */
interface BudgetRun {
	world: LockerWorld;
	lockers: Array<LockerState<WorldData>>;
	/** Seconds between two holder writes of one locker (its load, then each save), all lockers. */
	intervals: Array<number>;
	/** The oldest any locker's last holder write got, on its clock and on the DataStore's. */
	maxAge: number;
	maxBackendAge: number;
	stretches: number;
	pressure: number;
	/** Moves the world by `seconds` (SessionUpdates every half second; held requests run on the kit's clock). */
	run: (seconds: number) => void;
}

/**
 * `count` lockers on one gateway whose budget source always answers `budget`, every locker changing something
 * every 30 s, for `seconds`.
 */
function budgetRun(budget: number, count: number, seconds: number): BudgetRun {
	const world = new LockerWorld();
	const gateway = RequestGatewayCreate({
		Clock: () => world.mono,
		PlaceId: 1,
		JobId: "Q",
		Random: new Random(5),
		BudgetSource: {
			GetRequestBudgetForRequestType(this: unknown) {
				return budget;
			},
		},
	});
	const spec = world.specOn(gateway, { MaintainSessionPeriod: PERIOD, SessionExpiry: EXPIRY });
	const lockers = new Array<LockerState<WorldData>>();
	const lastWrite = new Map<LockerState<WorldData>, number>();
	const result: BudgetRun = {
		world,
		lockers,
		intervals: [],
		maxAge: 0,
		maxBackendAge: 0,
		stretches: 0,
		pressure: 0,
		run: () => undefined,
	};
	const step = 0.5;
	let sinceChange = 0;
	result.run = (duration: number) => {
		for (let elapsed = 0; elapsed < duration; elapsed += step) {
			for (const ls of lockers) ls.SessionUpdate(world.mono);
			for (const ls of lockers) {
				if (ls.LoadStatus !== "loaded") continue;
				const previous = lastWrite.get(ls);
				if (previous !== ls.lastWriteAt) {
					if (previous !== undefined) result.intervals.push(ls.lastWriteAt - previous);
					lastWrite.set(ls, ls.lastWriteAt);
				}
				result.maxAge = math.max(result.maxAge, world.mono - ls.lastWriteAt);
				if (ls.holderWriteMs !== undefined)
					result.maxBackendAge = math.max(result.maxBackendAge, (world.backendMs - ls.holderWriteMs) / 1000);
			}
			sinceChange += step;
			if (sinceChange >= 30) {
				sinceChange = 0;
				for (const ls of lockers) {
					ls.SaveData.Gold += 1;
					ls.MarkShouldSave();
				}
			}
			world.advance(step);
			Kit.advance(step);
			result.pressure = math.max(result.pressure, gateway.BudgetPressure());
		}
		result.stretches = gateway.autosaves.StretchCount;
	};
	for (let i = 1; i <= count; i++) {
		const ls = LockerCreate(spec, `q${i}`);
		ls.MarkShouldAcquire();
		lockers.push(ls);
	}
	result.run(seconds);
	return result;
}

export = () => {
	describe("autosave stretch (a short request budget)", () => {
		it("with a budget at a quarter of comfortable, autosaves stretch but no lease outlives its deadline", () => {
			// The age of the last holder write at which the lease must be refreshed (savePlan's rule).
			const deadline = leaseDeadline({ Now: 0, Period: PERIOD, Expiry: EXPIRY, LastWriteAt: 0, Dirty: true });
			const short = budgetRun(10, 20, 2700);
			expect(short.lockers.every(ls => ls.LoadStatus === "loaded")).to.equal(true);
			expect(short.pressure >= 0.75).to.equal(true);
			expect(short.stretches >= 20).to.equal(true);
			// Every locker saved at least twice in 2,700 s, each time at least 1.5 periods after its last write...
			expect(short.intervals.size() >= 40).to.equal(true);
			for (const interval of short.intervals) expect(interval >= 1.5 * PERIOD).to.equal(true);
			// ... and never later than the lease deadline, on its own clock and on the DataStore's.
			expect(short.maxAge < deadline).to.equal(true);
			expect(short.maxBackendAge < deadline).to.equal(true);
			// The same lockers with budget to spare autosave every period.
			const plenty = budgetRun(100, 20, 1000);
			expect(plenty.stretches).to.equal(0);
			expect(plenty.intervals.size() >= 40).to.equal(true);
			for (const interval of plenty.intervals) expect(interval <= PERIOD + 1).to.equal(true);
		});

		it("at that budget a forced save is not delayed: it is written within a second", () => {
			const short = budgetRun(10, 5, 400);
			const ls = short.lockers[0];
			// Its autosave was stretched: the change below waits for nothing but the forced save.
			expect(short.stretches >= 5).to.equal(true);
			ls.SaveData.Gold = 999;
			ls.MarkForceSave();
			short.run(1);
			expect((short.world.stored("q1") as WorldData).Gold).to.equal(999);
			expect(ls.ChangeId_Saved >= ls.ChangeId_PendingForce).to.equal(true);
		});
	});
};
