/// <reference types="@rbxts/testez/globals" />
import { LockerWorld, WorldData } from "../../test/helpers/world";
import { Kit } from "../../test/kit";
import { Defaults } from "../config";
import { FakeDataStore } from "../gateway/FakeDataStore";
import { DataStoreLike, KeyInfoLike, UpdateTransform } from "../gateway/types";
import { RawSaveData, StoredSession } from "../protocol/format";
import { LockerCreate } from "./LockerCreate";
import { LifecycleReason, LifecycleStatus } from "./LockerSpec";
import { LockerState } from "./LockerState";

interface Data extends WorldData {
	Big?: string;
}

/** Runs the real store's transform, then returns nil without committing: what Roblox does when a transform throws. */
class SwallowingStore implements DataStoreLike {
	swallow = false;
	constructor(readonly inner: FakeDataStore) {}
	UpdateAsync(key: string, transform: UpdateTransform): LuaTuple<[unknown, KeyInfoLike | undefined]> {
		if (!this.swallow) return this.inner.UpdateAsync(key, transform);
		const [value] = this.inner.GetAsync(key);
		transform(value, undefined);
		return $tuple(undefined, undefined);
	}
}

function count(list: Array<string>, item: string): number {
	let n = 0;
	for (const x of list) if (x === item) n += 1;
	return n;
}

export = () => {
	describe("request errors", () => {
		it("retries a retryable save error with backoff, keeping session, data and waiters", () => {
			const world = new LockerWorld<Data>();
			const ls = world.loaded();
			ls.SaveData.Gold = 5;
			ls.MarkForceSave();
			let saved: boolean | undefined;
			ls.WhenChangesSaved(s => (saved = s));
			world.store.FailNext("502: API Services rejected request with error. HTTP 500 (Internal Server Error)");
			world.update(ls, 2);
			expect(ls.LastError!.Kind).to.equal("request_failed");
			expect(ls.LastError!.RequestClass!.Retry).to.equal("retry");
			expect(ls.Session).to.be.ok();
			expect(ls.SaveData.Gold).to.equal(5);
			const requests = world.store.RequestCount;
			world.advance(7); // below the jittered 10 s cooldown (at least 8 s)
			world.update(ls, 2);
			expect(world.store.RequestCount).to.equal(requests);
			world.advance(6);
			world.update(ls, 2);
			Kit.flush();
			expect(saved).to.equal(true);
			expect(ls.LastError).to.equal(undefined);
		});

		it("backs off exponentially on repeated failures", () => {
			const world = new LockerWorld<Data>();
			const ls = world.loaded({ SessionRetryCooldown: 10 });
			world.store.FailNext("304: UpdateAsync request dropped. Request was throttled.", 3);
			ls.MarkForceSave();
			world.update(ls, 2); // failure 1: ~10 s
			world.advance(13);
			world.update(ls, 2); // failure 2: ~20 s
			const requests = world.store.RequestCount;
			world.advance(14);
			world.update(ls, 2);
			expect(world.store.RequestCount).to.equal(requests);
			world.advance(12);
			world.update(ls, 2);
			expect(world.store.RequestCount).to.equal(requests + 1);
		});

		it("reports a fatal error once, keeps everything, and does not retry until the data changes", () => {
			const world = new LockerWorld<Data>();
			const ls = world.loaded({ MaintainSessionPeriod: 300 });
			world.store.FailNext("104: Cannot store Dictionary in data store.", 100);
			ls.SaveData.Gold = 8;
			ls.MarkForceSave();
			world.update(ls, 2);
			expect(ls.LastError!.Kind).to.equal("request_fatal");
			expect(ls.Session).to.be.ok();
			expect(ls.SaveData.Gold).to.equal(8);
			const requests = world.store.RequestCount;
			world.advance(60);
			world.update(ls, 5);
			expect(world.store.RequestCount).to.equal(requests);
			world.advance(300);
			world.update(ls, 3); // one retry per maintain period: same error, not reported again
			expect(world.store.RequestCount).to.equal(requests + 1);
			expect(count(world.kinds(), "request_fatal")).to.equal(1);
			ls.SaveData.Gold = 9;
			ls.MarkForceSave(); // the data changed, so a retry is no longer blind
			world.update(ls, 2);
			expect(world.store.RequestCount).to.equal(requests + 2);
		});

		it("blocks a load on a fatal error until released and re-acquired", () => {
			const world = new LockerWorld<Data>();
			world.store.FailNext("403: Cannot write to DataStore from studio if API access is not enabled.", 1);
			const ls = LockerCreate(world.spec(), "k");
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LoadStatus).to.equal("data_store_request_fail");
			expect(ls.LastError!.Kind).to.equal("request_fatal");
			world.advance(100);
			world.update(ls, 3);
			expect(world.store.RequestCount).to.equal(1);
			ls.MarkShouldRelease();
			world.update(ls, 2);
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LoadStatus).to.equal("loaded");
		});

		it("detects a value over the size limit before sending, reports its size, keeps the data", () => {
			const world = new LockerWorld<Data>();
			const ls = world.loaded();
			ls.SaveData.Big = string.rep("x", 4_200_000);
			ls.MarkForceSave();
			const requests = world.store.RequestCount;
			world.update(ls, 2);
			expect(world.store.RequestCount).to.equal(requests);
			expect(ls.LastError!.Kind).to.equal("value_too_large");
			expect(ls.LastError!.Message.find("4200", 1, true)[0]).to.be.ok();
			expect(ls.SaveData.Big!.size()).to.equal(4_200_000);
			expect(ls.Session).to.be.ok();
			ls.SaveData.Big = undefined;
			ls.MarkForceSave();
			world.update(ls, 2);
			expect(world.store.RequestCount).to.equal(requests + 1);
			expect(ls.LastError).to.equal(undefined);
		});

		it("reports values that cannot be stored as JSON without sending them", () => {
			const world = new LockerWorld<Data>();
			const ls = world.loaded();
			const cyclic: Record<string, unknown> = {};
			cyclic.Self = cyclic;
			(ls.SaveData as unknown as RawSaveData).Bad = cyclic;
			ls.MarkForceSave();
			const requests = world.store.RequestCount;
			world.update(ls, 2);
			expect(world.store.RequestCount).to.equal(requests);
			expect(ls.LastError!.Kind).to.equal("value_not_serializable");
		});
	});

	describe("errors inside transforms", () => {
		it("a save whose UpdateAsync returns nil after the transform is retried, not treated as a lost lock", () => {
			const world = new LockerWorld<Data>();
			const store = new SwallowingStore(world.store);
			const events = new Array<string>();
			const ls = LockerCreate(
				world.spec(
					{
						Lifecycle: (_, s: LifecycleStatus, r: LifecycleReason) => events.push(`${s}:${r}`),
					},
					store,
				),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			ls.SaveData.Gold = 4;
			ls.MarkForceSave();
			store.swallow = true;
			world.update(ls, 2);
			expect(ls.LastError!.Kind).to.equal("transform_failed");
			expect(events.indexOf("replaced:r_lost")).to.equal(-1);
			expect(ls.Session).to.be.ok();
			expect(ls.SaveData.Gold).to.equal(4);
			store.swallow = false;
			world.advance(15);
			world.update(ls, 2);
			expect((world.store.Read("k")[0] as Data).Gold).to.equal(4);
		});

		it("a throwing migrator is reported, leaves the stored data untouched and is not retried blindly", () => {
			const world = new LockerWorld<Data>();
			world.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 12 });
			const ls = LockerCreate(
				world.spec({
					SaveDataVersion: 2,
					SaveDataCreator: () => ({ Version: 2, VersionPatch: 0, Gold: 0 }),
					SaveDataMigrators: {
						1: () => {
							error("migrator bug");
						},
					},
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LastError!.Kind).to.equal("migration_failed");
			expect(ls.LoadStatus).to.equal("invalid_version");
			expect(ls.LoadMinimumServerVersion).to.equal(3);
			const stored = world.store.Read("k")[0] as Data;
			expect(stored.Gold).to.equal(12);
			expect(stored.Version).to.equal(1);
			expect(stored.Session).to.equal(undefined);
			const requests = world.store.RequestCount;
			world.advance(100);
			world.update(ls, 3);
			expect(world.store.RequestCount).to.equal(requests);
		});
	});

	describe("unreadable or incompatible stored data", () => {
		it("a non-table value gives invalid_data, is reported and never overwritten", () => {
			const world = new LockerWorld<Data>();
			world.store.Write("k", "legacy gold=5");
			const ls = LockerCreate(world.spec(), "k");
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LoadStatus).to.equal("invalid_data");
			expect(ls.LastError!.Kind).to.equal("invalid_stored_data");
			world.advance(100);
			world.update(ls, 5);
			expect(world.store.Read("k")[0]).to.equal("legacy gold=5");
		});

		it("a future version gives invalid_version with LoadMinimumServerVersion and writes nothing", () => {
			const world = new LockerWorld<Data>();
			world.store.Write("k", { Version: 5, VersionPatch: 0, Gold: 1 });
			const ls = LockerCreate(world.spec(), "k");
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LoadStatus).to.equal("invalid_version");
			expect(ls.LoadMinimumServerVersion).to.equal(5);
			expect(ls.LastError!.Kind).to.equal("invalid_version");
			expect((world.store.Read("k")[0] as Data).Session).to.equal(undefined);
		});

		it("migrates on load and persists the migration with the lock", () => {
			const world = new LockerWorld<Data>();
			world.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 2 });
			const ls = LockerCreate(
				world.spec({
					SaveDataVersion: 2,
					SaveDataCreator: () => ({ Version: 2, VersionPatch: 0, Gold: 0 }),
					SaveDataMigrators: {
						1: (d: RawSaveData) => {
							d.Gold = (d.Gold as number) * 10;
							return 3;
						},
					},
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.SaveData.Gold).to.equal(20);
			const stored = world.store.Read("k")[0] as Data;
			expect(stored.Version).to.equal(2);
			expect(stored.VersionPatch).to.equal(3);
			expect(stored.Gold).to.equal(20);
			expect(stored.Session).to.be.ok();
		});
	});

	describe("bad input", () => {
		it("rejects empty and over-long keys at creation", () => {
			const world = new LockerWorld<Data>();
			const [ok1, e1] = pcall(() => LockerCreate(world.spec(), string.rep("k", 51)));
			expect(ok1).to.equal(false);
			expect(tostring(e1).find("51 bytes", 1, true)[0]).to.be.ok();
			const [ok2] = pcall(() => LockerCreate(world.spec(), ""));
			expect(ok2).to.equal(false);
			const [ok3] = pcall(() => LockerCreate(world.spec(), string.rep("k", 50)));
			expect(ok3).to.equal(true);
		});

		it("rejects a creator that does not return a table, with a clear message", () => {
			const world = new LockerWorld<Data>();
			const [ok, e] = pcall(() => LockerCreate(world.spec({ SaveDataCreator: () => 5 as unknown as Data }), "k"));
			expect(ok).to.equal(false);
			expect(tostring(e).find("SaveDataCreator must return a table", 1, true)[0]).to.be.ok();
		});
	});

	describe("creator failing inside the load transform", () => {
		it("reports invalid_save_data, writes nothing and stops loading", () => {
			const world = new LockerWorld<Data>();
			let calls = 0;
			const ls = LockerCreate(
				world.spec({
					SaveDataCreator: () => {
						calls += 1;
						if (calls > 1) error("creator bug");
						return { Version: 1, VersionPatch: 0, Gold: 0 };
					},
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LastError!.Kind).to.equal("invalid_save_data");
			expect(ls.LastError!.Message.find("creator bug", 1, true)[0]).to.be.ok();
			expect(ls.LoadStatus).to.equal("data_store_request_fail");
			expect(world.store.Read("k")[0]).to.equal(undefined);
			const requests = world.store.RequestCount;
			world.advance(60);
			world.update(ls, 3);
			expect(world.store.RequestCount).to.equal(requests);
		});
	});

	describe("default reporter", () => {
		it("warns errors when the spec sets no reporter", () => {
			const world = new LockerWorld<Data>();
			world.store.Write("k", 5);
			const spec = world.spec();
			spec.ReportDataStoreError = undefined;
			const host = Kit.host();
			host.clearOutput();
			const ls = LockerCreate(spec, "k");
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			const warnings = host.outputOf("warn");
			let found: string | undefined;
			for (const w of warnings) if (w.find("ReportDataStoreError", 1, true)[0] !== undefined) found = w;
			expect(found).to.be.ok();
			// The key is replaced by a placeholder for Error Report grouping, without mangling other words.
			expect(found!.find("at key {datastorekey} is not save data", 1, true)[0]).to.be.ok();
		});

		it("keeps backend errors quiet unless verbose", () => {
			const world = new LockerWorld<Data>();
			const spec = world.spec();
			spec.ReportDataStoreError = undefined;
			const ls = LockerCreate(spec, "k");
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			const host = Kit.host();
			host.clearOutput();
			world.store.FailNext("502: API Services rejected request with error. HTTP 500 (Internal Server Error)");
			ls.MarkForceSave();
			world.update(ls, 2);
			expect(ls.LastError!.Kind).to.equal("request_failed");
			expect(host.outputOf("warn").size()).to.equal(0);
			Defaults.VerboseLogs = true;
			world.store.FailNext("502: API Services rejected request with error. HTTP 500 (Internal Server Error)");
			world.advance(30);
			world.update(ls, 2);
			Defaults.VerboseLogs = false;
			expect(host.outputOf("warn").size()).to.equal(1);
		});
	});

	describe("strict mode", () => {
		it("stops a yielding lifecycle callback and reports callback_yielded", () => {
			const world = new LockerWorld<Data>();
			const ls = world.loaded({
				StrictMode: true,
				Lifecycle: (_ls: LockerState<Data>, status: LifecycleStatus) => {
					if (status === "saved") task.wait(1);
				},
			});
			const host = Kit.host();
			host.clearOutput();
			ls.MarkForceSave();
			world.update(ls, 2);
			expect(world.kinds().indexOf("callback_yielded") >= 0).to.equal(true);
			// Loud: a script error as well as the report.
			let loud = false;
			for (const line of host.outputOf("error")) if (line.find("yielded", 1, true)[0] !== undefined) loud = true;
			expect(loud).to.equal(true);
		});

		it("makes the offline snapshot given to the merge callback read-only", () => {
			const world = new LockerWorld<Data>();
			const ls = LockerCreate(
				world.spec({
					StrictMode: true,
					MergeOfflineSaveDataWithLoadedSaveData: (_ls, offline: Data) => {
						offline.Gold = 1;
					},
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			const kinds = world.kinds();
			expect(kinds.indexOf("callback_failed") >= 0).to.equal(true);
			expect(ls.LastError!.Message.find("readonly", 1, true)[0]).to.be.ok();
		});

		it("turns MarkDeleted on a busy locker into an error, and only reports it otherwise", () => {
			const world = new LockerWorld<Data>();
			const strict = world.loaded({ StrictMode: true });
			const [ok] = pcall(() => strict.MarkDeleted());
			expect(ok).to.equal(false);
			expect(strict.IsDeleted).to.equal(false);
			// Another key: on the same key this server's gateway would find the strict locker's lock.
			const relaxed = world.loaded(undefined, "k2");
			const [ok2] = pcall(() => relaxed.MarkDeleted());
			expect(ok2).to.equal(true);
			expect(relaxed.IsDeleted).to.equal(false);
			expect(relaxed.LastError!.Kind).to.equal("not_idle");
		});

		it("stops a yielding migrator inside the load transform", () => {
			const world = new LockerWorld<Data>();
			world.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 1 });
			const ls = LockerCreate(
				world.spec({
					StrictMode: true,
					SaveDataVersion: 2,
					SaveDataCreator: () => ({ Version: 2, VersionPatch: 0, Gold: 0 }),
					SaveDataMigrators: {
						1: () => {
							task.wait(1);
							return 0;
						},
					},
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update(ls, 2);
			expect(ls.LastError!.Kind).to.equal("migration_failed");
			expect(ls.LastError!.Message.find("yielded", 1, true)[0]).to.be.ok();
			expect((world.store.Read("k")[0] as Data).Version).to.equal(1);
		});

		it("reports use after delete", () => {
			const world = new LockerWorld<Data>();
			const ls = LockerCreate(world.spec(), "k");
			ls.SessionUpdate(world.mono);
			ls.MarkDeleted();
			ls.MarkShouldAcquire();
			expect(ls.LastError!.Kind).to.equal("used_after_delete");
			expect(ls.SessionUpdate(world.mono)).to.equal(true);
		});
	});

	describe("crashed jobs", () => {
		it("a job that dies without a result is reported and retried", () => {
			const world = new LockerWorld<Data>();
			const ls = world.loaded({
				Lifecycle: (_ls: LockerState<Data>, status: LifecycleStatus) => {
					if (status === "before_save") error("callback bug");
				},
			});
			// Lifecycle errors are caught, so crash the job by making the gateway itself throw.
			(ls.gateway as unknown as { Measure: unknown }).Measure = () => error("gateway bug");
			ls.MarkForceSave();
			world.update(ls, 3);
			expect(world.kinds().indexOf("job_crashed") >= 0).to.equal(true);
			expect(world.kinds().indexOf("callback_failed") >= 0).to.equal(true);
			expect(ls.Session).to.be.ok();
		});
	});
};
