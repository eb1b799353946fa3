// `npm run demo [-- --reset] [-- --timeline <file.svg>] [-- --backend <file.json>]`: compiles the example place and
// runs its demo on the headless runtime: 3 servers running the example game, scripted players joining, playing,
// buying, gifting, hopping servers, one server crash, shutdown. Virtual time: about 35 minutes of a live game in
// well under a minute of wall time.
// The DataStore backend is kept in .demo/backend.json, so a second run continues from the first; --reset deletes it.
// The timeline picture is written to .demo/timeline.svg (or --timeline), viewable in any browser.
// Exits non-zero when the scenario fails or reports lost or duplicated data.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createHost, repoRoot } from "../runtime/runner/Host.mjs";

const args = process.argv.slice(2);
function option(name, fallback) {
	const index = args.indexOf(name);
	return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
}
const backendFile = option("--backend", ".demo/backend.json");
const timelineFile = option("--timeline", ".demo/timeline.svg");
const started = performance.now();
const say = text => process.stdout.write(`[demo ${((performance.now() - started) / 1000).toFixed(1)}s] ${text}\n`);

if (args.includes("--reset")) {
	fs.rmSync(path.resolve(repoRoot, backendFile), { force: true });
	say(`--reset: deleted ${backendFile}; this run starts from an empty DataStore`);
} else if (fs.existsSync(path.resolve(repoRoot, backendFile))) {
	say(`continuing from the DataStore saved by the last run in ${backendFile} (npm run demo -- --reset starts fresh)`);
}

say("compiling the example game with roblox-ts (about 10 s the first time)…");
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
say("starting the headless Roblox runtime: 3 game servers sharing one emulated DataStore, on a virtual clock");
say("times below are virtual seconds since the universe started; [S1] [S2] [S3] tag what each server printed");

const { runScript } = await createHost({
	project: path.join(repoRoot, "examples/default.project.json"),
	// The scenario prints the timeline (with every server's lines) from the host; servers' own echoes are dropped.
	onOutput: (kind, serverId, text) => {
		if (serverId > 1) return;
		(kind === "error" ? process.stderr : process.stdout).write(`${text}\n`);
	},
});
const result = String(await runScript("examples/demo", `${backendFile}\t${timelineFile}`));
process.stdout.write(`${result}\n`);
say(`done. Timeline picture: ${timelineFile} (open it in a browser). DataStore kept in ${backendFile}.`);
const ok = !result.startsWith("error:") && result.includes("data lost: 0") && result.includes("duplicated: 0");
process.exit(ok ? 0 : 1);
