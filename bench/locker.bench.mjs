// Session-locking core (issue 4): requests per 30-minute session and the cost of SessionUpdate on idle lockers.
import { createHost } from "../runtime/runner/Host.mjs";

export const name = "session-locking core";

export default async function run() {
	const { runScript } = await createHost();
	const [requests, loaded, updateMs, emptyMs, rounds] = String(await runScript("/bench/locker.bench", ""))
		.split(" ")
		.map(Number);
	const calls = rounds * 1000;
	return [
		{
			metric: "DataStore requests per 30-minute session (bound 1 load + 6 autosaves + 1 release + 1 release read-back = 9)",
			value: requests,
		},
		{ metric: "loaded lockers measured", value: loaded },
		{
			metric: "SessionUpdate on a loaded locker with nothing to do, ns/call",
			value: Math.round((updateMs / calls) * 1e6),
		},
		{ metric: "empty method call, ns/call", value: Math.round((emptyMs / calls) * 1e6) },
		{ metric: "ratio SessionUpdate / empty method call", value: Number((updateMs / emptyMs).toFixed(2)) },
	];
}
