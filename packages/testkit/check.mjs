// CI check of docs/testing-your-game.md: in a temporary copy of the create-roblox-ts game template (template-game/),
// install the library and this testkit from local tarballs (`npm pack`) and TestEZ pinned as the guide says, write
// the files the guide shows (each ```ts block whose first line is `// <path>`), run `npx session-locker-testkit test`
// and require the guide's spec to pass. Then a deliberately failing spec must fail and name its .ts file.
// Usage: node packages/testkit/check.mjs [--keep]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const keep = process.argv.includes("--keep");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "testkit-check-"));
const game = path.join(work, "game");

function fail(message) {
	process.stderr.write(`testkit check FAILED: ${message}\n(work folder: ${work})\n`);
	process.exit(1);
}

function run(command, args, cwd, options = {}) {
	process.stdout.write(`$ ${[command, ...args].join(" ")}\n`);
	const result = spawnSync(command, args, { cwd, encoding: "utf8", ...options });
	if (options.expectFailure !== true && result.status !== 0) {
		fail(`${command} ${args.join(" ")} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
	}
	return result;
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const quiet = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

// The guide's instructions this check follows.
const guide = fs.readFileSync(path.join(repo, "docs/testing-your-game.md"), "utf8");
for (const needed of ["npm i @rbxts/session-locker @rbxts/services", "@rbxts/testez@0.4.2-ts.0", "npx session-locker-testkit test"]) {
	if (!guide.includes(needed)) fail(`docs/testing-your-game.md no longer says "${needed}"; update this check with it`);
}
const files = [...guide.matchAll(/```ts\n\/\/ (\S+)\n([\s\S]*?)```/g)].map(m => ({ path: m[1], text: m[2] }));
if (!files.some(f => f.path.endsWith(".spec.ts"))) fail("the guide shows no spec file");

// 1. Tarballs: the library (built if needed) and the testkit (its prepack copies the runtime in).
if (!fs.existsSync(path.join(repo, "out/init.luau"))) run(npm, ["run", "build", "--silent"], repo);
const packOut = run(npm, ["pack", "--silent", "--pack-destination", work], repo).stdout.trim().split("\n").pop();
const kitOut = run(npm, ["pack", "--silent", "--pack-destination", work], here).stdout.trim().split("\n").pop();
const libraryTarball = path.join(work, packOut);
const kitTarball = path.join(work, kitOut);

// The testkit tarball holds what a game needs and nothing of this repository's own test setup.
const listed = run("tar", ["-tzf", kitTarball], work).stdout.split("\n").filter(Boolean);
for (const unwanted of ["fixtures", "selftest.mjs", "runner/cli.mjs", "template-game", "check.mjs", "build.mjs"]) {
	if (listed.some(name => name.includes(unwanted))) fail(`the testkit tarball contains ${unwanted}`);
}
for (const needed of ["package/kit/index.d.ts", "package/runner/RunTests.server.luau", "package/runtime/engine/Boot.luau"]) {
	if (!listed.includes(needed)) fail(`the testkit tarball lacks ${needed}`);
}

// 2. A fresh game from the template, set up as the guide says.
fs.cpSync(path.join(here, "template-game"), game, { recursive: true, filter: source => !source.endsWith("README.md") });
run(npm, ["install", ...quiet], game);
run(npm, ["install", ...quiet, libraryTarball, "@rbxts/services"], game);
run(npm, ["install", ...quiet, "-D", "@rbxts/testez@0.4.2-ts.0", kitTarball], game);
for (const file of files) {
	fs.mkdirSync(path.dirname(path.join(game, file.path)), { recursive: true });
	fs.writeFileSync(path.join(game, file.path), `// ${file.path}\n${file.text}`);
}

// 3. The guide's spec passes.
const passing = run(npx, ["session-locker-testkit", "test"], game, { expectFailure: true });
const passLine = passing.stdout.trimEnd().split("\n").pop();
process.stdout.write(`${passing.stdout}${passing.stderr}`);
if (passing.status !== 0 || !/^[1-9]\d* passed, 0 failed, 0 skipped$/.test(passLine)) {
	fail(`the guide's spec did not pass (exit ${passing.status}, last line "${passLine}")`);
}

const picture = path.join(game, "hop-and-crash.svg");
if (!fs.existsSync(picture) || !fs.readFileSync(picture, "utf8").startsWith("<svg")) {
	fail("the guide's spec did not write hop-and-crash.svg");
}

// 4. A failing spec fails the run and names its TypeScript file.
fs.writeFileSync(
	path.join(game, "src/shared/broken.spec.ts"),
	'/// <reference types="@rbxts/testez/globals" />\nexport = () => {\n\tit("fails on purpose", () => {\n\t\texpect(1 + 1).to.equal(3);\n\t});\n};\n',
);
const failing = run(npx, ["session-locker-testkit", "test", "broken"], game, { expectFailure: true });
const failOutput = `${failing.stdout}${failing.stderr}`;
if (failing.status === 0 || !failOutput.includes("[src/shared/broken.spec.ts]")) {
	fail(`a failing spec did not fail, or did not name src/shared/broken.spec.ts:\n${failOutput}`);
}

if (!keep) fs.rmSync(work, { recursive: true, force: true });
process.stdout.write(`testkit check: the guide's spec passes in a fresh template game (${passLine})\n`);
