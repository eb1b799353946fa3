// Builds the DataModel description from a Rojo project file, the way Rojo 7 would sync it, so Studio and the
// headless runtime see one tree. Only what this project uses is supported: $className, $path (files and folders),
// init scripts, .lua/.luau/.server.luau/.client.luau, .json modules, .txt StringValues, nested default.project.json,
// globIgnorePaths, emitLegacyScripts, and scalar or enum-name `$properties` / `.meta.json` properties.
import fs from "node:fs";
import path from "node:path";

const SCRIPT_SUFFIXES = [
	[".server.luau", "Script"],
	[".server.lua", "Script"],
	[".client.luau", "LocalScript"],
	[".client.lua", "LocalScript"],
	[".luau", "ModuleScript"],
	[".lua", "ModuleScript"],
];

function globToRegExp(glob) {
	let out = "";
	for (let i = 0; i < glob.length; i++) {
		const c = glob[i];
		if (c === "*" && glob[i + 1] === "*") {
			out += ".*";
			i++;
			if (glob[i + 1] === "/") i++;
		} else if (c === "*") out += "[^/]*";
		else if (c === "?") out += "[^/]";
		else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
	}
	return new RegExp(`^${out}$`);
}

function scriptKind(fileName) {
	for (const [suffix, className] of SCRIPT_SUFFIXES) {
		if (fileName.endsWith(suffix)) return { name: fileName.slice(0, -suffix.length), className };
	}
	return undefined;
}

function jsonToLuau(value) {
	if (value === null || value === undefined) return "nil";
	if (typeof value === "string") return luaString(value);
	if (typeof value === "number" || typeof value === "boolean") return String(value);
	if (Array.isArray(value)) return `{${value.map(jsonToLuau).join(", ")}}`;
	return `{${Object.entries(value)
		.map(([k, v]) => `[${luaString(k)}] = ${jsonToLuau(v)}`)
		.join(", ")}}`;
}

export function luaString(text) {
	const bytes = Buffer.from(String(text), "utf8");
	let out = '"';
	for (const b of bytes) {
		if (b === 0x22) out += '\\"';
		else if (b === 0x5c) out += "\\\\";
		else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
		else out += `\\${b}`;
	}
	return out + '"';
}

export class ProjectBuilder {
	constructor() {
		this.sources = [];
		this.files = [];
	}

	addSource(filePath, source) {
		this.sources.push(source);
		this.files.push(filePath);
		return this.sources.length; // 1-based for Luau
	}

	load(projectFile) {
		const project = JSON.parse(fs.readFileSync(projectFile, "utf8"));
		const baseDir = path.dirname(path.resolve(projectFile));
		const ignores = (project.globIgnorePaths ?? []).map(globToRegExp);
		// Rojo 7.4+: with emitLegacyScripts false, .server/.client files become Scripts with RunContext Server/Client.
		this.legacyScripts = project.emitLegacyScripts !== false;
		this.ignores = ignores;
		this.baseDir = baseDir;
		const root = this.node(project.name ?? "root", project.tree, baseDir);
		return root;
	}

	// The headless runner needs a test runner Script; a game's project should not ship one, so one is added to the
	// emulated place only, unless the project already has its own.
	addRunner(tree, runnerFile) {
		const hasRunner = this.sources.some(source => source.includes(RUNNER_MARKER));
		if (hasRunner) return;
		let container = tree.children.find(child => child.name === "ServerScriptService");
		if (!container) {
			container = { name: "ServerScriptService", className: "ServerScriptService", children: [] };
			tree.children.push(container);
		}
		const index = this.addSource(runnerFile, fs.readFileSync(runnerFile, "utf8"));
		container.children.push({ name: "TestRunner", className: "Script", file: index, children: [] });
	}

	isIgnored(absPath) {
		const rel = path.relative(this.baseDir, absPath).split(path.sep).join("/");
		return this.ignores.some(re => re.test(rel));
	}

	node(name, tree, baseDir) {
		let node = { name, className: tree.$className, children: [] };
		if (tree.$path) {
			const target = path.resolve(baseDir, tree.$path);
			const synced = this.syncPath(target, name);
			if (synced) {
				node = { ...synced, name, className: tree.$className ?? synced.className };
				node.children = node.children ?? [];
			} else if (!tree.$className) {
				throw new Error(`Rojo project path does not exist: ${tree.$path}`);
			}
		}
		node.className = node.className ?? "Folder";
		if (tree.$properties) node.properties = { ...node.properties, ...scalarProperties(tree.$properties) };
		for (const [childName, childTree] of Object.entries(tree)) {
			if (childName.startsWith("$")) continue;
			const child = this.node(childName, childTree, baseDir);
			node.children = node.children.filter(c => c.name !== childName);
			node.children.push(child);
		}
		return node;
	}

	syncPath(target, nameOverride) {
		if (!fs.existsSync(target)) return undefined;
		if (this.isIgnored(target)) return undefined;
		const stat = fs.statSync(target);
		if (stat.isDirectory()) return this.syncDirectory(target, nameOverride);
		return this.syncFile(target);
	}

	syncFile(file) {
		const base = path.basename(file);
		if (base.endsWith(".d.ts") || base.endsWith(".ts") || base.endsWith(".meta.json")) return undefined;
		if (base.endsWith(".project.json")) return undefined;
		const kind = scriptKind(base);
		if (kind) {
			const index = this.addSource(file, fs.readFileSync(file, "utf8"));
			const node = { name: kind.name, className: kind.className, file: index };
			return this.withMeta(node, path.join(path.dirname(file), `${kind.name}.meta.json`), base);
		}
		if (base.endsWith(".json")) {
			const data = JSON.parse(fs.readFileSync(file, "utf8"));
			const index = this.addSource(file, `return ${jsonToLuau(data)}`);
			return { name: base.slice(0, -5), className: "ModuleScript", file: index };
		}
		if (base.endsWith(".txt")) {
			return { name: base.slice(0, -4), className: "StringValue", value: fs.readFileSync(file, "utf8") };
		}
		return undefined;
	}

	// Applies emitLegacyScripts to a script node, then the properties of its .meta.json file, if any.
	withMeta(node, metaFile, fileName) {
		let out = node;
		if (!this.legacyScripts && /\.(server|client)\.luau?$/.test(fileName)) {
			const context = /\.server\./.test(fileName) ? "Server" : "Client";
			out = { ...out, className: "Script", properties: { ...out.properties, RunContext: context } };
		}
		if (metaFile && fs.existsSync(metaFile)) {
			const meta = JSON.parse(fs.readFileSync(metaFile, "utf8"));
			if (meta.className && !out.file) out = { ...out, className: meta.className };
			if (meta.properties) out = { ...out, properties: { ...out.properties, ...scalarProperties(meta.properties) } };
		}
		return out;
	}

	syncDirectory(dir, nameOverride) {
		const nested = path.join(dir, "default.project.json");
		if (fs.existsSync(nested)) {
			const project = JSON.parse(fs.readFileSync(nested, "utf8"));
			return this.node(project.name ?? path.basename(dir), project.tree, dir);
		}
		const entries = fs.readdirSync(dir).sort();
		let node = { name: nameOverride ?? path.basename(dir), className: "Folder", children: [] };
		for (const entry of entries) {
			const full = path.join(dir, entry);
			const kind = scriptKind(entry);
			if (kind && kind.name === "init") {
				if (this.isIgnored(full)) continue;
				const index = this.addSource(full, fs.readFileSync(full, "utf8"));
				node.className = kind.className;
				node.file = index;
				node = this.withMeta(node, null, entry);
			}
		}
		node = this.withMeta(node, path.join(dir, "init.meta.json"), node.file ? "init.luau" : "");
		for (const entry of entries) {
			const full = path.join(dir, entry);
			const kind = scriptKind(entry);
			if (kind && kind.name === "init") continue;
			const child = this.syncPath(full);
			if (child) node.children.push(child);
		}
		return node;
	}
}

// Booleans, numbers, strings and enum item names (`"Server"`, or Rojo's `{ "Enum": 1 }` is not supported) survive.
function scalarProperties(properties) {
	const out = {};
	for (const [name, value] of Object.entries(properties)) {
		if (["boolean", "number", "string"].includes(typeof value)) out[name] = value;
	}
	return out;
}

const RUNNER_MARKER = "__SessionLockerTestHost";

/** Full names (as GetFullName gives them) of every node with a source file, by source index. */
export function sourceNames(tree) {
	const names = new Map();
	const walk = (node, prefix) => {
		for (const child of node.children ?? []) {
			const name = prefix ? `${prefix}.${child.name}` : child.name;
			if (child.file) names.set(child.file, name);
			walk(child, name);
		}
	};
	walk(tree, "");
	return names;
}

export function treeToLuau(node) {
	const parts = [`name = ${luaString(node.name)}`, `className = ${luaString(node.className)}`];
	if (node.file) parts.push(`file = ${node.file}`);
	if (node.value !== undefined) parts.push(`value = ${luaString(node.value)}`);
	if (node.properties && Object.keys(node.properties).length > 0) parts.push(`properties = ${jsonToLuau(node.properties)}`);
	if (node.children && node.children.length > 0) parts.push(`children = {${node.children.map(treeToLuau).join(", ")}}`);
	return `{${parts.join(", ")}}`;
}
