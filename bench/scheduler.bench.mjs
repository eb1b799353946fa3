// Virtual frames per wall-second with 1,000 sleeping threads (issue 2), and the gateway's request scheduler: a
// 100-player join storm on a server whose game spent its write budget, then three autosave rounds, before and after.
import { createHost } from "../runtime/runner/Host.mjs";

export const name = "runtime scheduler";

export default async function run() {
	const { runScript } = await createHost({ onOutput: () => {} });
	const [frames, elapsedMs, woken, heartbeats] = String(await runScript("bench/scheduler.bench", "20000"))
		.split(" ")
		.map(Number);
	const rows = [
		{ metric: "virtual frames per wall-second (1,000 sleeping threads, 60 Hz)", value: Math.round((frames / elapsedMs) * 1000) },
		{ metric: "virtual seconds per wall-second", value: Number(((frames / 60 / elapsedMs) * 1000).toFixed(1)) },
		{ metric: "thread wake-ups during the run", value: woken },
		{ metric: "Heartbeat handler calls", value: heartbeats },
	];
	const requests = String(await runScript("bench/scheduler.bench", "requests"));
	if (requests.startsWith("error")) throw new Error(requests);
	for (const line of requests.split("\n")) {
		const [mode, throttled, max10, max1, done] = line.split("|");
		const label = mode === "before" ? "before (budget ignored, fixed period)" : "after (request scheduler)";
		rows.push({
			metric: `100-player join storm + 3 autosave rounds, ${label}: throttled / max autosaves in 10 s / in 1 s / sessions done`,
			value: `${throttled} / ${max10} / ${max1} / ${done}`,
		});
	}
	return rows;
}
