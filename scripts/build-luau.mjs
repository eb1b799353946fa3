// `npm run build:luau`: the Luau distribution, for games that do not use roblox-ts.
//
// roblox-ts package output (`out/`) starts every module with `local TS = _G[script]` and finds its dependencies
// through `rbxts_include`; both exist only in a roblox-ts game. This script rewrites the compiled modules so that
// every dependency is reached by a relative `require`, vendors what they need (the `@rbxts` packages, and the
// roblox-ts RuntimeLib and Promise if a module still uses a `TS.*` helper), and writes:
//
//   dist/wally/                 the folder `wally publish` uploads: wally.toml, default.project.json, src/, README, LICENSE
//   dist/SessionLocker.rbxmx    the same tree as a Roblox XML model file, to drag into Studio
//
// Usage: node scripts/build-luau.mjs [--no-build]   (without --no-build it runs `rbxtsc -p tsconfig.json` first)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeModel } from "./rbxmx.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const VENDOR = "_Vendor";
export const MODEL_NAME = "SessionLocker";

/** The Wally package name `scope/name` and the Wally index folder name, from package.json. */
export function wallyIdentity(pkg) {
	const repository = typeof pkg.repository === "string" ? pkg.repository : pkg.repository.url;
	const [, owner] = /github\.com\/([^/]+)\//.exec(repository) ?? [];
	if (owner === undefined) throw new Error("package.json repository must be a GitHub URL (it names the Wally scope)");
	const scope = owner.toLowerCase();
	const name = pkg.name.replace(/^@[^/]+\//, "");
	return { fullName: `${scope}/${name}`, name, scope, indexFolder: `${scope}_${name}@${pkg.version}` };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
function child(expression, name) {
	return IDENTIFIER.test(name) ? `${expression}.${name}` : `${expression}[${JSON.stringify(name)}]`;
}

/** Instance path from a module to the package root: `script`, `script.Parent`, ... */
function rootFrom(depth) {
	return "script" + ".Parent".repeat(depth);
}

function listLuau(dir, base = dir) {
	const files = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files.push(...listLuau(full, base));
		else if (/\.luau?$/.test(entry.name) && !/\.spec\.luau?$/.test(entry.name))
			files.push(path.relative(base, full));
	}
	return files;
}

/** Depth of a module's instance below the package root (init files are their folder's instance). */
function instanceDepth(relFile) {
	const parts = relFile.split(path.sep);
	const last = parts[parts.length - 1];
	return /^init\.luau?$/.test(last) ? parts.length - 1 : parts.length;
}

/**
 * Rewrites one compiled module: `TS.import(script, <parent>, "a", "b")` becomes `require(<parent>.a.b)`, and
 * `TS.getModule(script, "@rbxts", "x")` the vendored copy. Returns the new source and whether `TS` is still used.
 */
export function rewriteModule(source, depth, file, vendored) {
	const root = rootFrom(depth);
	const strings = args => [...args.matchAll(/"([^"]*)"/g)].map(m => m[1]);
	let text = source.replace(
		/TS\.import\(script, TS\.getModule\(script, "@rbxts", "([^"]+)"\)((?:, "[^"]*")*)\)/g,
		(_, pkg, rest) => {
			vendored.add(pkg);
			return `require(${strings(rest).reduce(child, child(child(root, VENDOR), pkg))})`;
		},
	);
	text = text.replace(/TS\.import\(script, (script(?:\.Parent)*)((?:, "[^"]*")*)\)/g, (_, parent, rest) => {
		return `require(${strings(rest).reduce(child, parent)})`;
	});
	const header = /^local TS = _G\[script\]\n/m;
	const body = text.replace(header, "");
	const usesTS = /\bTS\./.test(body);
	text = usesTS ? text.replace(header, `local TS = require(${child(child(root, VENDOR), "RuntimeLib")})\n`) : body;
	for (const leftover of ["_G[script]", "rbxts_include", "TS.getModule", "TS.import"]) {
		if (text.includes(leftover)) throw new Error(`${file}: cannot rewrite "${leftover}" into a relative require`);
	}
	return { text, usesTS };
}

/** Builds the package tree in memory: [{ path: "config.luau", source }], relative to the package root. */
export function buildTree(outDir, nodeModules, includeDir) {
	const files = [];
	const vendored = new Set();
	let needsRuntime = false;
	for (const rel of listLuau(outDir)) {
		const source = fs.readFileSync(path.join(outDir, rel), "utf8");
		const { text, usesTS } = rewriteModule(source, instanceDepth(rel), rel, vendored);
		needsRuntime ||= usesTS;
		files.push({ path: rel.split(path.sep).join("/"), source: text });
	}
	if (!files.some(f => /^init\.luau?$/.test(f.path))) throw new Error(`${outDir} has no init.luau`);
	for (const pkg of [...vendored].sort()) {
		const pkgDir = path.join(nodeModules, "@rbxts", pkg);
		const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
		const main = manifest.main ?? "init.lua";
		const mainSource = fs.readFileSync(path.join(pkgDir, main), "utf8");
		// A vendored package that needs roblox-ts itself would bring `_G[script]` back; only plain Luau is vendored.
		if (/_G\[script\]|TS\.import|rbxts_include/.test(mainSource) || main.includes("/")) {
			throw new Error(`@rbxts/${pkg} is not a single plain Luau module; vendoring it needs its own rewrite`);
		}
		files.push({ path: `${VENDOR}/${pkg}.luau`, source: mainSource });
	}
	if (needsRuntime) {
		for (const name of ["RuntimeLib", "Promise"]) {
			files.push({
				path: `${VENDOR}/${name}.luau`,
				source: fs.readFileSync(path.join(includeDir, `${name}.lua`), "utf8"),
			});
		}
	}
	return { files, vendored: [...vendored].sort(), needsRuntime };
}

function wallyToml(pkg, identity) {
	const quote = s => JSON.stringify(s);
	const repository = (typeof pkg.repository === "string" ? pkg.repository : pkg.repository.url)
		.replace(/^git\+/, "")
		.replace(/\.git$/, "");
	return [
		"[package]",
		`name = ${quote(identity.fullName)}`,
		`version = ${quote(pkg.version)}`,
		'registry = "https://github.com/UpliftGames/wally-index"',
		// Shared so it installs into Packages; the library itself refuses to run on a client.
		'realm = "shared"',
		`license = ${quote(pkg.license)}`,
		`authors = [${quote(pkg.author)}]`,
		`description = ${quote(pkg.description)}`,
		`homepage = ${quote(pkg.homepage)}`,
		`repository = ${quote(repository)}`,
		// Explicit, so a .gitignore around the folder (this repository ignores dist/) cannot empty the upload.
		'include = ["/src", "/default.project.json", "/wally.toml", "/README.md", "/LICENSE"]',
		// Everything is vendored inside the package, so it has no Wally dependencies to resolve.
		"",
		"[dependencies]",
		"",
	].join("\n");
}

function wallyReadme(pkg, identity) {
	return `# ${identity.fullName}

${pkg.description}

This is the Luau build of [${pkg.name}](https://www.npmjs.com/package/${pkg.name}), for games that do not use
roblox-ts. It is self-contained: every dependency is vendored under \`${VENDOR}\` and reached by relative \`require\`s.

\`\`\`toml
[dependencies]
SessionLocker = "${identity.fullName}@${pkg.version}"
\`\`\`

\`\`\`lua
local SessionLocker = require(game.ReplicatedStorage.Packages.SessionLocker)
\`\`\`

Documentation: ${pkg.homepage}
`;
}

function writeFiles(dir, files) {
	for (const file of files) {
		const full = path.join(dir, file.path);
		fs.mkdirSync(path.dirname(full), { recursive: true });
		fs.writeFileSync(full, file.source);
	}
}

export function buildLuau({ root = repoRoot, compile = true } = {}) {
	if (compile) {
		const result = spawnSync(
			process.execPath,
			[path.join(root, "node_modules/roblox-ts/out/CLI/cli.js"), "-p", "tsconfig.json"],
			{
				cwd: root,
				stdio: "inherit",
			},
		);
		if (result.status !== 0) throw new Error("compile failed: rbxtsc -p tsconfig.json");
	}
	const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
	const identity = wallyIdentity(pkg);
	const tree = buildTree(
		path.join(root, "out"),
		path.join(root, "node_modules"),
		path.join(root, "node_modules/roblox-ts/include"),
	);
	const dist = path.join(root, "dist");
	fs.rmSync(dist, { recursive: true, force: true });
	const wallyDir = path.join(dist, "wally");
	writeFiles(path.join(wallyDir, "src"), tree.files);
	fs.writeFileSync(path.join(wallyDir, "wally.toml"), wallyToml(pkg, identity));
	fs.writeFileSync(
		path.join(wallyDir, "default.project.json"),
		JSON.stringify({ name: identity.name, tree: { $path: "src" } }, undefined, "\t") + "\n",
	);
	fs.copyFileSync(path.join(root, "LICENSE"), path.join(wallyDir, "LICENSE"));
	fs.writeFileSync(path.join(wallyDir, "README.md"), wallyReadme(pkg, identity));
	const modelFile = path.join(dist, `${MODEL_NAME}.rbxmx`);
	fs.writeFileSync(modelFile, writeModel(MODEL_NAME, tree.files));
	return { dist, wallyDir, modelFile, identity, ...tree };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		const result = buildLuau({ compile: !process.argv.includes("--no-build") });
		const rel = p => path.relative(process.cwd(), p) || ".";
		process.stdout.write(
			`Luau package ${result.identity.fullName}: ${result.files.length} modules ` +
				`(vendored: ${[...result.vendored.map(p => `@rbxts/${p}`), ...(result.needsRuntime ? ["RuntimeLib", "Promise"] : [])].join(", ")})\n` +
				`  Wally package: ${rel(result.wallyDir)}\n  model file:    ${rel(result.modelFile)}\n`,
		);
	} catch (error) {
		process.stderr.write(`build:luau failed: ${error.message}\n`);
		process.exit(1);
	}
}
