// Worker side of `npm test`: boots the engine and runs the test place.
import { parentPort, workerData } from "node:worker_threads";
import { createHost } from "./Host.mjs";

const { pattern, perTestVirtualLimit, wallLimitMs, verbose, project, roots } = workerData;
const { main } = await createHost({ project });
const [result] = await main.runTests(pattern, perTestVirtualLimit, wallLimitMs, verbose, roots ?? "");
parentPort.postMessage({ result: String(result) });
