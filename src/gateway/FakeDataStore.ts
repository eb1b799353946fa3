import { TableDeepCopy } from "../util/TableDeepCopy";
import { RequestGateway } from "./RequestGateway";
import { DataStoreLike, KeyInfoLike, UpdateTransform } from "./types";

/** A DataStore with GetAsync, as read-only mode needs to read the real data once. */
export interface ReadableDataStore {
	GetAsync(key: string): LuaTuple<[unknown, KeyInfoLike | undefined]>;
}

export interface FakeDataStoreOptions {
	/** Read each key once from this store (read-only mode); writes never reach it. */
	Source?: ReadableDataStore;
	/** Initial value of every key not yet touched (DataStoreTestData); deep-copied per key. */
	InitialValue?: unknown;
	/** Backend clock in milliseconds, used for keyInfo times. Default DateTime.now(). */
	Clock?: () => number;
}

/** One stored version: the value and its key info, kept together (v13's B6 cached the bare value). */
interface FakeRecord {
	Value: unknown;
	UserIds: Array<number>;
	Metadata: object;
	CreatedTime: number;
	UpdatedTime: number;
	Version: number;
}

class FakeKeyInfo implements KeyInfoLike {
	readonly CreatedTime: number;
	readonly UpdatedTime: number;
	readonly Version: string;
	/** @internal */ readonly userIds: Array<number>;
	/** @internal */ readonly metadata: object;
	constructor(record: FakeRecord) {
		this.CreatedTime = record.CreatedTime;
		this.UpdatedTime = record.UpdatedTime;
		this.Version = tostring(record.Version);
		this.userIds = record.UserIds;
		this.metadata = record.Metadata;
	}
	GetUserIds(): Array<number> {
		return table.clone(this.userIds);
	}
	GetMetadata(): object {
		return table.clone(this.metadata);
	}
}

interface Hold {
	Phase: "before" | "after";
	Waiting: Array<thread>;
	Released: boolean;
}

interface Fault {
	Message: string;
	Remaining: number;
	Mode: "error" | "commit-then-error";
}

/**
 * An in-memory DataStore: the backend of `ReadOnlyDataStores` and `DataStoreTestData`, and a test double for your
 * own specs. Values are deep-copied in and out, key info (times, user ids, metadata) is kept with each value, and
 * UpdateAsync runs its transform once per call without yielding, unless held with `Hold`.
 *
 * @example
 * const store = new FakeDataStore({ InitialValue: { Version: 1, VersionPatch: 0, Gold: 5 } });
 * const spec: LockerSpec = { DataStore: store, ... };
 */
export class FakeDataStore implements DataStoreLike {
	/** The gateway of this fake backend: its clock is not the real DataStore's, so it has its own estimate. */
	readonly Gateway: RequestGateway;
	/** @internal */ readonly records = new Map<string, FakeRecord>();
	/** @internal */ readonly touched = new Set<string>();
	/** @internal */ readonly holds = new Map<string, Hold>();
	/** @internal */ readonly faults = new Array<Fault>();
	/** @internal */ readonly options: FakeDataStoreOptions;
	/** @internal */ versionCounter = 0;
	/** UpdateAsync calls made. */
	RequestCount = 0;

	constructor(options?: FakeDataStoreOptions, gateway?: RequestGateway) {
		this.options = options ?? {};
		this.Gateway = gateway ?? new RequestGateway();
	}

	/** @internal */
	now(): number {
		const clock = this.options.Clock;
		return clock !== undefined ? clock() : DateTime.now().UnixTimestampMillis;
	}

	/** @internal first touch of a key: read the source or the initial value */
	load(key: string): FakeRecord | undefined {
		if (!this.touched.has(key)) {
			const source = this.options.Source;
			if (source !== undefined) {
				// A failed read raises (the request fails and is retried) and leaves the key untouched: marking it
				// first would turn one transient error into "missing key", and so into fresh default data.
				const [value, info] = source.GetAsync(key);
				// Another request may have read (and written) the key while this read yielded: keep its result.
				if (this.touched.has(key)) return this.records.get(key);
				this.touched.add(key);
				if (value !== undefined) {
					const now = this.now();
					this.records.set(key, {
						Value: TableDeepCopy(value),
						UserIds: info !== undefined ? info.GetUserIds() : [],
						Metadata: info !== undefined ? info.GetMetadata() : {},
						CreatedTime: info !== undefined ? info.CreatedTime : now,
						UpdatedTime: info !== undefined ? info.UpdatedTime : now,
						Version: 0,
					});
				}
			} else if (this.options.InitialValue !== undefined) {
				this.touched.add(key);
				const now = this.now();
				this.records.set(key, {
					Value: TableDeepCopy(this.options.InitialValue),
					UserIds: [],
					Metadata: {},
					CreatedTime: now,
					UpdatedTime: now,
					Version: 0,
				});
			}
		}
		return this.records.get(key);
	}

	/** @internal */
	waitHold(key: string, phase: "before" | "after"): void {
		const hold = this.holds.get(key);
		if (hold === undefined || hold.Released || hold.Phase !== phase) return;
		hold.Waiting.push(coroutine.running());
		coroutine.yield();
	}

	UpdateAsync(key: string, transform: UpdateTransform): LuaTuple<[unknown, KeyInfoLike | undefined]> {
		this.RequestCount += 1;
		this.waitHold(key, "before");
		const fault = this.faults[0];
		if (fault !== undefined && fault.Mode === "error") {
			this.consumeFault();
			error(fault.Message, 0);
		}
		const record = this.load(key);
		const current = record !== undefined ? TableDeepCopy(record.Value) : undefined;
		const info = record !== undefined ? new FakeKeyInfo(record) : undefined;
		const [value, userIds, metadata] = transform(current, info);
		this.waitHold(key, "after");
		if (value === undefined) return $tuple(undefined, undefined);
		const now = this.now();
		this.versionCounter += 1;
		const written: FakeRecord = {
			Value: TableDeepCopy(value),
			UserIds: userIds !== undefined ? table.clone(userIds) : [],
			Metadata: metadata !== undefined ? table.clone(metadata) : {},
			CreatedTime: record !== undefined ? record.CreatedTime : now,
			UpdatedTime: now,
			Version: this.versionCounter,
		};
		this.records.set(key, written);
		const after = this.faults[0];
		if (after !== undefined && after.Mode === "commit-then-error") {
			this.consumeFault();
			error(after.Message, 0);
		}
		return $tuple(TableDeepCopy(written.Value), new FakeKeyInfo(written));
	}

	GetAsync(key: string): LuaTuple<[unknown, KeyInfoLike | undefined]> {
		const record = this.load(key);
		if (record === undefined) return $tuple(undefined, undefined);
		return $tuple(TableDeepCopy(record.Value), new FakeKeyInfo(record));
	}

	/**
	 * Test helper: the stored value (a copy), its user ids and metadata, without any request.
	 *
	 * @example
	 * const [value, userIds] = store.Read("123");
	 */
	Read(key: string): LuaTuple<[unknown, Array<number> | undefined, object | undefined]> {
		const record = this.load(key);
		if (record === undefined) return $tuple(undefined, undefined, undefined);
		return $tuple(TableDeepCopy(record.Value), table.clone(record.UserIds), table.clone(record.Metadata));
	}

	/**
	 * Test helper: replaces a key's value (and optionally user ids and metadata) directly; undefined removes it.
	 *
	 * @example
	 * store.Write("123", "legacy text"); // test invalid_data
	 */
	Write(key: string, value: unknown, userIds?: Array<number>, metadata?: object): void {
		this.touched.add(key);
		if (value === undefined) {
			this.records.delete(key);
			return;
		}
		const now = this.now();
		const previous = this.records.get(key);
		this.versionCounter += 1;
		this.records.set(key, {
			Value: TableDeepCopy(value),
			UserIds: userIds ?? [],
			Metadata: metadata ?? {},
			CreatedTime: previous !== undefined ? previous.CreatedTime : now,
			UpdatedTime: now,
			Version: this.versionCounter,
		});
	}

	/**
	 * Test helper: requests on `key` stop before the transform runs (`"before"`) or after it ran but before the
	 * write commits (`"after"`), until the returned function is called.
	 *
	 * @example
	 * const release = store.Hold("123", "after");
	 * ls.MarkForceSave(); // the save is now in flight
	 * release();
	 */
	Hold(key: string, phase: "before" | "after"): () => void {
		const hold: Hold = { Phase: phase, Waiting: [], Released: false };
		this.holds.set(key, hold);
		return () => {
			hold.Released = true;
			if (this.holds.get(key) === hold) this.holds.delete(key);
			for (const thread of hold.Waiting) task.spawn(thread);
			hold.Waiting.clear();
		};
	}

	/**
	 * Test helper: the next `count` UpdateAsync calls fail with `message` ("error": nothing written;
	 * "commit-then-error": written, then the caller gets the error).
	 *
	 * @example
	 * store.FailNext("304: UpdateAsync request dropped. Request was throttled.", 2);
	 */
	FailNext(message: string, count?: number, mode?: "error" | "commit-then-error"): void {
		this.faults.push({ Message: message, Remaining: count ?? 1, Mode: mode ?? "error" });
	}

	/** @internal */
	consumeFault(): void {
		const fault = this.faults[0];
		if (fault === undefined) return;
		fault.Remaining -= 1;
		if (fault.Remaining <= 0) this.faults.shift();
	}
}

const readOnlyBackends = new Map<unknown, FakeDataStore>();

/**
 * The shared in-memory backend that read-only lockers of one real DataStore use on this server (shared so that
 * a release and a re-acquire see each other's writes).
 */
export function readOnlyBackendFor(store: ReadableDataStore): FakeDataStore {
	let backend = readOnlyBackends.get(store);
	if (backend === undefined) {
		backend = new FakeDataStore({ Source: store });
		readOnlyBackends.set(store, backend);
	}
	return backend;
}

const testDataBackends = new Map<unknown, FakeDataStore>();

/** The shared in-memory backend seeded with a spec's DataStoreTestData. */
export function testDataBackendFor(spec: object, initialValue: unknown): FakeDataStore {
	let backend = testDataBackends.get(spec);
	if (backend === undefined) {
		backend = new FakeDataStore({ InitialValue: initialValue });
		testDataBackends.set(spec, backend);
	}
	return backend;
}
