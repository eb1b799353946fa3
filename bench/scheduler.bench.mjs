// Virtual frames per wall-second with 1,000 sleeping threads (issue 2).
import { createHost } from "../runtime/runner/Host.mjs";

export const name = "runtime scheduler";

export default async function run() {
	const { runScript } = await createHost();
	const [frames, elapsedMs, woken, heartbeats] = String(await runScript("bench/scheduler.bench", "20000"))
		.split(" ")
		.map(Number);
	return [
		{ metric: "virtual frames per wall-second (1,000 sleeping threads, 60 Hz)", value: Math.round((frames / elapsedMs) * 1000) },
		{ metric: "virtual seconds per wall-second", value: Number(((frames / 60 / elapsedMs) * 1000).toFixed(1)) },
		{ metric: "thread wake-ups during the run", value: woken },
		{ metric: "Heartbeat handler calls", value: heartbeats },
	];
}
