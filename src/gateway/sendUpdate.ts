import type { RequestGateway } from "./RequestGateway";
import { classifyRequestError } from "../errors";
import { awaitClosingTurn, noteClosingOutcome } from "./closingPolicy";
import { GatewayOutcome, GatewayResult } from "./GatewayResult";
import { priorityOfOperation, RequestPriority } from "./RequestPriority";
import { DataStoreLike, KeyInfoLike } from "./types";

/**
 * @internal
 * The request path of `RequestGateway.Update`: wraps `produce` in a protected, size-checked transform, waits for its
 * turn (closing probe, then the scheduler's priority and budget), sends one UpdateAsync and classifies what came
 * back. Yields.
 */
export function sendUpdate(
	gateway: RequestGateway,
	store: DataStoreLike,
	key: string,
	produce: (value: unknown, keyInfo: KeyInfoLike | undefined) => unknown,
	userIds: Array<number> | undefined,
	operation: string,
	priority: RequestPriority | undefined,
): GatewayResult {
	const result: GatewayResult = {
		Outcome: "incomplete",
		Value: undefined,
		KeyInfo: undefined,
		ErrorMessage: "",
		Class: undefined,
		Size: 0,
	};
	let ran = false;
	let outcome = "incomplete" as GatewayOutcome;
	const transform = (value: unknown, keyInfo: KeyInfoLike | undefined) => {
		ran = true;
		outcome = "incomplete";
		result.ErrorMessage = "";
		result.Size = 0;
		const [ok, produced] = pcall(produce, value, keyInfo);
		if (!ok) {
			outcome = "transform_threw";
			result.ErrorMessage = tostring(produced);
			return $tuple(undefined, undefined, undefined);
		}
		if (produced === undefined) {
			outcome = "not_written";
			return $tuple(undefined, undefined, undefined);
		}
		const [measured, size] = gateway.Measure(produced);
		if (!measured) {
			outcome = "not_serializable";
			result.ErrorMessage = size as string;
			return $tuple(undefined, undefined, undefined);
		}
		result.Size = size as number;
		if ((size as number) > gateway.SizeLimit) {
			outcome = "too_large";
			return $tuple(undefined, undefined, undefined);
		}
		outcome = "written";
		const metadata = keyInfo !== undefined ? keyInfo.GetMetadata() : undefined;
		const ids = userIds ?? (keyInfo !== undefined ? keyInfo.GetUserIds() : []);
		return $tuple(produced as unknown, ids, metadata);
	};
	const probe = awaitClosingTurn(gateway);
	gateway.scheduler.Acquire(priority ?? priorityOfOperation(operation));
	gateway.count(operation);
	let returned: unknown;
	let keyInfo: KeyInfoLike | undefined;
	const [ok, err] = pcall(() => {
		const [value, info] = store.UpdateAsync(key, transform);
		returned = value;
		keyInfo = info;
	});
	gateway.scheduler.Finish();
	const clockAtResponse = gateway.clock();
	if (!ok) {
		const message = tostring(err);
		result.Outcome = "request_error";
		result.ErrorMessage = message;
		result.Class = classifyRequestError(message);
		noteClosingOutcome(gateway, probe, result.Class.Retry === "retry");
		return result;
	}
	noteClosingOutcome(gateway, probe, false);
	gateway.ObserveKeyInfo(keyInfo, clockAtResponse);
	if (!ran) outcome = "incomplete";
	if (outcome === "written" && returned === undefined) {
		// UpdateAsync returned nil although our transform produced a value: the write did not happen
		// (for example the engine swallowed an error after the transform). Retry, never treat as lost.
		outcome = "incomplete";
		result.ErrorMessage = "UpdateAsync returned nil after the transform produced a value";
	}
	if (outcome === "incomplete" && result.ErrorMessage === "") {
		result.ErrorMessage = "UpdateAsync returned without completing the transform";
	}
	result.Outcome = outcome;
	result.Value = returned;
	result.KeyInfo = keyInfo;
	return result;
}
