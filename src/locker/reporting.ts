import type { LockerState } from "./LockerState";
import { Defaults, QueryConfig } from "../config";
import { ErrorFields, LockerError, LockerErrorForKey, LockerErrorKind } from "../errors";
import { GatewayResult } from "../gateway/RequestGateway";
import { callUser } from "../util/callUser";
import { LifecycleReason, LifecycleStatus, LoadStatus } from "./LockerSpec";

/** @internal */
export function strict(ls: LockerState): boolean {
	return QueryConfig(ls.LockerSpec.StrictMode, Defaults.StrictMode);
}

/** @internal */
export function report(
	ls: LockerState,
	kind: LockerErrorKind,
	operation: string,
	fields: ErrorFields,
	request?: GatewayResult,
): LockerError {
	const err = LockerErrorForKey(kind, operation, ls.DataStoreKey, fields, request);
	ls.LastError = err;
	const reporter = ls.LockerSpec.ReportDataStoreError;
	if (reporter !== undefined) {
		const [ok, problem] = pcall(reporter, ls, operation, err.Message, err);
		if (!ok) warn(`${ls.LogPrefix} ReportDataStoreError threw: ${tostring(problem)}`);
	} else {
		const [ok, problem] = pcall(Defaults.LockerSpec_ReportDataStoreError, ls, operation, err.Message, err);
		if (!ok) warn(`${ls.LogPrefix} default ReportDataStoreError threw: ${tostring(problem)}`);
	}
	return err;
}

/** @internal misuse of the API: reported, and an error in strict mode */
export function misuse(ls: LockerState, kind: LockerErrorKind, operation: string): void {
	const err = report(ls, kind, operation, {});
	if (strict(ls)) error(`${ls.LogPrefix} ${err.Message}`, 3);
}

/** @internal */
export function reportCallback(ls: LockerState, operation: string, yielded: boolean, message: string): void {
	const err = yielded
		? report(ls, "callback_yielded", operation, {})
		: report(ls, "callback_failed", operation, { detail: message });
	// Strict mode: also a real script error, in its own thread so the state machine carries on.
	if (strict(ls)) task.spawn(error, `${ls.LogPrefix} ${err.Message}`, 0);
}

/** @internal */
export function fireLifecycle(ls: LockerState, status: LifecycleStatus, reason: LifecycleReason): void {
	const lifecycle = ls.LockerSpec.Lifecycle;
	if (lifecycle === undefined) return;
	const outcome = callUser(strict(ls), lifecycle, ls, status, reason);
	if (!outcome.Ok) reportCallback(ls, `Lifecycle(${status})`, outcome.Yielded, outcome.Error);
}

/** @internal */
export function setLoadStatus(ls: LockerState, status: LoadStatus): void {
	if (ls.LoadStatus === status) return;
	ls.LoadStatus = status;
	fireLoadStatusChanged(ls);
}

/** @internal calls the LoadStatusChanged callback */
export function fireLoadStatusChanged(ls: LockerState): void {
	const changed = ls.LockerSpec.LoadStatusChanged;
	if (changed === undefined) return;
	const outcome = callUser(strict(ls), changed, ls);
	if (!outcome.Ok) reportCallback(ls, "LoadStatusChanged", outcome.Yielded, outcome.Error);
}

/** @internal reports a fatal error unless the same one is already the last error ("reported once") */
export function reportOnce(
	ls: LockerState,
	kind: LockerErrorKind,
	operation: string,
	fields: ErrorFields,
	request?: GatewayResult,
): void {
	const last = ls.LastError;
	if (last !== undefined && last.Kind === kind) {
		const message = request !== undefined ? request.ErrorMessage : undefined;
		if (message === last.RequestMessage) return;
	}
	report(ls, kind, operation, fields, request);
}
