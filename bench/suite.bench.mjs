// Wall time of the whole spec suite on the headless runtime (compiled beforehand, so only running is timed).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../runtime/runner/Host.mjs";

export const name = "spec suite";

export default async function run() {
	const start = performance.now();
	const result = spawnSync(process.execPath, [path.join(repoRoot, "runtime/runner/cli.mjs"), "--no-build"], {
		cwd: repoRoot,
		encoding: "utf8",
	});
	const elapsed = performance.now() - start;
	const last = result.stdout.trimEnd().split("\n").pop();
	return [
		{ metric: "suite wall time (s)", value: Number((elapsed / 1000).toFixed(2)) },
		{ metric: "suite result", value: last },
	];
}
