// Runs the README quick start scenario (scripts/quickstart-two-servers.luau) in one place on the headless runtime.
// Usage: node scripts/run-place.mjs <project.json> [storeName]. Prints the result; exits non-zero when it failed.
// A process per place, so each place gets a fresh Luau VM.
import fs from "node:fs";
import { createHost } from "../runtime/runner/Host.mjs";

const [project, storeName = ""] = process.argv.slice(2);
const { runScript } = await createHost({
	project,
	onOutput: (kind, serverId, text) => {
		if (kind === "error" || kind === "warn") fs.writeSync(2, `[server ${serverId}] ${text}\n`);
	},
});
const result = String(await runScript("scripts/quickstart-two-servers", storeName));
fs.writeSync(1, `${result}\n`);
process.exit(result.startsWith("ok:") ? 0 : 1);
