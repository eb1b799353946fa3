// Runs a place's TestEZ specs on the headless runtime in a worker (so a runaway Luau loop can be killed), prints
// TestEZ's report and, last, `N passed, N failed, N skipped`, and exits non-zero on any failure, load error, hung
// spec or time limit. Shared by this repository's `npm test` (cli.mjs) and the testkit package's CLI (testkit.mjs).
import path from "node:path";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { writeAllSync } from "./writeAllSync.mjs";

/** Splits `--project x --roots a,b --verbose pattern words` into options and the pattern. */
export function parseArgs(args, valueOptions = ["--project", "--roots"]) {
	const values = {};
	const flags = new Set();
	const rest = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (valueOptions.includes(arg)) values[arg] = args[++i];
		else if (arg.startsWith("--")) flags.add(arg);
		else rest.push(arg);
	}
	return { values, flags, pattern: rest.join(" ") };
}

export function finish(passed, failed, skipped, code) {
	// Synchronous and whole: the process exits on the next line.
	writeAllSync(1, `${passed} passed, ${failed} failed, ${skipped} skipped\n`);
	process.exit(code);
}

/**
 * @param {object} options
 * @param {string} [options.project] Rojo project file
 * @param {string} [options.roots] comma-separated full names of the instances to search for `*.spec` modules
 * @param {string} [options.pattern] only spec modules whose full name contains this text
 * @param {boolean} [options.verbose] echo every server's output
 * @param {string} [options.root] directory the kit's file paths are relative to
 * @param {string} [options.runnerScript] runner Script added when the project has none
 * @param {string} [options.tsconfig] tsconfig that compiled the project (failures name .ts files)
 */
export function runSpecs(options) {
	const wallLimitMs = Number(process.env.SL_TEST_WALL_LIMIT_MS ?? 20 * 60 * 1000);
	const perTestVirtualLimit = Number(process.env.SL_TEST_VIRTUAL_LIMIT ?? 6 * 3600);
	const pattern = options.pattern ?? "";
	const worker = new Worker(path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.mjs"), {
		workerData: { ...options, pattern, perTestVirtualLimit, wallLimitMs, verbose: options.verbose === true },
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
}
