// Worker side of run.mjs: boots the engine and runs the test place.
import { parentPort, workerData } from "node:worker_threads";
import { createHost } from "./Host.mjs";

const { pattern, perTestVirtualLimit, wallLimitMs, verbose, project, roots, root, runnerScript, tsconfig } = workerData;
const { main } = await createHost({ project, root, runnerScript, tsconfig });
const [result] = await main.runTests(pattern, perTestVirtualLimit, wallLimitMs, verbose, roots ?? "");
parentPort.postMessage({ result: String(result) });
