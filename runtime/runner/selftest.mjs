// The runner's own test: a failing spec, a spec module that cannot load and a spec that never finishes must each
// make `npm test` exit non-zero with the summary line last; a passing run must exit zero. Also: the create-roblox-ts
// template's tree builds (its service nodes) and runs its server Scripts, and the testkit CLI adds a runner itself.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const cases = [
	{ name: "passing", code: 0, summary: "1 passed, 0 failed, 0 skipped" },
	{ name: "failing", code: 1, summary: "1 passed, 1 failed, 0 skipped" },
	{ name: "load-error", code: 1, summary: "1 passed, 1 failed, 0 skipped" },
	{ name: "template", code: 0, summary: "3 passed, 0 failed, 0 skipped" },
	// The testkit package's CLI: the project has no runner Script, so one is added to the emulated place only.
	{ name: "no-runner", code: 0, summary: "1 passed, 0 failed, 0 skipped", testkit: true },
	{ name: "hung", code: 1, summary: "0 passed, 1 failed, 0 skipped", stderr: "did not finish within 60 virtual seconds" },
];

let failures = 0;
for (const c of cases) {
	const project = path.join(here, "fixtures", `${c.name}.project.json`);
	const args = c.testkit
		? [path.join(here, "testkit.mjs"), "test", "--no-build", "--project", project]
		: [path.join(here, "cli.mjs"), "--no-build", "--project", project];
	const result = spawnSync(process.execPath, args, {
		encoding: "utf8",
		env: { ...process.env, SL_TEST_VIRTUAL_LIMIT: "60" },
	});
	const lines = result.stdout.trimEnd().split("\n");
	const last = lines[lines.length - 1];
	const problems = [];
	if (result.status !== c.code) problems.push(`exit code ${result.status}, expected ${c.code}`);
	if (last !== c.summary) problems.push(`last line "${last}", expected "${c.summary}"`);
	if (c.stderr && !result.stderr.includes(c.stderr)) problems.push(`stderr lacks "${c.stderr}"`);
	if (problems.length > 0) {
		failures++;
		process.stdout.write(`runner self-test ${c.name}: FAILED (${problems.join("; ")})\n${result.stdout}${result.stderr}\n`);
	} else {
		process.stdout.write(`runner self-test ${c.name}: ok\n`);
	}
}

// Output through a pipe that Node has made non-blocking (as `npm test | tee` does): a large report must arrive whole,
// or the summary line is glued to a cut-off line (fs.writeSync alone wrote about 400 KB of 1 MB here).
{
	const size = 1_000_000;
	const writer = `process.stdout.write(""); const { writeAllSync } = await import(${JSON.stringify(
		new URL("./writeAllSync.mjs", import.meta.url).href,
	)}); writeAllSync(1, "x".repeat(${size}));`;
	const result = spawnSync(process.execPath, ["--input-type=module", "-e", writer], {
		encoding: "utf8",
		maxBuffer: 4 * size,
	});
	if (result.status !== 0 || result.stdout.length !== size) {
		failures++;
		process.stdout.write(
			`runner self-test whole-output: FAILED (exit ${result.status}, ${result.stdout.length} of ${size} bytes)\n${result.stderr}\n`,
		);
	} else {
		process.stdout.write("runner self-test whole-output: ok\n");
	}
}
if (failures > 0) process.exit(1);
