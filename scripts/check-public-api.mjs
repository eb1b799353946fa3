// The public API gate: lists every name `out/index.d.ts` exports (following its re-exports) with the public members
// of each class and interface, and compares the list with the approved one in api/public-api.txt. A new public name
// then has to be a deliberate change to that file, reviewed like code. It also type-checks the emitted .d.ts files,
// so a member stripped by `@internal` that a public type still needs is caught here, not in a user's game.
//
//   node scripts/check-public-api.mjs            compare (exit 1 on any difference)
//   node scripts/check-public-api.mjs --update   rewrite api/public-api.txt from out/ (then review the diff)
//
// Run after `npm run build` (or `npm test`, which builds out/).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(repoRoot, "out", "index.d.ts");
const approvedPath = path.join(repoRoot, "api", "public-api.txt");
const update = process.argv.includes("--update");

if (!fs.existsSync(entry)) {
	console.error(`public API: ${path.relative(repoRoot, entry)} is missing; run \`npm run build\` first`);
	process.exit(1);
}

const program = ts.createProgram([entry], {
	noLib: true,
	strict: true,
	noEmit: true,
	skipLibCheck: false,
	allowSyntheticDefaultImports: true,
	moduleResolution: ts.ModuleResolutionKind.Node10,
	typeRoots: [path.join(repoRoot, "node_modules", "@rbxts")],
	types: ["types", "compiler-types"],
});
const checker = program.getTypeChecker();

// Only the emitted declarations are ours to check; the @rbxts typings have their own known diagnostics.
const outDir = path.join(repoRoot, "out") + path.sep;
const problems = ts
	.getPreEmitDiagnostics(program)
	.filter(d => d.file !== undefined && path.resolve(d.file.fileName).startsWith(outDir))
	.map(d => {
		const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
		const where = `${path.relative(repoRoot, d.file.fileName)}:${line + 1}`;
		return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
	});
if (problems.length > 0) {
	console.error("public API: the emitted declarations do not type-check:\n" + problems.join("\n"));
	process.exit(1);
}

function kindOf(symbol) {
	const f = symbol.flags;
	if (f & ts.SymbolFlags.Class) return "class";
	if (f & ts.SymbolFlags.Interface) return "interface";
	if (f & ts.SymbolFlags.TypeAlias) return "type";
	if (f & ts.SymbolFlags.Enum) return "enum";
	if (f & ts.SymbolFlags.Function) return "function";
	if (f & ts.SymbolFlags.Variable) return "const";
	if (f & ts.SymbolFlags.Namespace) return "namespace";
	return "other";
}

function isPrivateDeclaration(d) {
	const flags = ts.getCombinedModifierFlags(d);
	const hidden = (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;
	return hidden || (d.name !== undefined && ts.isPrivateIdentifier(d.name));
}

function isPrivate(member) {
	return (member.declarations ?? []).some(isPrivateDeclaration);
}

function membersOf(symbol, kind) {
	const names = [];
	const declared = checker.getDeclaredTypeOfSymbol(symbol);
	for (const member of checker.getPropertiesOfType(declared)) {
		if (!isPrivate(member)) names.push(member.getName());
	}
	if (kind === "class") {
		const decl = symbol.declarations.find(ts.isClassDeclaration);
		const ctor = decl?.members.find(ts.isConstructorDeclaration);
		// A class without a visible constructor can be built by anyone with `new`: list which one it has.
		if (ctor === undefined) names.push("constructor (implicit, no arguments)");
		else if (!isPrivateDeclaration(ctor)) names.push("constructor");
		const staticSide = checker.getTypeOfSymbol(symbol);
		for (const member of checker.getPropertiesOfType(staticSide)) {
			if (member.getName() !== "prototype" && !isPrivate(member)) names.push(`static ${member.getName()}`);
		}
	}
	return names.sort();
}

const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry));
const lines = [];
for (const exported of checker.getExportsOfModule(moduleSymbol)) {
	const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
	const kind = kindOf(symbol);
	lines.push(`${exported.getName()}: ${kind}`);
	if (kind === "class" || kind === "interface") {
		for (const member of membersOf(symbol, kind)) lines.push(`${exported.getName()}.${member}`);
	}
}
// Grouped by exported name, its own line ("Name: kind") first, then its members.
const sortKey = line => line.replace(/^([^:.]+): /, "$1\u0000");
lines.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));

const header = [
	"# The approved public API of @rbxts/session-locker: every name out/index.d.ts exports, with the public members",
	"# of its classes and interfaces. Checked by scripts/check-public-api.mjs (npm run test:api, run in CI).",
	"# A change here is a change to the public API: make it deliberately, with `npm run test:api -- --update`.",
	"",
];
const actual = header.join("\n") + lines.join("\n") + "\n";

if (update) {
	fs.mkdirSync(path.dirname(approvedPath), { recursive: true });
	fs.writeFileSync(approvedPath, actual);
	console.log(`public API: wrote ${lines.length} lines to ${path.relative(repoRoot, approvedPath)}`);
	process.exit(0);
}

const approved = fs.existsSync(approvedPath) ? fs.readFileSync(approvedPath, "utf8") : "";
const approvedLines = new Set(approved.split("\n").filter(l => l !== "" && !l.startsWith("#")));
const actualLines = new Set(lines);
const added = lines.filter(l => !approvedLines.has(l));
const removed = [...approvedLines].filter(l => !actualLines.has(l));
if (added.length > 0 || removed.length > 0) {
	console.error("public API: out/index.d.ts differs from api/public-api.txt");
	for (const l of added) console.error(`  + ${l}   (new public name: approve it with --update, or make it internal)`);
	for (const l of removed)
		console.error(`  - ${l}   (no longer public: a breaking change; approve it with --update)`);
	process.exit(1);
}
console.log(`public API: ${lines.length} names and members match api/public-api.txt`);
