// Emulated DataStore requests per wall-second (issue 3): 4 servers × 25 threads looping Set/Get/Update.
import { createHost } from "../runtime/runner/Host.mjs";

export const name = "emulated DataStore";

export default async function run() {
	const { runScript } = await createHost();
	const [requests, elapsedMs, threads, virtualSeconds] = String(await runScript("bench/datastore.bench", "120"))
		.split(" ")
		.map(Number);
	return [
		{ metric: "DataStore requests per wall-second", value: Math.round((requests / elapsedMs) * 1000) },
		{ metric: "requests completed", value: requests },
		{ metric: "concurrent request threads", value: threads },
		{ metric: "virtual seconds simulated", value: virtualSeconds },
		{ metric: "virtual seconds per wall-second", value: Number(((virtualSeconds / elapsedMs) * 1000).toFixed(1)) },
	];
}
