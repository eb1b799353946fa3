// Server-hop time on the Easy API (issue 6): a player leaves server A and joins server B; virtual seconds until B
// has loaded the data, for three orders of the two servers' events. Runs on the example place's build.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { createHost, repoRoot } from "../runtime/runner/Host.mjs";

export const name = "Easy API server hop";

export default async function run() {
	const build = spawnSync(
		process.execPath,
		[path.join(repoRoot, "node_modules/roblox-ts/out/CLI/cli.js"), "-p", "tsconfig.json", "-i", "../include"],
		{ cwd: path.join(repoRoot, "examples"), stdio: "inherit" },
	);
	if (build.status !== 0) throw new Error("compile failed: rbxtsc -p examples/tsconfig.json");
	const { runScript } = await createHost({
		project: path.join(repoRoot, "examples/default.project.json"),
		onOutput: () => {},
	});
	const result = String(await runScript("bench/easy.bench", "20"));
	if (result.startsWith("error")) throw new Error(result);
	return result.split("\n").map(line => {
		const [order, count, mean, min, max] = line.split("|");
		return {
			metric: `hop A -> B, ${order} (${count} hops, virtual s)`,
			value: `mean ${mean}, min ${min}, max ${max}`,
		};
	});
}
