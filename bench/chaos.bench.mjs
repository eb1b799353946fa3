// Seeded chaos, 10,000 sessions each over 8 servers (test/specs/chaos): the mixed run (Easy and Full APIs,
// purchases, remote changes, hops, rejoins, duplicate logins, every DataStore fault mode, message loss, crashes,
// pauses, shutdowns, clock skew) and the release run (Full API sessions only). Reports event counts and the
// violations of each invariant (all must be 0). SL_CHAOS_SESSIONS sets another size; SL_CHAOS_RUNS picks the runs
// ("mixed,release" by default), SL_CHAOS_SEEDS a comma-separated list of seeds to run each with (default: 11 for
// mixed, 7 for release). `npm test` runs small versions (test/specs/chaos/*.spec.ts).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { createHost, repoRoot } from "../runtime/runner/Host.mjs";

export const name = "seeded chaos: mixed Easy/Full APIs with purchases and remote changes; Full API releases";

const SESSIONS = Number(process.env.SL_CHAOS_SESSIONS ?? 10000);
const RUNS = (process.env.SL_CHAOS_RUNS ?? "mixed,release").split(",").filter(Boolean);
const SEEDS = (process.env.SL_CHAOS_SEEDS ?? "").split(",").filter(Boolean);

const RELEASE_VIOLATIONS = [
	"lostAcknowledged",
	"lostLockWrites",
	"doubleAvailable",
	"idleBeforeConfirmed",
	"unansweredWaiters",
	"keysLeftLocked",
];

export default async function run() {
	const build = spawnSync(
		process.execPath,
		[path.join(repoRoot, "node_modules/roblox-ts/out/CLI/cli.js"), "-p", "tsconfig.test.json"],
		{ cwd: repoRoot, stdio: "inherit" },
	);
	if (build.status !== 0) throw new Error("compile failed: rbxtsc -p tsconfig.test.json");
	const rows = [];
	for (const kind of RUNS) {
		for (const seed of SEEDS.length > 0 ? SEEDS : [""]) {
			const label = seed === "" ? kind : `${kind} seed ${seed}`;
			const { runScript } = await createHost({ onOutput: () => {} });
			const started = performance.now();
			const result = String(await runScript("/bench/chaos.bench", `${kind} ${SESSIONS} ${seed}`.trim()));
			if (result.startsWith("error")) throw new Error(result);
			for (const line of result.split("\n")) {
				const index = line.indexOf("=");
				let metric = line.slice(0, index);
				const value = line.slice(index + 1);
				if (metric.startsWith("violations.")) metric = `violations: ${metric.slice("violations.".length)}`;
				else if (RELEASE_VIOLATIONS.includes(metric)) metric = `violations: ${metric}`;
				rows.push({ metric: `${label}: ${metric}`, value });
			}
			rows.push({ metric: `${label}: wall seconds`, value: ((performance.now() - started) / 1000).toFixed(1) });
		}
	}
	return rows;
}
