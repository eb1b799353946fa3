// Runs an engine-level check script in one place on the headless runtime: by default the README quick start scenario
// (scripts/quickstart-two-servers.luau). A process per place, so each place gets a fresh Luau VM.
// Usage: node scripts/run-place.mjs <project.json> [script path from the repository root, without .luau] [argument]
// Prints the script's result; exits non-zero unless it starts with "ok:".
import { createHost } from "../runtime/runner/Host.mjs";
import { writeAllSync } from "../runtime/runner/writeAllSync.mjs";

const [project, script = "scripts/quickstart-two-servers", argument = ""] = process.argv.slice(2);
const { runScript } = await createHost({
	project,
	onOutput: (kind, serverId, text) => {
		if (kind === "error" || kind === "warn") writeAllSync(2, `[server ${serverId}] ${text}\n`);
	},
});
const result = String(await runScript(script, argument));
writeAllSync(1, `${result}\n`);
process.exit(result.startsWith("ok:") ? 0 : 1);
