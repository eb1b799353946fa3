// The headless host the peer bench runs its Luau drivers in, with `__cpuMs` installed: process CPU (user + system)
// in ms. The VM runs on this thread, so that is the CPU the emulated servers used. Shared by the bench and its
// per-library CPU processes (peers.cpu.mjs).
import { createHost } from "../runtime/runner/Host.mjs";

export async function createPeersHost() {
	const host = await createHost({ onOutput: () => {} });
	host.state.env.set(
		"__cpuMs",
		() => {
			const usage = process.cpuUsage();
			return (usage.user + usage.system) / 1000;
		},
		true,
	);
	return host;
}
