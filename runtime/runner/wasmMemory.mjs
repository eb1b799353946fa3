// luau-web's WebAssembly build has a fixed 16 MiB memory and cannot grow it, which a multi-server simulation
// outgrows. Before luau-web loads, this wraps WebAssembly.instantiate so the module's memory section declares a
// larger initial size; emscripten's allocator then simply finds more room. Nothing in node_modules is modified.

function readLeb(bytes, offset) {
	let result = 0;
	let shift = 0;
	let position = offset;
	for (;;) {
		const byte = bytes[position++];
		result += (byte & 0x7f) * 2 ** shift;
		shift += 7;
		if ((byte & 0x80) === 0) return { value: result, next: position };
	}
}

function writeLeb(value) {
	const out = [];
	let remaining = value;
	do {
		let byte = remaining % 128;
		remaining = Math.floor(remaining / 128);
		if (remaining > 0) byte |= 0x80;
		out.push(byte);
	} while (remaining > 0);
	return out;
}

const MEMORY_SECTION = 5;

/** Returns a copy of `bytes` whose first memory has at least `pages` 64 KiB pages (and no smaller maximum). */
export function withMemoryPages(bytes, pages) {
	let offset = 8; // magic + version
	while (offset < bytes.length) {
		const id = bytes[offset];
		const size = readLeb(bytes, offset + 1);
		const contentStart = size.next;
		const contentEnd = contentStart + size.value;
		if (id === MEMORY_SECTION) {
			const count = readLeb(bytes, contentStart);
			const flags = bytes[count.next];
			const min = readLeb(bytes, count.next + 1);
			let rest = min.next;
			let max;
			if (flags & 1) {
				max = readLeb(bytes, min.next);
				rest = max.next;
			}
			const newMin = Math.max(min.value, pages);
			const limits = [flags, ...writeLeb(newMin)];
			if (flags & 1) limits.push(...writeLeb(Math.max(max.value, newMin)));
			const content = [...writeLeb(count.value), ...limits, ...bytes.subarray(rest, contentEnd)];
			const section = [MEMORY_SECTION, ...writeLeb(content.length), ...content];
			const out = new Uint8Array(offset + section.length + (bytes.length - contentEnd));
			out.set(bytes.subarray(0, offset), 0);
			out.set(section, offset);
			out.set(bytes.subarray(contentEnd), offset + section.length);
			return out;
		}
		offset = contentEnd;
	}
	return bytes;
}

let installed = false;

/** Makes every WebAssembly module instantiated from bytes from now on start with `megabytes` of memory. */
export function enlargeWasmMemory(megabytes) {
	if (installed) return;
	installed = true;
	const original = WebAssembly.instantiate;
	const pages = Math.ceil((megabytes * 1024 * 1024) / 65536);
	WebAssembly.instantiate = function (source, imports) {
		if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) {
			const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
			return original.call(this, withMemoryPages(bytes, pages), imports);
		}
		return original.call(this, source, imports);
	};
}
