// `npm run test:packages`: what users install, run as users run it (CI runs this after `npm test`).
//
//   luau-wally   a Luau-only place with the Wally package installed as `wally install` lays it out
//                (Packages/_Index/<scope>_<name>@<version>/<name> plus the Packages/SessionLocker link module)
//   luau-model   a Luau-only place with the model file dist/SessionLocker.rbxmx read back and inserted
//   ts-tarball   a fresh roblox-ts game (the create-roblox-ts template's layout) that installs the `npm pack`
//                tarball next to @rbxts/services 1.5.5, compiled with the game's own rbxtsc
//
//   luau-runtime-helpers   a compiled fixture that uses RuntimeLib helpers (TS.try, TS.Promise), built the same way
//                and required in a Luau-only place: the vendored RuntimeLib and Promise work by relative requires
//                (the library needs no helper today; this keeps the build ready for the day a module does)
//
// The three quick-start places run the README's quick start, copied from README.md as written, as their server
// Script on two servers sharing one DataStore backend (scripts/quickstart-two-servers.luau). The Luau places have no
// rbxts_include and no roblox-ts runtime: a module that still needed them would fail to load.
//
// Usage: node scripts/check-packages.mjs [--no-build] [luau-wally] [luau-model] [luau-runtime-helpers] [ts-tarball]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { buildLuau, buildTree, MODEL_NAME } from "./build-luau.mjs";
import { readModel, treeToFiles, writeModel } from "./rbxmx.mjs";

const require = createRequire(import.meta.url);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const noBuild = args.includes("--no-build");
const selected = args.filter(a => !a.startsWith("--"));
const wanted = name => selected.length === 0 || selected.includes(name);
const work = path.join(repoRoot, "dist", ".check");
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

/** The first fenced block of `lang` in the README section whose heading is `heading`. */
export function readmeBlock(heading, lang) {
	const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
	const start = readme.indexOf(`\n## ${heading}\n`);
	if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
	const end = readme.indexOf("\n## ", start + 1);
	const section = readme.slice(start, end < 0 ? undefined : end);
	const match = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(section);
	if (!match) throw new Error(`README.md "## ${heading}" has no \`\`\`${lang} block`);
	return match[1];
}

function writeFile(file, text) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, text);
}

function writeJson(file, value) {
	writeFile(file, JSON.stringify(value, undefined, "\t") + "\n");
}

function run(command, commandArgs, cwd, label) {
	const result = spawnSync(command, commandArgs, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
	if (result.status !== 0) {
		throw new Error(`${label} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
	}
	return result.stdout;
}

function runPlace(name, project, script) {
	const started = performance.now();
	const placeArgs = script === undefined ? [project] : [project, script];
	const result = spawnSync(process.execPath, [path.join(repoRoot, "scripts/run-place.mjs"), ...placeArgs], {
		cwd: repoRoot,
		stdio: ["ignore", "pipe", "pipe"],
		encoding: "utf8",
	});
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	const lines = `${result.stdout}${result.stderr}`.trim();
	if (result.status !== 0) throw new Error(`${name} failed (${seconds} s):\n${lines}`);
	return `${result.stdout.trim()} (${seconds} s)`;
}

// A place holding only what a Luau game has: the package under ReplicatedStorage.Packages and the quick start.
function luauPlace(dir, packagesTree) {
	writeFile(path.join(dir, "QuickStart.server.luau"), readmeBlock("Quick start (Luau)", "lua"));
	const project = path.join(dir, "default.project.json");
	writeJson(project, {
		name: "luau-quick-start",
		tree: {
			$className: "DataModel",
			ReplicatedStorage: { $className: "ReplicatedStorage", Packages: packagesTree },
			ServerScriptService: { $className: "ServerScriptService", QuickStart: { $path: "QuickStart.server.luau" } },
		},
	});
	return project;
}

function checkLuauWally(build) {
	const dir = path.join(work, "luau-wally");
	const packages = path.join(dir, "Packages");
	const { indexFolder, name } = build.identity;
	// `wally install` unpacks the published folder into _Index and writes a link module named after the alias.
	fs.cpSync(build.wallyDir, path.join(packages, "_Index", indexFolder, name), { recursive: true });
	writeFile(
		path.join(packages, `${MODEL_NAME}.lua`),
		`return require(script.Parent._Index[${JSON.stringify(indexFolder)}][${JSON.stringify(name)}])\n`,
	);
	return runPlace("luau-wally", luauPlace(dir, { $path: "Packages" }));
}

function checkLuauModel(build) {
	const dir = path.join(work, "luau-model");
	const model = readModel(fs.readFileSync(build.modelFile, "utf8"));
	if (model.name !== MODEL_NAME || model.className !== "ModuleScript") {
		throw new Error(
			`luau-model: the model's root is ${model.className} ${model.name}, expected ModuleScript ${MODEL_NAME}`,
		);
	}
	const files = treeToFiles(model);
	const byPath = list => new Map(list.map(f => [f.path, f.source]));
	const fromModel = byPath(files);
	const fromWally = byPath(build.files);
	for (const [file, source] of fromWally) {
		if (fromModel.get(file) !== source)
			throw new Error(`luau-model: ${file} differs between the model file and the Wally package`);
	}
	if (fromModel.size !== fromWally.size)
		throw new Error("luau-model: the model file and the Wally package hold different modules");
	for (const file of files) writeFile(path.join(dir, "Packages", MODEL_NAME, file.path), file.source);
	return runPlace(
		"luau-model",
		luauPlace(dir, { $className: "Folder", [MODEL_NAME]: { $path: `Packages/${MODEL_NAME}` } }),
	);
}

function checkTsTarball() {
	const dir = path.join(work, "ts-tarball");
	const packDir = path.join(work, "pack");
	fs.mkdirSync(packDir, { recursive: true });
	const npm = process.platform === "win32" ? "npm.cmd" : "npm";
	const packed = JSON.parse(run(npm, ["pack", "--json", "--pack-destination", packDir], repoRoot, "npm pack"));
	const tarball = path.join(packDir, packed[0].filename);
	const dev = pkg.devDependencies;
	// The create-roblox-ts game template's files, with the README's TypeScript quick start as its server script.
	writeJson(path.join(dir, "package.json"), {
		name: "quick-start-game",
		version: "1.0.0",
		private: true,
		scripts: { build: "rbxtsc" },
		dependencies: {
			// An older copy the game already has: the package's caret range must share it, not nest a second one.
			"@rbxts/services": "1.5.5",
			[pkg.name]: `file:${tarball}`,
		},
		devDependencies: {
			"@rbxts/compiler-types": dev["@rbxts/compiler-types"],
			"@rbxts/types": dev["@rbxts/types"],
			"roblox-ts": dev["roblox-ts"],
			typescript: dev.typescript,
		},
	});
	writeJson(path.join(dir, "tsconfig.json"), {
		compilerOptions: {
			allowSyntheticDefaultImports: true,
			downlevelIteration: true,
			jsx: "react",
			jsxFactory: "React.createElement",
			jsxFragmentFactory: "React.Fragment",
			module: "commonjs",
			moduleResolution: "Node",
			noLib: true,
			resolveJsonModule: true,
			experimentalDecorators: true,
			forceConsistentCasingInFileNames: true,
			moduleDetection: "force",
			strict: true,
			target: "ESNext",
			typeRoots: ["node_modules/@rbxts"],
			rootDir: "src",
			outDir: "out",
			baseUrl: "src",
			incremental: true,
			tsBuildInfoFile: "out/tsconfig.tsbuildinfo",
		},
	});
	writeJson(path.join(dir, "default.project.json"), {
		name: "roblox-ts-game",
		globIgnorePaths: ["**/package.json", "**/tsconfig.json"],
		tree: {
			$className: "DataModel",
			ServerScriptService: { $className: "ServerScriptService", TS: { $path: "out/server" } },
			ReplicatedStorage: {
				$className: "ReplicatedStorage",
				rbxts_include: {
					$path: "include",
					node_modules: { $className: "Folder", "@rbxts": { $path: "node_modules/@rbxts" } },
				},
				TS: { $path: "out/shared" },
			},
		},
	});
	writeFile(
		path.join(dir, "src/shared/module.ts"),
		"export function makeHello(name: string) {\n\treturn `Hello from ${name}!`;\n}\n",
	);
	writeFile(path.join(dir, "src/server/main.server.ts"), readmeBlock("Quick start (TypeScript)", "ts"));
	run(
		npm,
		["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
		dir,
		"npm install (the game)",
	);
	const nested = path.join(dir, "node_modules", pkg.name, "node_modules");
	if (fs.existsSync(nested)) {
		throw new Error(
			`ts-tarball: ${pkg.name} installed its own copies (${fs.readdirSync(path.join(nested, "@rbxts")).join(", ")}) instead of sharing the game's`,
		);
	}
	run(process.execPath, [path.join(dir, "node_modules/roblox-ts/out/CLI/cli.js")], dir, "rbxtsc (the game)");
	// The published typings hide the library's internals: each line below must stay a type error, so tsc fails
	// ("unused @ts-expect-error") the day one of them becomes public again. roblox-ts refuses @ts-expect-error, so
	// this file lives outside src/, is written after the game's build, and only plain tsc checks it.
	writeFile(
		path.join(dir, "typecheck/internals.ts"),
		[
			'import { EasyProfile, EasyStore, PlayerProfiles, PlayerProfilesCreate } from "@rbxts/session-locker";',
			"export function internalsStayHidden(store: EasyStore, player: Player) {",
			"\t// @ts-expect-error private constructor: profiles come from EasyStore.StartSession",
			"\tnew EasyProfile();",
			"\t// @ts-expect-error private constructor: use PlayerProfilesCreate",
			"\tnew PlayerProfiles();",
			"\t// @ts-expect-error private constructor: use EasyStoreCreate",
			"\tnew EasyStore();",
			"\tconst players = PlayerProfilesCreate(store);",
			"\t// @ts-expect-error internal: the library's own PlayerRemoving handler",
			"\tplayers.onLeave(player);",
			"}",
			"",
		].join("\n"),
	);
	writeJson(path.join(dir, "tsconfig.typecheck.json"), {
		extends: "./tsconfig.json",
		compilerOptions: { noEmit: true, rootDir: ".", skipLibCheck: true },
		include: ["typecheck"],
	});
	run(
		process.execPath,
		[require.resolve("typescript/bin/tsc", { paths: [dir] }), "-p", "tsconfig.typecheck.json"],
		dir,
		"tsc (internals stay hidden)",
	);
	return runPlace("ts-tarball", path.join(dir, "default.project.json"));
}

// The model writer must survive sources that XML and CDATA cannot hold as they are.
function checkModelRoundTrip() {
	const files = [
		{ path: "init.luau", source: 'return { a = "]]>", b = "<&>\\"", c = "x]]>]]>y" }\n' },
		{ path: "Sub/init.luau", source: "return 1 -- a module with children\n" },
		{ path: "Sub/Leaf.luau", source: "return [[]]\n" },
		{ path: "Folder/Leaf.luau", source: "return 2\n" },
	];
	const back = treeToFiles(readModel(writeModel("Root", files)));
	const key = list => JSON.stringify([...list].sort((a, b) => (a.path < b.path ? -1 : 1)));
	if (key(back) !== key(files)) throw new Error(`model round trip changed the files:\n${key(files)}\n${key(back)}`);
	return `${files.length} modules with "]]>", entities and nested modules read back unchanged`;
}

// A compiled module that does use RuntimeLib helpers, built like the library and required in a Luau-only place.
function checkRuntimeHelpers() {
	const dir = path.join(work, "luau-runtime-helpers");
	const out = path.join(dir, "out");
	writeFile(
		path.join(out, "init.luau"),
		[
			"local TS = _G[script]",
			"local exports = {}",
			'local helper = TS.import(script, script, "sub", "helper").helper',
			"exports.run = function()",
			"\tlocal result",
			'\tTS.try(function() error("boom") end, function(e) result = "caught " .. string.match(tostring(e), "boom") end)',
			"\treturn result, TS.Promise.resolve(helper()):expect()",
			"end",
			"return exports",
			"",
		].join("\n"),
	);
	writeFile(
		path.join(out, "sub/helper.luau"),
		[
			"local TS = _G[script]",
			'local Signal = TS.import(script, TS.getModule(script, "@rbxts", "signal"))',
			"return { helper = function() return if Signal.new then 7 else 0 end }",
			"",
		].join("\n"),
	);
	const tree = buildTree(
		out,
		path.join(repoRoot, "node_modules"),
		path.join(repoRoot, "node_modules/roblox-ts/include"),
	);
	if (!tree.needsRuntime) throw new Error("luau-runtime-helpers: the build did not notice the TS helpers");
	for (const file of tree.files) writeFile(path.join(dir, "Fixture", file.path), file.source);
	const project = path.join(dir, "default.project.json");
	writeJson(project, {
		name: "luau-runtime-helpers",
		tree: {
			$className: "DataModel",
			ReplicatedStorage: { $className: "ReplicatedStorage", Fixture: { $path: "Fixture" } },
		},
	});
	return runPlace("luau-runtime-helpers", project, "scripts/runtime-helpers-check");
}

const checks = [];
try {
	checks.push(["model-round-trip", checkModelRoundTrip()]);
	fs.rmSync(work, { recursive: true, force: true });
	let build;
	if (wanted("luau-wally") || wanted("luau-model")) build = buildLuau({ compile: !noBuild });
	else if (!noBuild)
		run(
			process.execPath,
			[path.join(repoRoot, "node_modules/roblox-ts/out/CLI/cli.js"), "-p", "tsconfig.json"],
			repoRoot,
			"rbxtsc",
		);
	if (wanted("luau-wally")) checks.push(["luau-wally", checkLuauWally(build)]);
	if (wanted("luau-model")) checks.push(["luau-model", checkLuauModel(build)]);
	if (wanted("luau-runtime-helpers")) checks.push(["luau-runtime-helpers", checkRuntimeHelpers()]);
	if (wanted("ts-tarball")) checks.push(["ts-tarball", checkTsTarball()]);
	for (const [name, summary] of checks) process.stdout.write(`${name}: ${summary}\n`);
	process.stdout.write(`${checks.length} package checks passed\n`);
} catch (error) {
	for (const [name, summary] of checks) process.stdout.write(`${name}: ${summary}\n`);
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
}
