// Seeded chaos (issue 9): 10,000 Full API sessions over 8 servers with every DataStore fault mode, crashes, pauses
// and clock skew; reports the violations of each invariant (all must be 0). SL_CHAOS_SESSIONS sets another size;
// `npm test` runs a 300-session version (test/specs/chaos/releaseChaos.spec.ts).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { createHost, repoRoot } from "../runtime/runner/Host.mjs";

export const name = "seeded chaos: releases, reuse, hops, crashes, pauses, skew";

const SESSIONS = Number(process.env.SL_CHAOS_SESSIONS ?? 10000);

const VIOLATIONS = [
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
	const { runScript } = await createHost({ onOutput: () => {} });
	const result = String(await runScript("/bench/chaos.bench", String(SESSIONS)));
	if (result.startsWith("error")) throw new Error(result);
	return result.split("\n").map(line => {
		const index = line.indexOf("=");
		const metric = line.slice(0, index);
		const value = line.slice(index + 1);
		return { metric: VIOLATIONS.includes(metric) ? `violations: ${metric}` : metric, value };
	});
}
