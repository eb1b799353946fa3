// Roblox XML model files (.rbxmx) for a tree of Luau modules: written by `npm run build:luau`, read back by the
// package check, so the model users drag into Studio is the file that was run.
//
// Only what a package of modules needs is written: ModuleScripts (Name, Source) and Folders (Name). The layout is
// Rojo's: `init.luau` is its folder's ModuleScript, a folder without one is a Folder, `x.luau` a ModuleScript `x`.

const HEADER =
	'<roblox xmlns:xmime="http://www.w3.org/2005/05/xmlmime" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
	'xsi:noNamespaceSchemaLocation="http://www.roblox.com/roblox.xsd" version="4">';

function escapeText(text) {
	return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// A CDATA section cannot contain "]]>", so a source holding it is split across two sections.
function cdata(text) {
	return `<![CDATA[${text.split("]]>").join("]]]]><![CDATA[>")}]]>`;
}

/** files: [{ path: "a/b.luau", source }] relative to the root module → instance tree. */
export function filesToTree(rootName, files) {
	const root = { className: "Folder", name: rootName, children: [] };
	const folderAt = parts => {
		let node = root;
		for (const part of parts) {
			let next = node.children.find(c => c.name === part);
			if (next === undefined) {
				next = { className: "Folder", name: part, children: [] };
				node.children.push(next);
			}
			node = next;
		}
		return node;
	};
	for (const file of files) {
		const parts = file.path.split("/");
		const base = parts.pop();
		const name = base.replace(/\.luau?$/, "");
		if (name === base) throw new Error(`not a Luau module: ${file.path}`);
		if (name === "init") {
			const node = folderAt(parts);
			node.className = "ModuleScript";
			node.source = file.source;
		} else {
			folderAt(parts).children.push({ className: "ModuleScript", name, source: file.source, children: [] });
		}
	}
	const sort = node => {
		node.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
		node.children.forEach(sort);
	};
	sort(root);
	return root;
}

/** Instance tree → files, the inverse of filesToTree (children of a module become a folder with init.luau). */
export function treeToFiles(node, prefix = "") {
	const files = [];
	const hasChildren = node.children.length > 0;
	if (node.className === "ModuleScript") {
		files.push({
			path: hasChildren || prefix === "" ? `${prefix}init.luau` : `${prefix.slice(0, -1)}.luau`,
			source: node.source,
		});
	} else if (node.className !== "Folder") {
		throw new Error(`unexpected class ${node.className} (${node.name}) in a package model`);
	}
	for (const childNode of node.children) files.push(...treeToFiles(childNode, `${prefix}${childNode.name}/`));
	return files;
}

export function writeModel(rootName, files) {
	const tree = filesToTree(rootName, files);
	let referent = 0;
	const lines = [HEADER];
	const item = (node, indent) => {
		const pad = "\t".repeat(indent);
		lines.push(`${pad}<Item class="${node.className}" referent="RBX${String(referent++).padStart(8, "0")}">`);
		lines.push(`${pad}\t<Properties>`);
		lines.push(`${pad}\t\t<string name="Name">${escapeText(node.name)}</string>`);
		if (node.className === "ModuleScript")
			lines.push(`${pad}\t\t<ProtectedString name="Source">${cdata(node.source)}</ProtectedString>`);
		lines.push(`${pad}\t</Properties>`);
		for (const childNode of node.children) item(childNode, indent + 1);
		lines.push(`${pad}</Item>`);
	};
	item(tree, 1);
	lines.push("</roblox>", "");
	return lines.join("\n");
}

function decodeEntities(text) {
	return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, entity) => {
		if (entity[0] === "#")
			return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
		return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[entity];
	});
}

/** Reads the ModuleScript/Folder tree of an .rbxmx file (its first top-level Item). */
export function readModel(xml) {
	const token = /<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([A-Za-z]+)((?:\s+[\w:]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
	const stack = [];
	let root;
	let property; // { node, name, type, text }
	for (const match of xml.matchAll(token)) {
		const [, cdataText, closing, tag, attributeText, selfClosing, text] = match;
		if (cdataText !== undefined || text !== undefined) {
			if (property) property.text += cdataText ?? decodeEntities(text);
			continue;
		}
		const attributes = Object.fromEntries(
			[...(attributeText ?? "").matchAll(/([\w:]+)="([^"]*)"/g)].map(m => [m[1], decodeEntities(m[2])]),
		);
		if (tag === "Item" && !closing) {
			const node = { className: attributes.class, name: "", children: [] };
			if (stack.length > 0) stack[stack.length - 1].children.push(node);
			else root ??= node;
			stack.push(node);
		} else if (tag === "Item" && closing) {
			stack.pop();
		} else if (stack.length > 0 && attributes.name !== undefined && !closing && !selfClosing) {
			property = { node: stack[stack.length - 1], name: attributes.name, type: tag, text: "" };
		} else if (property && closing && tag === property.type) {
			if (property.name === "Name") property.node.name = property.text;
			if (property.name === "Source") property.node.source = property.text;
			property = undefined;
		}
	}
	if (root === undefined) throw new Error("the model file has no Item");
	return root;
}
