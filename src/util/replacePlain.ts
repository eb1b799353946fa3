/** Replaces every occurrence of `find` in `text` literally; Lua patterns would misread keys such as "a-b%". */
export function replacePlain(text: string, find: string, replacement: string): string {
	if (find === "") return text;
	let result = "";
	let start = 1;
	for (;;) {
		const [from, to] = text.find(find, start, true);
		if (from === undefined || to === undefined) break;
		result += text.sub(start, from - 1) + replacement;
		start = to + 1;
	}
	return result + text.sub(start);
}
