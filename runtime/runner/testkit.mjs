#!/usr/bin/env node
// The testkit package's CLI, run from a roblox-ts game's folder:
//   npx session-locker-testkit test [--project default.project.json] [--roots A.B,C] [--no-build] [--verbose] [pattern]
// It compiles the game with its own rbxtsc, builds the place from the Rojo project, adds the TestEZ runner Script
// to the emulated place (the game's project does not need one), and runs every `*.spec` module under the roots.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { finish, parseArgs, runSpecs } from "./run.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const usage = `usage: session-locker-testkit test [--project default.project.json] [--roots A.B,C] [--no-build] [--verbose] [pattern]

  --project  Rojo project file of the place (default: default.project.json)
  --roots    comma-separated full names of the instances searched for *.spec modules
             (default: every folder the project syncs from your own files, outside node_modules)
  --no-build do not run rbxtsc first
  --verbose  echo every server's output, not only the host's
  pattern    only spec modules whose full name contains this text
`;

const [command, ...rest] = process.argv.slice(2);
if (command !== "test") {
	process.stdout.write(usage);
	process.exit(command === undefined || command === "help" || command === "--help" ? 0 : 2);
}
const { values, flags, pattern } = parseArgs(rest);
const root = process.cwd();
const project = path.resolve(root, values["--project"] ?? "default.project.json");
if (!fs.existsSync(project)) {
	process.stderr.write(`no Rojo project at ${project} (use --project)\n`);
	finish(0, 1, 0, 1);
}
const tsconfig = path.join(root, "tsconfig.json");

if (!flags.has("--no-build")) {
	const compiler = path.join(root, "node_modules/roblox-ts/out/CLI/cli.js");
	if (!fs.existsSync(compiler)) {
		process.stderr.write("roblox-ts is not installed in this folder (npm i -D roblox-ts), or pass --no-build\n");
		finish(0, 1, 0, 1);
	}
	const result = spawnSync(process.execPath, [compiler], { cwd: root, stdio: "inherit" });
	if (result.status !== 0) {
		process.stderr.write("compile failed: rbxtsc\n");
		finish(0, 1, 0, 1);
	}
}

// Default roots: each instance the project maps to one of the game's own folders, skipping packages.
function defaultRoots(projectFile) {
	const roots = [];
	const walk = (tree, fullName) => {
		for (const [name, child] of Object.entries(tree)) {
			if (name.startsWith("$") || typeof child !== "object") continue;
			const childName = fullName ? `${fullName}.${name}` : name;
			if (name === "rbxts_include" || name === "node_modules") continue;
			if (typeof child.$path === "string" && !child.$path.includes("node_modules")) roots.push(childName);
			else walk(child, childName);
		}
	};
	walk(JSON.parse(fs.readFileSync(projectFile, "utf8")).tree ?? {}, "");
	return roots.filter(name => !/^(StarterPlayer|StarterGui|StarterPack|ReplicatedFirst)\b/.test(name)).join(",");
}

// In the package the runner sits next to runtime/; in this repository it is test/RunTests.server.luau.
const packaged = path.join(here, "../../runner/RunTests.server.luau");
const runnerScript = fs.existsSync(packaged) ? packaged : path.join(here, "../../test/RunTests.server.luau");

runSpecs({
	project,
	roots: values["--roots"] ?? defaultRoots(project),
	pattern,
	verbose: flags.has("--verbose") || process.env.SL_VERBOSE === "1",
	root,
	runnerScript,
	tsconfig,
});
