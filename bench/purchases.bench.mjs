// Developer products (issue 5): virtual time from purchase to recorded PurchaseGranted.
import { createHost } from "../runtime/runner/Host.mjs";

export const name = "developer products";

export default async function run() {
	const { runScript } = await createHost();
	const out = String(await runScript("bench/purchases.bench", "40"));
	if (out.startsWith("error")) return [{ metric: "error", value: out }];
	const [p50, p90, max, mean, g50, g90, gmax, gmean, requests] = out.split(" ").map(Number);
	return [
		{ metric: "purchase → PurchaseGranted, virtual s (DataStore latency 0.1–0.3 s): median", value: p50 },
		{ metric: "purchase → PurchaseGranted: p90", value: p90 },
		{ metric: "purchase → PurchaseGranted: max", value: max },
		{ metric: "purchase → PurchaseGranted: mean", value: mean },
		{ metric: "gift (intent save, two keys saved and verified) → PurchaseGranted: median", value: g50 },
		{ metric: "gift → PurchaseGranted: p90", value: g90 },
		{ metric: "gift → PurchaseGranted: max", value: gmax },
		{ metric: "UpdateAsync requests in total (40 loads, 40 purchases, 40 gifts)", value: requests },
	];
}
