import { FakeDataStore, ReadableDataStore } from "../gateway/FakeDataStore";
import { DataStoreLike, KeyInfoLike, UpdateTransform } from "../gateway/types";

/** Key read (never written) to find out whether this Studio session may use DataStores. */
export const STUDIO_PROBE_KEY = "__SessionLocker_StudioProbe";

/**
 * True for the errors Roblox gives when Studio has no DataStore access (item 41), or the place is unpublished.
 *
 * @example
 * isStudioAccessError("502: API Services rejected request with error. HTTP 403 (Forbidden)"); // true
 */
export function isStudioAccessError(message: string): boolean {
	return (
		message.find("403", 1, true)[0] !== undefined ||
		message.find("Forbidden", 1, true)[0] !== undefined ||
		message.find("publish this place", 1, true)[0] !== undefined ||
		message.find("API access", 1, true)[0] !== undefined
	);
}

let warnedNoAccess = false;

/** @internal for specs: forget that the warning was given */
export function resetStudioWarning(): void {
	warnedNoAccess = false;
}

export type StudioMode = "probing" | "live" | "memory";

/**
 * The DataStore an EasyStore uses in Studio. It asks the real DataStore once (a cancelled UpdateAsync, so nothing
 * is written) whether API access is enabled; requests wait for that answer. Without access it warns once per server
 * and serves every request from memory; with access it forwards them, under `KeyPrefix` if one is set so a Studio
 * session never touches production keys. EasyStoreCreate makes it; use it yourself for the Full API in Studio.
 *
 * @example
 * const store = new StudioDataStore(DataStoreService.GetDataStore("PlayerData"), "Studio_", false);
 * const spec: LockerSpec = { DataStore: store, SaveDataVersion: 1, SaveDataCreator: () => ({ Version: 1, VersionPatch: 0 }) };
 */
export class StudioDataStore implements DataStoreLike {
	Mode: StudioMode = "probing";
	readonly KeyPrefix: string;
	/** @internal */ readonly real: DataStoreLike;
	/** @internal */ readonly memory = new FakeDataStore();
	/** @internal */ readonly waiting = new Array<thread>();

	constructor(real: DataStoreLike, keyPrefix: string | undefined, forceMemory: boolean) {
		this.real = real;
		this.KeyPrefix = keyPrefix ?? "";
		if (forceMemory) {
			this.Mode = "memory";
			return;
		}
		task.spawn(() => this.probe());
	}

	/** @internal */
	probe(): void {
		const [ok, err] = pcall(() =>
			this.real.UpdateAsync(this.KeyPrefix + STUDIO_PROBE_KEY, () => $tuple(undefined, undefined, undefined)),
		);
		if (!ok && isStudioAccessError(tostring(err))) {
			this.Mode = "memory";
			if (!warnedNoAccess) {
				warnedNoAccess = true;
				warn(
					`[SessionLocker] Studio has no DataStore access (${tostring(err)}). Sessions run on an in-memory ` +
						`store and nothing is saved. Turn on "Enable Studio Access to API Services" to use real data.`,
				);
			}
		} else {
			this.Mode = "live";
		}
		const waiting = table.clone(this.waiting);
		this.waiting.clear();
		for (const thread of waiting) task.spawn(thread);
	}

	UpdateAsync(key: string, transform: UpdateTransform): LuaTuple<[unknown, KeyInfoLike | undefined]> {
		this.waitForProbe();
		if (this.Mode === "memory") return this.memory.UpdateAsync(key, transform);
		return this.real.UpdateAsync(this.KeyPrefix + key, transform);
	}

	/**
	 * Reads a key like `UpdateAsync` would see it: from memory without API access, else the real key under
	 * `KeyPrefix`. Read-only mode (`ReadOnlyDataStores`) reads each key once through this. Yields.
	 *
	 * @example
	 * const [value] = studioStore.GetAsync("123");
	 */
	GetAsync(key: string): LuaTuple<[unknown, KeyInfoLike | undefined]> {
		this.waitForProbe();
		if (this.Mode === "memory") return this.memory.GetAsync(key);
		return (this.real as unknown as ReadableDataStore).GetAsync(this.KeyPrefix + key);
	}

	/** @internal requests wait until the probe decided between real keys and memory */
	waitForProbe(): void {
		if (this.Mode !== "probing") return;
		this.waiting.push(coroutine.running());
		coroutine.yield();
	}
}
