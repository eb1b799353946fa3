// Writes all of `text` to a file descriptor before returning. `fs.writeSync` on a pipe (`npm test | tee`) may write
// only part of a large text, or fail with EAGAIN while the reader is behind; the rest would be lost and the next line
// glued to the cut. The runner exits right after its last line, so its output must be written synchronously.
import fs from "node:fs";

const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeAllSync(fd, text) {
	let buffer = Buffer.from(text);
	while (buffer.length > 0) {
		try {
			buffer = buffer.subarray(fs.writeSync(fd, buffer));
		} catch (error) {
			if (error.code !== "EAGAIN") throw error;
			// The pipe is full: give its reader a few milliseconds (wall time; this is output, not a test's clock).
			Atomics.wait(pause, 0, 0, 5);
		}
	}
}
