// Checks that docs/lifecycle.md shows the locker's lifecycle as the code has it: the "Moves" table lists exactly
// the rows of LOCKER_TRANSITIONS (src/locker/transition.ts), in the same order, and the Mermaid diagram draws an
// arrow for each (from, to) pair of the table and no other. src/locker/lifecycle.spec.ts checks the code's side.
//
//   node scripts/check-lifecycle-doc.mjs      exit 1 on any difference
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const code = fs.readFileSync(path.join(repoRoot, "src/locker/transition.ts"), "utf8");
const doc = fs.readFileSync(path.join(repoRoot, "docs/lifecycle.md"), "utf8");

const tableStart = code.indexOf("LOCKER_TRANSITIONS");
const tableEnd = code.indexOf("];", tableStart);
const codeRows = [...code.slice(tableStart, tableEnd).matchAll(/move\("([\w-]+)", "(\w+)", "([\w-]+)"\)/g)].map(
	m => `${m[1]} | ${m[2]} | ${m[3]}`,
);

const moves = doc.slice(doc.indexOf("## Moves"));
const docRows = [];
for (const line of moves.split("\n")) {
	const m = line.match(/^\|\s*`([\w-]+)`\s*\|\s*`(\w+)`\s*\|\s*`([\w-]+)`\s*\|/);
	if (m) docRows.push(`${m[1]} | ${m[2]} | ${m[3]}`);
}

const problems = [];
if (codeRows.length === 0) problems.push("no move(...) rows found in LOCKER_TRANSITIONS");
const width = Math.max(codeRows.length, docRows.length);
for (let i = 0; i < width; i++) {
	if (codeRows[i] !== docRows[i]) {
		problems.push(
			`row ${i + 1}: code has "${codeRows[i] ?? "(nothing)"}", docs/lifecycle.md has "${docRows[i] ?? "(nothing)"}"`,
		);
	}
}

const mermaid = doc.match(/```mermaid\n([\s\S]*?)```/);
if (!mermaid) {
	problems.push("docs/lifecycle.md has no mermaid block");
} else {
	const alias = name => name.replace(/_/g, "-");
	const drawn = new Set();
	for (const m of mermaid[1].matchAll(/^\s*([\w]+) --> ([\w]+)/gm)) {
		if (m[1] !== "[*]" && m[2] !== "[*]") drawn.add(`${alias(m[1])} -> ${alias(m[2])}`);
	}
	const listed = new Set(codeRows.map(row => row.split(" | ")).map(([from, , to]) => `${from} -> ${to}`));
	for (const pair of listed) if (!drawn.has(pair)) problems.push(`the diagram lacks ${pair}`);
	for (const pair of drawn) if (!listed.has(pair)) problems.push(`the diagram draws ${pair}, which no row lists`);
}

if (problems.length > 0) {
	console.error("lifecycle doc: docs/lifecycle.md and LOCKER_TRANSITIONS differ:");
	for (const problem of problems) console.error(`  ${problem}`);
	process.exit(1);
}
console.log(`lifecycle doc: ${codeRows.length} moves match`);
