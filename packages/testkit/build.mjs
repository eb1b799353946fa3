// `npm pack` / `npm publish` run this first: it copies the headless runtime, the kit and the TestEZ runner script
// from the repository into this package, so the package ships the very files the repository tests with.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");

const copies = [
	["runtime/engine", "runtime/engine", name => name.endsWith(".luau")],
	["runtime/services", "runtime/services", name => name.endsWith(".luau")],
	["runtime/kit", "runtime/kit", name => name.endsWith(".luau")],
	// The runner's Node side, without the repository's own CLI, self-test and fixtures.
	["runtime/runner", "runtime/runner", name => name.endsWith(".mjs") && !["cli.mjs", "selftest.mjs"].includes(name)],
	["test/kit", "kit", name => name === "init.luau" || name === "index.d.ts"],
	["test", "runner", name => name === "RunTests.server.luau"],
];

for (const dir of ["kit", "runner", "runtime"]) fs.rmSync(path.join(here, dir), { recursive: true, force: true });

function copyTree(from, to, keep) {
	for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
		const source = path.join(from, entry.name);
		if (entry.isDirectory()) {
			if (entry.name !== "fixtures") copyTree(source, path.join(to, entry.name), keep);
		} else if (keep(entry.name)) {
			fs.mkdirSync(to, { recursive: true });
			fs.copyFileSync(source, path.join(to, entry.name));
		}
	}
}
for (const [from, to, keep] of copies) copyTree(path.join(repo, from), path.join(here, to), keep);
fs.chmodSync(path.join(here, "runtime/runner/testkit.mjs"), 0o755);
process.stdout.write("testkit: copied runtime/, test/kit and test/RunTests.server.luau into the package\n");
