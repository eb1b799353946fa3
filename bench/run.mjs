// `npm run bench [-- name]`: runs every bench/*.bench.mjs, prints its figures and writes bench/results/latest.json.
// Benchmarks report figures and ratios; they never fail the build.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2).join(" ");
const files = fs
	.readdirSync(here)
	.filter(f => f.endsWith(".bench.mjs"))
	.filter(f => !filter || f.includes(filter))
	.sort((a, b) => (a === "suite.bench.mjs" ? 1 : b === "suite.bench.mjs" ? -1 : a.localeCompare(b)));

const results = {};
for (const file of files) {
	const bench = await import(pathToFileURL(path.join(here, file)).href);
	const started = performance.now();
	let rows;
	try {
		rows = await bench.default();
	} catch (error) {
		rows = [{ metric: "error", value: String(error?.message ?? error) }];
	}
	const title = bench.name ?? file;
	process.stdout.write(`\n## ${title} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
	for (const row of rows) process.stdout.write(`  ${row.metric}: ${row.value}\n`);
	results[title] = rows;
}
fs.mkdirSync(path.join(here, "results"), { recursive: true });
fs.writeFileSync(path.join(here, "results", "latest.json"), JSON.stringify(results, null, "\t"));
