import { replacePlain } from "./util/replacePlain";

/**
 * The one registry of every error the library raises or reports: DataStore request classification
 * (`RequestErrorKind`, `GetRequestErrorKind`, `classifyRequestError`) and library error kinds with their message
 * templates (`LockerErrorKind`, `ErrorMessages`, `LockerErrorCreate`).
 */

/**
 * Who is to blame for a failed DataStore request, as in SessionLocker v13:
 * - `"script"`: a bug in the game's own code (bad key, bad value); retrying the same request will not help;
 * - `"misc"`: retry for a while and log;
 * - `"backend"`: Roblox's side (throttling, 502); retry without logging.
 */
export type RequestErrorKind = "script" | "misc" | "backend";

/** What the gateway does with a failed request. */
export type RequestRetryPolicy = "retry" | "fatal";

export interface RequestErrorClass {
	/** The leading `NNN:` code, or undefined when the message has none. */
	readonly Code: number | undefined;
	readonly Kind: RequestErrorKind;
	readonly Retry: RequestRetryPolicy;
}

function leadingCode(message: string): number | undefined {
	const [digits] = message.match("^%s*(%d%d%d):");
	if (digits === undefined) return undefined;
	return tonumber(digits);
}

function kindOfCode(code: number, message: string): RequestErrorKind | undefined {
	if (code >= 100 && code < 200) return "script";
	if (code >= 300 && code < 400) return "backend";
	if (code === 403) return "script";
	if (code >= 400 && code < 500) return "misc";
	if (code === 502) {
		// 502 wraps an HTTP status; 400/403 mean this request can never succeed from here.
		if (message.find("HTTP 403", 1, true)[0] !== undefined) return "script";
		if (message.find("HTTP 400", 1, true)[0] !== undefined) return "script";
		return "backend";
	}
	if (code >= 511 && code <= 514) return "script";
	if (code >= 500 && code < 600) return "misc";
	return undefined;
}

/**
 * Classifies the message of a failed DataStore request (what `pcall` returned).
 *
 * @example
 * const [ok, err] = pcall(() => store.UpdateAsync(key, transform));
 * if (!ok && GetRequestErrorKind(tostring(err)) === "script") warn("our bug:", err);
 */
export function GetRequestErrorKind(PcallMessage: string): RequestErrorKind {
	const code = leadingCode(PcallMessage);
	const kind = code !== undefined ? kindOfCode(code, PcallMessage) : undefined;
	if (kind === undefined) {
		warn(formatErrorMessage("unknown_request_error", { detail: PcallMessage }));
		return "misc";
	}
	return kind;
}

// Codes for which the same request will fail the same way however often it is sent.
const FATAL_CODES = new Set<number>([101, 102, 103, 104, 105, 106, 107, 401, 402, 403, 509, 511, 512, 513]);

/**
 * Kind plus retry policy of a failed request. Fatal errors (103, 104, 105, 511–513, bad keys, Studio without API
 * access, a server being torn down) are never retried blindly.
 *
 * @example
 * if (classifyRequestError(tostring(err)).Retry === "fatal") stopRetrying();
 */
export function classifyRequestError(message: string): RequestErrorClass {
	const code = leadingCode(message);
	let kind: RequestErrorKind = "misc";
	let retry: RequestRetryPolicy = "retry";
	if (code !== undefined) {
		kind = kindOfCode(code, message) ?? "misc";
		if (FATAL_CODES.has(code)) retry = "fatal";
		if (code === 502 && kind === "script") retry = "fatal";
	}
	return { Code: code, Kind: kind, Retry: retry };
}

/** Every kind of error the library reports. Each has one message template in `ErrorMessages`. */
export type LockerErrorKind =
	| "request_failed"
	| "request_fatal"
	| "value_too_large"
	| "value_not_serializable"
	| "invalid_key"
	| "invalid_save_data"
	| "invalid_stored_data"
	| "invalid_version"
	| "invalid_credit_amount"
	| "migration_failed"
	| "callback_failed"
	| "callback_yielded"
	| "transform_failed"
	| "lock_lost"
	| "write_unconfirmed"
	| "job_crashed"
	| "not_idle"
	| "used_after_delete"
	| "unknown_request_error"
	| "purchase_invalid_receipt"
	| "process_function_failed"
	| "gift_recipient_unavailable"
	| "gift_recipient_not_validated"
	| "purchase_save_not_found"
	| "remote_change_invalid"
	| "remote_change_queue_full"
	| "remote_change_key_full"
	| "remote_change_sender_destroyed"
	| "remote_change_shutdown";

/**
 * Message templates; `{name}` placeholders are filled by `formatErrorMessage`. Messages say what happened, what the
 * library did about it, and what the developer should do.
 *
 * @example
 * print(ErrorMessages.lock_lost);
 */
export const ErrorMessages: { readonly [K in LockerErrorKind]: string } = {
	request_failed: "DataStore request {operation} failed; retrying in {delay}s. Data and session are kept. ({detail})",
	request_fatal:
		"DataStore request {operation} failed with an error that retrying cannot fix; it will not be retried until the data changes or {delay}s pass. Data and session are kept. ({detail})",
	value_too_large:
		"Save data of key {key} is {size} characters of JSON, over the limit of {limit}; it was NOT written, NOT truncated and is kept in memory. Make the data smaller.",
	value_not_serializable:
		"Save data of key {key} cannot be stored: {detail}. Nothing was sent; the data and session are kept, and saving resumes once the data changes. Store only booleans, finite numbers, UTF-8 strings, buffers, arrays without holes and string-keyed dictionaries.",
	invalid_key: "DataStore key {key} is invalid: {detail}. Keys must be non-empty strings of at most 50 bytes.",
	invalid_save_data:
		"SaveDataCreator must return a table of save data at the LockerSpec's SaveDataVersion, got {detail}. Nothing was written; fix the creator of this LockerSpec.",
	invalid_stored_data:
		"The value stored at key {key} is not save data ({detail}). It was NOT overwritten; LoadStatus is invalid_data. Inspect or migrate the key by hand.",
	invalid_version:
		"Save data of key {key} has version {detail}, which this server (version {version}) cannot load; nothing was written. LoadMinimumServerVersion = {minimum}.",
	invalid_credit_amount:
		"{operation} was given {detail}; product ids must be whole numbers and amounts positive whole numbers. The credit is unchanged.",
	migration_failed:
		"A migrator or patcher threw while loading key {key} ({detail}). Nothing was written; the stored data is unchanged. Fix the migrator.",
	callback_failed: "LockerSpec callback {operation} threw: {detail}",
	callback_yielded: "LockerSpec callback {operation} yielded; callbacks must not yield (strict mode stopped it).",
	transform_failed:
		"The {operation} transform of key {key} failed inside UpdateAsync ({detail}). This is not a lost lock: data and session are kept and the request is retried.",
	lock_lost:
		"The session lock of key {key} was lost: {detail}. Nothing was written to the key; unsaved changes are discarded.",
	write_unconfirmed:
		"The save of key {key} was reported as done but reading it back did not find it ({detail}); waiters keep waiting and the save is retried in {delay}s.",
	job_crashed: "The {operation} job of key {key} crashed without a result; retrying in {delay}s.",
	not_idle: "{operation} needs an idle LockerState (no session, no request in flight, nothing in use); ignored.",
	used_after_delete: "{operation} was called on a deleted LockerState; ignored.",
	unknown_request_error: "Unknown DataStore error: {detail}",
	purchase_invalid_receipt:
		"ProductPurchaser got a receipt it cannot deduplicate ({detail}); it was NOT processed. Pass MarketplaceService's receiptInfo, never a DummyPPP's.",
	process_function_failed:
		"The ProductProcessFunction threw during {operation} for purchase {purchase} ({detail}). Its edits were rolled back; the purchase is retried in {delay}s and stays ungranted until then.",
	gift_recipient_unavailable:
		"The ProductProcessFunction gifted purchase {purchase} to key {key}, whose data is not loaded here. The gift was rolled back; {detail}.",
	gift_recipient_not_validated:
		"Purchase {purchase} was gifted to key {key} again, but `validate` did not name that recipient, so its repeated effect could not be rolled back. Return the recipient from `validate` as from `apply`.",
	purchase_save_not_found:
		"The save that should contain purchase {purchase} reported success, but key {key} does not contain it (a dropped write or a lost lock). Not granted; saving again.",
	remote_change_invalid: "RemoteChangeSender {operation}: {detail}. The changes were not stored.",
	remote_change_queue_full:
		"RemoteChangeSender.Send: {count} changes are already queued for key {key} (limit {limit}); the new changes were NOT queued. Retry later or raise MaxQueued.",
	remote_change_key_full:
		"Key {key} already stores {count} unprocessed remote changes (limit {limit}); {operation} did NOT add more. The changes stay queued and are retried.",
	remote_change_shutdown:
		"The server is shutting down and {count} change(s) for key {key} were not confirmed stored ({detail}); their sends failed (callback false). A write already in flight may still land; the holder then applies it once.",
	remote_change_sender_destroyed:
		"The RemoteChangeSender was destroyed with changes for key {key} not confirmed as sent ({detail}).",
};

export type ErrorFields = { readonly [name: string]: string | number | undefined };

/**
 * Fills a template of `ErrorMessages`.
 *
 * @example
 * formatErrorMessage("invalid_key", { key: "", detail: "empty" });
 */
export function formatErrorMessage(kind: LockerErrorKind, fields: ErrorFields): string {
	const [text] = ErrorMessages[kind].gsub("{(%w+)}", (name: string) => {
		const value = fields[name];
		return value === undefined ? "?" : tostring(value);
	});
	return text;
}

/** An error as kept on `LockerState.LastError` and given to reporters. */
export interface LockerError {
	readonly Kind: LockerErrorKind;
	/** Which operation failed: "UpdateAsync_Load", "UpdateAsync_Save", "Lifecycle", ... */
	readonly Operation: string;
	readonly Message: string;
	/**
	 * The message with the key replaced by `{datastorekey}`, so Roblox's Error Report groups occurrences for
	 * different players together. Default reporters log this one.
	 */
	readonly GroupMessage: string;
	/** For DataStore errors: the raw message and its classification. */
	readonly RequestMessage?: string;
	readonly RequestClass?: RequestErrorClass;
}

/** What a failed request contributes to an error: its message and class (the gateway's result has both). */
export interface RequestErrorInfo {
	ErrorMessage: string;
	Class?: RequestErrorClass;
}

/**
 * Builds the `LockerError` of an operation on one key: the key joins the message fields (and is grouped as
 * `{datastorekey}`), and a failed request adds its message and class.
 *
 * @example
 * const e = LockerErrorForKey("request_failed", "UpdateAsync_Save", "123", { delay: 10 }, gatewayResult);
 */
export function LockerErrorForKey(
	kind: LockerErrorKind,
	operation: string,
	key: string,
	fields: ErrorFields,
	request?: RequestErrorInfo,
): LockerError {
	const withKey: { [name: string]: string | number | undefined } = { key };
	for (const [k, v] of pairs(fields)) withKey[k as string] = v;
	return LockerErrorCreate(
		kind,
		operation,
		withKey,
		request !== undefined && request.Class !== undefined
			? { Message: request.ErrorMessage, Class: request.Class }
			: undefined,
	);
}

/**
 * Builds a `LockerError` whose message comes from the registry.
 *
 * @example
 * const e = LockerErrorCreate("lock_lost", "UpdateAsync_Save", { key: "123", detail: "foreign_session" });
 */
export function LockerErrorCreate(
	kind: LockerErrorKind,
	operation: string,
	fields: ErrorFields,
	request?: { Message: string; Class: RequestErrorClass },
): LockerError {
	const withOp: { [name: string]: string | number | undefined } = { operation };
	for (const [k, v] of pairs(fields)) withOp[k as string] = v;
	const message = formatErrorMessage(kind, withOp);
	const key = fields.key;
	let groupMessage = message;
	if (key !== undefined) {
		withOp.key = "{datastorekey}";
		const detail = fields.detail;
		// Only long keys are replaced inside free text: a key such as "1" would clobber digits in sizes and codes.
		if (typeIs(detail, "string") && tostring(key).size() >= 3) {
			withOp.detail = replacePlain(detail, tostring(key), "{datastorekey}");
		}
		groupMessage = formatErrorMessage(kind, withOp);
	}
	return {
		Kind: kind,
		Operation: operation,
		Message: message,
		GroupMessage: groupMessage,
		RequestMessage: request?.Message,
		RequestClass: request?.Class,
	};
}
