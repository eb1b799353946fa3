// `npm test [-- <pattern>]`: compile the package and the specs, then run every spec through TestEZ on the
// headless runtime (run.mjs). Options: --no-build, --verbose, --project <file>, --roots <a,b>.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./Host.mjs";
import { finish, parseArgs, runSpecs } from "./run.mjs";

const { values, flags, pattern } = parseArgs(process.argv.slice(2));

if (!flags.has("--no-build")) {
	for (const config of ["tsconfig.json", "tsconfig.test.json"]) {
		const result = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/roblox-ts/out/CLI/cli.js"), "-p", config], {
			cwd: repoRoot,
			stdio: "inherit",
		});
		if (result.status !== 0) {
			process.stderr.write(`compile failed: rbxtsc -p ${config}\n`);
			finish(0, 1, 0, 1);
		}
	}
}

const project = values["--project"];
runSpecs({
	project,
	roots: values["--roots"],
	pattern,
	verbose: flags.has("--verbose") || process.env.SL_VERBOSE === "1",
	// The repository's own specs come from tsconfig.test.json; the example place from examples/tsconfig.json.
	tsconfig: path.join(repoRoot, project && project.includes("examples") ? "examples/tsconfig.json" : "tsconfig.test.json"),
});
