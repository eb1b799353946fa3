// `npm test [-- <pattern>]`: compile the package and the specs, then run every spec through TestEZ on the
// headless runtime. Prints TestEZ's report and, last, `N passed, N failed, N skipped`; exits non-zero on any
// failure, load error, hung spec or time limit. The run happens in a worker so a runaway Luau loop can be killed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { repoRoot } from "./Host.mjs";

const args = process.argv.slice(2);
const noBuild = args.includes("--no-build");
const verbose = args.includes("--verbose") || process.env.SL_VERBOSE === "1";
function option(name) {
	const index = args.indexOf(name);
	return index >= 0 ? { value: args[index + 1], index: index + 1 } : undefined;
}
const projectOption = option("--project");
const rootsOption = option("--roots");
const optionValueIndexes = new Set([projectOption?.index, rootsOption?.index]);
const project = projectOption?.value;
const roots = rootsOption?.value;
const pattern = args.filter((a, i) => !a.startsWith("--") && !optionValueIndexes.has(i)).join(" ");
const wallLimitMs = Number(process.env.SL_TEST_WALL_LIMIT_MS ?? 20 * 60 * 1000);
const perTestVirtualLimit = Number(process.env.SL_TEST_VIRTUAL_LIMIT ?? 6 * 3600);

function finish(passed, failed, skipped, code) {
	process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
	process.exit(code);
}

if (!noBuild) {
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

const worker = new Worker(path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.mjs"), {
	workerData: { pattern, perTestVirtualLimit, wallLimitMs, verbose, project, roots },
	stdout: false,
	stderr: false,
});
const hardLimit = setTimeout(() => {
	process.stderr.write(`wall-time limit of ${wallLimitMs} ms exceeded (the Luau VM stopped answering)\n`);
	worker.terminate();
	finish(0, 1, 0, 1);
}, wallLimitMs + 30_000);

worker.on("message", message => {
	clearTimeout(hardLimit);
	const { result } = message;
	if (result.startsWith("abort ")) {
		process.stderr.write(`test run aborted: ${result.slice(6)}\n`);
		finish(0, 1, 0, 1);
	}
	const [passed, failed, skipped, loadErrors] = result.split(" ").map(Number);
	if (loadErrors > 0) process.stderr.write(`${loadErrors} spec module(s) failed to load\n`);
	const total = passed + failed + skipped;
	if (total === 0 && loadErrors === 0) process.stderr.write(`no spec matched${pattern ? ` "${pattern}"` : ""}\n`);
	const bad = failed > 0 || loadErrors > 0 || total === 0;
	finish(passed, failed + loadErrors, skipped, bad ? 1 : 0);
});
worker.on("error", error => {
	clearTimeout(hardLimit);
	process.stderr.write(`runtime error: ${error?.stack ?? error}\n`);
	finish(0, 1, 0, 1);
});
