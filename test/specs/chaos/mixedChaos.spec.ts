/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { formatMixedChaos, INVARIANTS, MixedChaosOptions, runMixedChaos } from "./mixedChaos";

const SMALL: MixedChaosOptions = {
	seed: 11,
	sessions: 200,
	servers: 8,
	players: 40,
	faultRate: 0.6,
	crashRate: 0.03,
	pauseRate: 0.02,
	shutdownRate: 0.02,
	messageLoss: 0.1,
	clockSkew: 120,
	trace: true,
};

type Ticker = typeof import("../runtime/fixtures/Ticker");
const TICKER = "ReplicatedStorage.Specs.specs.runtime.fixtures.Ticker";

/** "none", or the first line where two request logs part (a whole log is too long to read in a failure). */
function firstDifference(a: string, b: string): string {
	const left = a.split("\n");
	const right = b.split("\n");
	for (let i = 0; i < math.max(left.size(), right.size()); i++) {
		if (left[i] !== right[i]) return `line ${i + 1}: ${left[i] ?? "(end)"} | ${right[i] ?? "(end)"}`;
	}
	return "none";
}

export = () => {
	beforeEach(() => Kit.setFrameStep(0.25));

	describe("mixed chaos, Easy and Full APIs (small; `npm run bench -- chaos` runs 10,000 sessions)", () => {
		it("8 servers, every fault mode, message loss, crashes, pauses, shutdowns, ±120 s skew, purchases, remote changes, hops, rejoins, duplicate logins: zero violations of each invariant, and the same summary twice for one seed", () => {
			const report = runMixedChaos(SMALL);
			const summary = formatMixedChaos(report);
			print(`mixed chaos (seed ${SMALL.seed}):\n${summary}`);
			for (const name of INVARIANTS) {
				expect(`${name}=${report.violations.get(name)}`).to.equal(`${name}=0`);
			}
			expect(report.problems.size()).to.equal(0);
			// The run must exercise what it claims.
			const at = (name: string) => report.events.get(name) ?? 0;
			for (const name of [
				"editsAcknowledged",
				"purchasesGranted",
				"remoteChangesAccepted",
				"remoteChangesApplied",
				"hopsLeaveFirst",
				"hopsJoinFirst",
				"rejoinsSameServer",
				"duplicateLoginsSameServer",
				"duplicateLoginsTwoServers",
				"sessionsChaosEasy",
				"sessionsChaosEasyWatched",
				"sessionsChaosFull",
				"crashes",
				"pauses",
				"shutdowns",
				"faultError",
				"faultCommitThenError",
				"faultDropThenOk",
				"faultThrottle",
				"faultRead",
				"latencySpikes",
				"messagesLost",
				"lockWritesCheckedChaosFull",
				"lockWritesCheckedChaosEasyWatched",
			]) {
				expect(`${name} > 0: ${at(name) > 0}`).to.equal(`${name} > 0: true`);
			}
			// One seed gives one run: the same summary and the same requests, in the same order, at the same times.
			const again = runMixedChaos(SMALL);
			expect(formatMixedChaos(again)).to.equal(summary);
			expect(again.trace!.size() > 1000).to.equal(true);
			expect(firstDifference(again.trace!, report.trace!)).to.equal("none");
		});

		it("observing a run does not change it, nor does a server of another universe running beside it: with every server printing a debugging line on each join and leave (reading os.clock and the user's state), the same summary and the same requests at the same times", () => {
			const plain = runMixedChaos(SMALL);
			// A server left running by another spec, with a thread that wakes every 0.7 s.
			const neighbour = Kit.createUniverse({ seed: 3 });
			const ticks = { ticks: 0 };
			neighbour.startServer().require<Ticker>(TICKER).startTicker(ticks, 0.7);
			const observed = runMixedChaos({ ...SMALL, observe: true });
			neighbour.destroy();
			expect(ticks.ticks > 100).to.equal(true);
			expect(observed.trace!.size() > 1000).to.equal(true);
			// Every join and leave printed a line: one per session at least.
			expect(observed.tracedLines >= 200).to.equal(true);
			expect(plain.tracedLines).to.equal(0);
			expect(firstDifference(observed.trace!, plain.trace!)).to.equal("none");
			expect(formatMixedChaos(observed)).to.equal(formatMixedChaos(plain));
		});
	});
};
