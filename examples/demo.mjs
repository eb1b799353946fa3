// `npm run demo`: compiles the example place and runs its demo on the headless runtime: 3 servers running the
// example game, scripted players joining, playing, buying, gifting, hopping servers, one server crash, shutdown.
// The DataStore backend is kept in .demo/backend.json, so a second run continues from the first.
// Exits non-zero when the scenario fails or reports lost or duplicated data.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { createHost, repoRoot } from "../runtime/runner/Host.mjs";

// rbxtsc resolves Rojo paths from the working directory, so it runs inside examples/.
const build = spawnSync(
	process.execPath,
	[path.join(repoRoot, "node_modules/roblox-ts/out/CLI/cli.js"), "-p", "tsconfig.json", "-i", "../include"],
	{ cwd: path.join(repoRoot, "examples"), stdio: "inherit" },
);
if (build.status !== 0) {
	process.stderr.write("compile failed: rbxtsc -p examples/tsconfig.json\n");
	process.exit(1);
}

const backendFile = process.argv[2] ?? ".demo/backend.json";
const { runScript } = await createHost({
	project: path.join(repoRoot, "examples/default.project.json"),
	// The scenario prints the timeline (with every server's lines) from the host; servers' own echoes are dropped.
	onOutput: (kind, serverId, text) => {
		if (serverId > 1) return;
		(kind === "error" ? process.stderr : process.stdout).write(`${text}\n`);
	},
});
const result = String(await runScript("examples/demo", backendFile));
process.stdout.write(`${result}\n`);
const ok = !result.startsWith("error:") && result.includes("data lost: 0") && result.includes("duplicated: 0");
process.exit(ok ? 0 : 1);
