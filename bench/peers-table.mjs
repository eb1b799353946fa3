// Renders bench/results/peers.json (written by `npm run bench -- peers`) as a Markdown table between the markers
// <!-- peers:begin --> and <!-- peers:end --> in README.md and docs/benchmarks.md. Never hand-edit that table.
// Usage: node bench/peers-table.mjs
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format, LIBRARY_NAMES } from "./peers.bench.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const report = JSON.parse(fs.readFileSync(path.join(root, "bench/results/peers.json"), "utf8"));
const libraries = Object.keys(LIBRARY_NAMES);

const lines = [
	`| figure | ${libraries.map(l => `${LIBRARY_NAMES[l]} ${report.versions[LIBRARY_NAMES[l]]}`).join(" | ")} | ratio to ProfileStore |`,
	`|---|${libraries.map(() => "---:").join("|")}|---:|`,
];
for (const row of report.rows) {
	const cells = libraries.map(l => format(row[l]));
	lines.push(`| ${row.metric.trim()} | ${cells.join(" | ")} | ${row.ratio === undefined ? "" : `${row.ratio}×`} |`);
}
lines.push(
	"",
	`Measured by \`npm run bench -- peers\` on ${report.generated.slice(0, 10)}: ${report.setup}. "never" means not ` +
		"within the scenario's time limit. CPU is the real CPU of the emulator's VM minus a run of the same servers " +
		"and players without a data library and with nothing on Heartbeat (a library's own per-frame handler counts " +
		"against it); on a shared machine it varies by up to a third between runs, so read CPU " +
		"ratios near 1 as a tie. Emulator shims the peers needed: " +
		`${report.shims.length > 0 ? report.shims.join("; ") : "none"}.`,
);
const table = lines.join("\n");

for (const file of ["README.md", "docs/benchmarks.md"]) {
	const full = path.join(root, file);
	if (!fs.existsSync(full)) continue;
	const text = fs.readFileSync(full, "utf8");
	const begin = text.indexOf("<!-- peers:begin -->");
	const end = text.indexOf("<!-- peers:end -->");
	if (begin < 0 || end < begin) {
		process.stdout.write(`${file}: no <!-- peers:begin --> / <!-- peers:end --> markers, skipped\n`);
		continue;
	}
	const updated = `${text.slice(0, begin)}<!-- peers:begin -->\n${table}\n${text.slice(end)}`;
	fs.writeFileSync(full, updated);
	process.stdout.write(`${file}: peer table updated\n`);
}
