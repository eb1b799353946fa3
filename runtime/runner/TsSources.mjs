// Names the TypeScript file a compiled Luau module came from, so a failing spec's message points at the file the
// developer edits: `ReplicatedStorage.TS.shop.spec:14` becomes `ReplicatedStorage.TS.shop.spec:14 [src/shared/shop.spec.ts]`.
// Line numbers stay the Luau ones: roblox-ts emits no source maps.
import fs from "node:fs";
import path from "node:path";
import { sourceNames } from "./Project.mjs";

// tsconfig files may hold comments and trailing commas.
function readJsonc(file) {
	const text = fs
		.readFileSync(file, "utf8")
		.replace(/\/\*[\s\S]*?\*\//g, "")
		.replace(/(^|[^:"])\/\/.*$/gm, "$1")
		.replace(/,(\s*[}\]])/g, "$1");
	return JSON.parse(text);
}

function compilerOptions(file) {
	const config = readJsonc(file);
	const dir = path.dirname(file);
	let options = {};
	if (typeof config.extends === "string") {
		const base = path.resolve(dir, config.extends.endsWith(".json") ? config.extends : `${config.extends}.json`);
		if (fs.existsSync(base)) options = compilerOptions(base);
	}
	const own = config.compilerOptions ?? {};
	for (const key of ["rootDir", "outDir"]) {
		if (key in own) options[key] = own[key] === null ? undefined : path.resolve(dir, own[key]);
	}
	if (own.rootDirs) options.rootDirs = own.rootDirs.map(d => path.resolve(dir, d));
	options.configDir = dir;
	return options;
}

function tsCandidates(luauRel) {
	const match = /^(.*?)((?:\.server|\.client)?)\.luau?$/.exec(luauRel);
	if (!match) return [];
	const [, stem, kind] = match;
	const base = path.basename(stem) === "init" ? path.join(path.dirname(stem), "index") : stem;
	return [`${base}${kind}.ts`, `${base}${kind}.tsx`];
}

/**
 * @param {import("./Project.mjs").ProjectBuilder} builder
 * @param {object} tree the project tree
 * @param {string} tsconfig path of the tsconfig.json that compiled the project
 * @param {string} root directory reported paths are relative to
 * @returns {Map<string, string>} instance full name → TypeScript file, relative to root
 */
export function tsSourcesByName(builder, tree, tsconfig, root) {
	const result = new Map();
	if (!tsconfig || !fs.existsSync(tsconfig)) return result;
	let options;
	try {
		options = compilerOptions(path.resolve(tsconfig));
	} catch {
		return result;
	}
	if (!options.outDir) return result;
	const sourceDirs = [options.rootDir, options.configDir, ...(options.rootDirs ?? []), root].filter(Boolean);
	for (const [index, fullName] of sourceNames(tree)) {
		const file = builder.files[index - 1];
		const rel = path.relative(options.outDir, file);
		if (rel.startsWith("..") || path.isAbsolute(rel)) continue;
		found: for (const dir of sourceDirs) {
			for (const candidate of tsCandidates(rel)) {
				const ts = path.join(dir, candidate);
				if (fs.existsSync(ts)) {
					result.set(fullName, path.relative(root, ts).split(path.sep).join("/"));
					break found;
				}
			}
		}
	}
	return result;
}

/** Returns `text` with each `Full.Name:line` of a mapped module followed by ` [its .ts file]`. */
export function annotate(text, byName) {
	if (byName.size === 0) return text;
	return text.replace(/([A-Za-z_][\w@\-.]*):(\d+)/g, (whole, name) => {
		const ts = byName.get(name);
		return ts ? `${whole} [${ts}]` : whole;
	});
}
