/**
 * How urgent a DataStore request is, most urgent first. Under budget pressure the gateway sends the most urgent
 * waiting request first and holds the least urgent ones back, so a release never waits behind an autosave.
 *
 * - `release`: a save that ends a session (leaving, shutdown); also every request while the server closes.
 * - `purchase`: a save or read-back a developer-product purchase waits for.
 * - `load`: acquiring a session (a player is waiting to play).
 * - `save`: a save someone asked for (a forced save, a remote change).
 * - `autosave`: a periodic save nobody waits for.
 * - `readback`: a read that only confirms something (a check of a remote change).
 *
 * @example
 * gateway.Update(store, key, produce, userIds, "UpdateAsync_Save", "autosave");
 */
export type RequestPriority = "release" | "purchase" | "load" | "save" | "autosave" | "readback";

/** @internal rank of each priority: lower goes first. */
export const PRIORITY_RANK: { readonly [P in RequestPriority]: number } = {
	release: 0,
	purchase: 1,
	load: 2,
	save: 3,
	autosave: 4,
	readback: 5,
};

/**
 * @internal
 * Budget (requests) a priority leaves untouched for more urgent ones. Requests someone waits for are never held for
 * budget: the DataStore queues them itself, and holding them here as well delayed purchases measurably. Autosaves
 * and read-backs wait while less than this much budget is left, so they never crowd out the others.
 */
export const PRIORITY_RESERVE: { readonly [P in RequestPriority]: number } = {
	release: -math.huge,
	purchase: -math.huge,
	load: -math.huge,
	save: -math.huge,
	autosave: 30,
	readback: 30,
};

const BY_OPERATION: ReadonlyMap<string, RequestPriority> = new Map<string, RequestPriority>([
	["UpdateAsync_Release", "release"],
	["UpdateAsync_ReleaseOrphan", "release"],
	["UpdateAsync_VerifyRelease", "release"],
	["UpdateAsync_VerifyPurchase", "purchase"],
	["UpdateAsync_Load", "load"],
	["UpdateAsync_ClockProbe", "load"],
]);

/**
 * @internal
 * The priority of a request whose caller did not declare one, from its operation name. A plain
 * `UpdateAsync_Save` counts as a requested save: only the caller knows whether it is an autosave.
 */
export function priorityOfOperation(operation: string): RequestPriority {
	return BY_OPERATION.get(operation) ?? "save";
}
