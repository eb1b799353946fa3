import { KeyInfoView, StoredSession } from "./format";

/**
 * The backend time (ms) of the holder's last write: `Session.HolderWriteTime` when a non-holder wrote since,
 * otherwise the key's `UpdatedTime`. Undefined when neither is known.
 *
 * @example
 * const written = holderWriteTimeMs(value.Session, keyInfo);
 */
export function holderWriteTimeMs(session: StoredSession, keyInfo: KeyInfoView | undefined): number | undefined {
	const marked = session.HolderWriteTime;
	if (typeIs(marked, "number")) return marked;
	return keyInfo?.UpdatedTime;
}

/**
 * The staleness predicate, entirely on the DataStore's clock: stale iff the estimated backend time now is more than
 * `expirySeconds` after the holder's last write. `backendNowSeconds` must be a lower bound of the real backend time,
 * so errors in the estimate delay a takeover instead of stealing a live lock.
 * **Never pass os.time(): server clocks are skewed; use `RequestGateway.BackendNow()`.**
 *
 * @example
 * const stale = isSessionStale(written, gateway.BackendNow()!, 1800);
 */
export function isSessionStale(holderWriteMs: number, backendNowSeconds: number, expirySeconds: number): boolean {
	return backendNowSeconds - holderWriteMs / 1000 > expirySeconds;
}
