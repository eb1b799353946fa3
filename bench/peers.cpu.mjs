// One CPU measurement of the peer bench in a fresh process: `node bench/peers.cpu.mjs <cpu|cpu10|cpuprofile> <library>`
// prints the CPU rates (ms per virtual second) of three measured runs after a warm-up run, as JSON. A fresh VM for every
// library keeps the collector work left over by other libraries' runs out of the figure.
import { createPeersHost } from "./peersHost.mjs";

const [scenario, library] = process.argv.slice(2);
const { runScript } = await createPeersHost();
const rates = [];
const shims = new Set();
// Scenario "cpuprofile" (this library only) adds where its CPU goes, per measured run.
const profile = {};
for (let run = 0; run < 4; run++) {
	const text = String(await runScript("bench/peers.bench", `${scenario}|${library}`));
	for (const line of text.split("\n")) {
		const [key, value] = [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)];
		if (key === "error") throw new Error(`${scenario}|${library}: ${value}`);
		if (key === "shims") for (const shim of value.split("; ").filter(Boolean)) shims.add(shim);
		else if (key.endsWith("msPerVirtualSecond") && run > 0) rates.push(Number(value));
		else if (key.startsWith("profile.") && run > 0) (profile[key] ??= []).push(Number(value));
	}
}
process.stdout.write(JSON.stringify({ rates, shims: [...shims], ...profile }) + "\n");
