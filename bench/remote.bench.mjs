// Remote changes (issue 5): virtual time from Send to applied by the holder, and to stored, with and without the nudge.
import { createHost } from "../runtime/runner/Host.mjs";

export const name = "remote changes";

export default async function run() {
	const { runScript } = await createHost();
	const out = String(await runScript("bench/remote.bench", "40"));
	if (out.startsWith("error")) return [{ metric: "error", value: out }];
	const [a50, amax, s50, smax, pa50, pamax, ps50, psmax] = out.split(" ").map(Number);
	return [
		{ metric: "Send → applied by the holder (nudged), virtual s: median", value: a50 },
		{ metric: "Send → applied by the holder (nudged): max", value: amax },
		{ metric: "Send → effect stored and change removed (nudged): median", value: s50 },
		{ metric: "Send → effect stored and change removed (nudged): max", value: smax },
		{ metric: "without nudge (autosave every 300 s, as v13): Send → applied, median", value: pa50 },
		{ metric: "without nudge: Send → applied, max", value: pamax },
		{ metric: "without nudge: Send → stored, median", value: ps50 },
		{ metric: "without nudge: Send → stored, max", value: psmax },
	];
}
