// The Node side of the headless runtime: creates a luau-web state, gives it the host functions the engine needs
// (runtime/engine/Boot.luau lists them) and returns the engine's entry points.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { enlargeWasmMemory } from "./wasmMemory.mjs";
import { ProjectBuilder, treeToLuau } from "./Project.mjs";
import { annotate, tsSourcesByName } from "./TsSources.mjs";
import { writeAllSync } from "./writeAllSync.mjs";

const runtimeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(runtimeDir, "..");

// @rbxts/types of the project being run (a game using the testkit package), or else of this repository.
let typesRoot = repoRoot;
function typesFile(name) {
	const own = path.join(typesRoot, "node_modules/@rbxts/types/include/generated", name);
	return fs.existsSync(own) ? own : path.join(repoRoot, "node_modules/@rbxts/types/include/generated", name);
}

let enumCache;
function enumData() {
	if (enumCache) return enumCache;
	const file = typesFile("enums.d.ts");
	const text = fs.readFileSync(file, "utf8");
	const blocks = [];
	const namespaceRe = /export namespace (\w+) \{([\s\S]*?)\n {4}\}/g;
	let match;
	while ((match = namespaceRe.exec(text))) {
		const items = [];
		const itemRe = /Name: "(\w+)";\s*Value: (-?\d+);/g;
		let item;
		while ((item = itemRe.exec(match[2]))) items.push(`${item[1]}=${item[2]}`);
		if (items.length > 0) blocks.push(`${match[1]}:${items.join(",")}`);
	}
	enumCache = blocks.join(";");
	return enumCache;
}

let serviceCache;
// Every class game:GetService accepts: the members of @rbxts/types' `Services` interface, which is generated from
// Roblox's API dump (classes tagged Service).
function serviceNames() {
	if (serviceCache) return serviceCache;
	const file = typesFile("None.d.ts");
	const text = fs.readFileSync(file, "utf8");
	const block = /interface Services \{([\s\S]*?)\n\}/.exec(text);
	serviceCache = block ? [...block[1].matchAll(/^\s+(\w+): \w+;/gm)].map(m => m[1]).join(",") : "";
	return serviceCache;
}

/**
 * @param {object} options
 * @param {string} [options.project] Rojo project file (default: default.project.json at the repository root)
 * @param {string} [options.root] Directory that files the kit reads and writes are relative to, and whose
 *   node_modules/@rbxts/types is used (default: the repository root)
 * @param {string} [options.runnerScript] A test runner Script file added to ServerScriptService as `TestRunner`
 *   when the project has no Script that reads `_G.__SessionLockerTestHost`
 * @param {string} [options.tsconfig] The tsconfig that compiled the project: output naming a compiled module also
 *   names its TypeScript file
 * @param {(kind: string, serverId: number, text: string) => void} [options.onOutput]
 */
export async function createHost(options = {}) {
	const root = path.resolve(options.root ?? repoRoot);
	typesRoot = root;
	const projectFile = options.project ?? path.join(repoRoot, "default.project.json");
	const builder = new ProjectBuilder();
	const tree = builder.load(projectFile);
	if (options.runnerScript) builder.addRunner(tree, options.runnerScript);
	const treeSource = `return ${treeToLuau(tree)}`;
	const tsByName = tsSourcesByName(builder, tree, options.tsconfig, root);
	const writeOutput =
		options.onOutput ??
		((kind, serverId, text) => {
			const prefix = serverId === 0 || serverId === 1 ? "" : `[server ${serverId}] `;
			// Synchronous writes: the runner may exit right after the result arrives, and a worker's process.stdout is
			// asynchronous, so buffered lines would be lost.
			writeAllSync(kind === "error" || kind === "warn" ? 2 : 1, `${prefix}${text}\n`);
		});
	const onOutput = (kind, serverId, text) => writeOutput(kind, serverId, annotate(String(text), tsByName));

	enlargeWasmMemory(Number(process.env.SL_LUAU_MEMORY_MB ?? 1024));
	const { LuauState } = await import("luau-web");
	const state = await LuauState.createAsync();
	const env = state.env;
	const fn = (name, value) => env.set(name, value, true);
	fn("__load", (source, chunkName) => state.loadstring(source, chunkName, true));
	fn("__engineSource", rel => {
		// Paths starting with "/" are relative to the repository (benchmarks, the demo); others to runtime/.
		const file = rel.startsWith("/") ? path.join(repoRoot, `${rel.slice(1)}.luau`) : path.join(runtimeDir, `${rel}.luau`);
		return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
	});
	fn("__out", (kind, serverId, text) => onOutput(kind, serverId, text));
	fn("__fsRead", file => {
		const full = path.resolve(root, file);
		return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
	});
	fn("__fsWrite", (file, text) => {
		const full = path.resolve(root, file);
		fs.mkdirSync(path.dirname(full), { recursive: true });
		fs.writeFileSync(full, text);
	});
	fn("__wallMs", () => performance.now());
	fn("__enumData", () => enumData());
	fn("__serviceNames", () => serviceNames());
	fn("__projectTree", () => treeSource);
	fn("__projectSource", index => builder.sources[index - 1]);

	const boot = state.loadstring(fs.readFileSync(path.join(runtimeDir, "engine/Boot.luau"), "utf8"), "=runtime/engine/Boot", true);
	const [main] = await boot();
	/** Runs a Luau file of the repository (path without extension, from the repo root) that returns function(argument, Main). */
	async function runScript(repoPath, argument = "") {
		const [result] = await main.runScript(`/${repoPath}`, argument);
		return result;
	}
	return { state, main, builder, runScript };
}
