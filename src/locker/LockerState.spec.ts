/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../test/kit";
import { Defaults } from "../config";
import { FakeDataStore } from "../gateway/FakeDataStore";
import { RequestGateway, RequestGatewayCreate } from "../gateway/RequestGateway";
import { SaveData, StoredSession } from "../protocol/format";
import { LockerCreate } from "./LockerCreate";
import { LifecycleReason, LifecycleStatus, LockerSpec } from "./LockerSpec";
import { LockerState } from "./LockerState";

interface Data extends SaveData {
	Gold: number;
}

/**
 * Two "servers" in one place: each has its own gateway (identity, monotonic clock), both share one in-memory
 * backend whose clock the spec drives. FakeDataStore answers without yielding, so a job finishes inside the
 * SessionUpdate that starts it and its result is applied on the next one.
 */
class World {
	backendMs = 1_780_000_000_000;
	mono = 1000;
	readonly store = new FakeDataStore({ Clock: () => this.backendMs });
	advance(seconds: number) {
		this.backendMs += seconds * 1000;
		this.mono += seconds;
	}
	gateway(jobId: string): RequestGateway {
		return RequestGatewayCreate({ Clock: () => this.mono, PlaceId: 1, JobId: jobId, Random: new Random(3) });
	}
	spec(gateway: RequestGateway, extra?: Partial<LockerSpec<Data>>): LockerSpec<Data> {
		const spec: LockerSpec<Data> = {
			DataStore: this.store,
			Gateway: gateway,
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
			ReportDataStoreError: () => {},
		};
		if (extra) for (const [k, v] of pairs(extra)) (spec as unknown as Record<string, unknown>)[k] = v;
		return spec;
	}
	update(lockers: Array<LockerState<Data>>, ticks = 1): Array<boolean> {
		let results: Array<boolean> = [];
		for (let i = 0; i < ticks; i++) {
			results = lockers.map(ls => ls.SessionUpdate(this.mono));
			this.mono += 1 / 60;
			this.backendMs += 1000 / 60;
		}
		return results;
	}
	stored(key = "k"): Record<string, unknown> | undefined {
		const [value] = this.store.Read(key);
		return value as Record<string, unknown> | undefined;
	}
}

export = () => {
	describe("LockerState: load, save, release", () => {
		it("loads a new key with our lock, keeps SaveData the same table, and carries user ids", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k", [11]);
			const saveData = ls.SaveData;
			expect(ls.LoadStatus).to.equal("loading");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.State).to.equal("held");
			expect(ls.SaveData).to.equal(saveData);
			const stored = world.stored()!;
			expect((stored.Session as StoredSession).JobId).to.equal("A");
			const [, userIds] = world.store.Read("k");
			expect(userIds![0]).to.equal(11);
		});

		it("a locker created without user ids keeps the key's user ids instead of clearing them", () => {
			const world = new World();
			world.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 3 }, [77]);
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			ls.MarkForceSave();
			world.update([ls], 2);
			expect(world.store.Read("k")[1]![0]).to.equal(77);
		});

		it("keeps the key's metadata on every write", () => {
			const world = new World();
			world.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 3 }, [11], { Tag: "keep" });
			const ls = LockerCreate(world.spec(world.gateway("A")), "k", [11]);
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			ls.SaveData.Gold = 4;
			ls.MarkForceSave();
			world.update([ls], 2);
			const [value, , metadata] = world.store.Read("k");
			expect((value as Data).Gold).to.equal(4);
			expect((metadata as { Tag?: string }).Tag).to.equal("keep");
		});

		it("saves when forced and resolves WhenChangesSaved with true", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			ls.SaveData.Gold = 10;
			ls.MarkForceSave();
			let result: boolean | undefined;
			ls.WhenChangesSaved(saved => (result = saved));
			world.update([ls], 2);
			Kit.flush();
			expect(result).to.equal(true);
			expect((world.stored()! as unknown as Data).Gold).to.equal(10);
		});

		it("autosaves every MaintainSessionPeriod and not before", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A"), { MaintainSessionPeriod: 300 }), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			const afterLoad = world.store.RequestCount;
			ls.SaveData.Gold = 1;
			ls.MarkShouldSave();
			world.advance(290);
			world.update([ls], 3);
			expect(world.store.RequestCount).to.equal(afterLoad);
			world.advance(15);
			world.update([ls], 3);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			expect((world.stored()! as unknown as Data).Gold).to.equal(1);
		});

		it("releases with Session = nil, resets to defaults, goes idle and fires idling once", () => {
			const world = new World();
			const events = new Array<string>();
			const ls = LockerCreate(
				world.spec(world.gateway("A"), {
					Lifecycle: (_, status: LifecycleStatus, reason: LifecycleReason) =>
						events.push(`${status}:${reason}`),
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			ls.SaveData.Gold = 7;
			ls.MarkShouldSave();
			ls.MarkShouldRelease();
			world.update([ls], 2);
			const stored = world.stored()!;
			expect(stored.Session).to.equal(undefined);
			expect(stored.Gold).to.equal(7);
			expect(ls.SaveData.Gold).to.equal(0);
			expect(ls.Session).to.equal(undefined);
			const results = world.update([ls], 5);
			expect(results[0]).to.equal(true);
			expect(ls.IsIdling).to.equal(true);
			let idling = 0;
			for (const e of events) if (e === "idling:none") idling += 1;
			expect(idling).to.equal(1);
			expect(events.indexOf("saved:none") < events.indexOf("replaced:r_released", 1)).to.equal(true);
			ls.MarkDeleted();
			expect(ls.IsDeleted).to.equal(true);
			expect(events[events.size() - 1]).to.equal("deleted:none");
		});

		it("runs at most one request at a time", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			const release = world.store.Hold("k", "before");
			ls.MarkForceSave();
			world.update([ls], 1);
			const count = world.store.RequestCount;
			for (let i = 0; i < 5; i++) {
				ls.MarkForceSave();
				world.update([ls], 3);
			}
			expect(world.store.RequestCount).to.equal(count);
			release();
			world.update([ls], 4);
			// The held save's transform ran after all the marks, so its one write covers them all.
			expect(world.store.RequestCount).to.equal(count);
			expect(ls.ChangeId_Saved).to.equal(ls.ChangeId_Pending);
		});
	});

	describe("LockerState: two servers", () => {
		it("the second server waits while the first holds, then loads the first's data after release", () => {
			const world = new World();
			const a = LockerCreate(world.spec(world.gateway("A")), "k");
			const b = LockerCreate(world.spec(world.gateway("B")), "k");
			a.MarkShouldAcquire();
			world.update([a], 2);
			a.SaveData.Gold = 42;
			a.MarkForceSave();
			world.update([a], 2);
			b.MarkShouldAcquire();
			world.update([b], 3);
			expect(b.LoadStatus).to.equal("session_is_locked");
			a.MarkShouldRelease();
			world.update([a], 3);
			world.advance(15);
			world.update([b], 3);
			expect(b.LoadStatus).to.equal("loaded");
			expect(b.SaveData.Gold).to.equal(42);
		});

		it("takes over a crashed holder's lock after the expiry, calibrating its clock with one probe", () => {
			const world = new World();
			const gatewayB = world.gateway("B");
			const a = LockerCreate(world.spec(world.gateway("A")), "k");
			a.MarkShouldAcquire();
			world.update([a], 2);
			a.SaveData.Gold = 5;
			a.MarkForceSave();
			world.update([a], 2);
			// A crashes: nobody updates it again.
			const b = LockerCreate(world.spec(gatewayB), "k");
			b.MarkShouldAcquire();
			world.update([b], 2);
			expect(b.LoadStatus).to.equal("session_is_locked");
			expect(gatewayB.RequestCountByOperation.get("UpdateAsync_ClockProbe")).to.equal(1);
			world.advance(1700);
			world.update([b], 2);
			expect(b.LoadStatus).to.equal("session_is_locked");
			world.advance(120);
			world.update([b], 2);
			expect(b.LoadStatus).to.equal("loaded");
			expect(b.SaveData.Gold).to.equal(5);
			expect(gatewayB.RequestCountByOperation.get("UpdateAsync_ClockProbe")).to.equal(1);
		});

		it("fences out a zombie holder: its save after a takeover writes nothing over the new holder", () => {
			const world = new World();
			const events = new Array<string>();
			const a = LockerCreate(
				world.spec(world.gateway("A"), {
					Lifecycle: (_, status: LifecycleStatus, reason: LifecycleReason) =>
						events.push(`${status}:${reason}`),
				}),
				"k",
			);
			const b = LockerCreate(world.spec(world.gateway("B")), "k");
			a.MarkShouldAcquire();
			world.update([a], 2);
			// A pauses for longer than the expiry; B takes over and writes.
			world.advance(1900);
			b.MarkShouldAcquire();
			world.update([b], 3);
			expect(b.LoadStatus).to.equal("loaded");
			b.SaveData.Gold = 99;
			b.MarkForceSave();
			world.update([b], 2);
			// A resumes with unsaved changes and tries to save.
			a.SaveData.Gold = 1;
			a.MarkForceSave();
			let waiter: boolean | undefined;
			a.WhenChangesSaved(saved => (waiter = saved));
			world.update([a], 2);
			Kit.flush();
			expect(world.stored()!.Gold).to.equal(99);
			expect((world.stored()!.Session as StoredSession).JobId).to.equal("B");
			expect(a.LastError!.Kind).to.equal("lock_lost");
			expect(events.indexOf("replaced:r_lost") >= 0).to.equal(true);
			expect(waiter).to.equal(false);
			expect(a.SaveData.Gold).to.equal(0);
			// A keeps trying to load and sees B's lock.
			world.update([a], 3);
			expect(a.LoadStatus).to.equal("session_is_locked");
		});
	});

	describe("LockerState: self-check", () => {
		it("stops reporting itself available once its saves have failed for longer than the expiry", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A"), { SessionExpiry: 100 }), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			expect(ls.IsAvailable()).to.equal(true);
			world.store.FailNext("503: InternalError", 1000);
			world.advance(80);
			ls.MarkForceSave();
			world.update([ls], 2);
			expect(ls.IsAvailable()).to.equal(true);
			world.advance(30);
			world.update([ls], 2);
			expect(ls.IsSessionFresh()).to.equal(false);
			expect(ls.IsAvailable()).to.equal(false);
			world.store.faults.clear();
			world.advance(60);
			world.update([ls], 3);
			expect(ls.IsAvailable()).to.equal(true);
		});
	});

	describe("LockerState: races", () => {
		it("a re-acquire that lands before the release transform runs cancels the release", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			const release = world.store.Hold("k", "before");
			ls.MarkShouldRelease();
			world.update([ls], 2);
			expect(ls.State).to.equal("releasing");
			ls.MarkShouldAcquire();
			release();
			world.update([ls], 3);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.State).to.equal("held");
			expect((world.stored()!.Session as StoredSession).JobId).to.equal("A");
		});

		it("a re-acquire after the release was written loads again cleanly", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			ls.SaveData.Gold = 3;
			ls.MarkShouldSave();
			const release = world.store.Hold("k", "after");
			ls.MarkShouldRelease();
			world.update([ls], 2);
			ls.MarkShouldAcquire();
			release();
			world.update([ls], 4);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.SaveData.Gold).to.equal(3);
		});

		it("keeps waiters for changes made during an in-flight save and resolves them on the next save (B3)", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			ls.SaveData.Gold = 1;
			ls.MarkForceSave();
			let first: boolean | undefined;
			ls.WhenChangesSaved(saved => (first = saved));
			const release = world.store.Hold("k", "after");
			world.update([ls], 1); // the save's transform has run (snapshot taken), the write is held
			ls.SaveData.Gold = 2;
			ls.MarkForceSave();
			let second: boolean | undefined;
			const connection = ls.WhenChangesSaved(saved => (second = saved));
			release();
			world.update([ls], 1); // first save consumed
			Kit.flush();
			expect(first).to.equal(true);
			expect(second).to.equal(undefined);
			expect(connection.Connected).to.equal(true);
			world.update([ls], 3); // the forced second save
			Kit.flush();
			expect(second).to.equal(true);
			expect((world.stored()! as unknown as Data).Gold).to.equal(2);
		});
	});

	describe("LockerState: configuration", () => {
		it("reads Defaults at use time, so changing a default at runtime takes effect", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			const saved = Defaults.MaintainSessionPeriod;
			Defaults.MaintainSessionPeriod = 60;
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			const afterLoad = world.store.RequestCount;
			// A change for the autosave to write: an autosave check with nothing changed writes nothing.
			ls.MarkShouldSave();
			world.advance(61);
			world.update([ls], 3);
			Defaults.MaintainSessionPeriod = saved;
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
		});

		it("a spec value overrides the default", () => {
			const world = new World();
			const a = LockerCreate(world.spec(world.gateway("A"), { SessionExpiry: 100 }), "k");
			const b = LockerCreate(world.spec(world.gateway("B"), { SessionExpiry: 100 }), "k");
			a.MarkShouldAcquire();
			world.update([a], 2);
			b.MarkShouldAcquire();
			world.update([b], 2);
			expect(b.LoadStatus).to.equal("session_is_locked");
			world.advance(120);
			world.update([b], 2);
			expect(b.LoadStatus).to.equal("loaded");
		});
	});

	describe("LockerState: idle cost", () => {
		/**
		 * gcinfo() is the heap size in KB. Luau's collector only does work when something allocates, so a loop that
		 * allocates nothing leaves gcinfo() exactly unchanged, while an allocating one moves it in every window (up by
		 * what it allocated, or down when the allocation pays for a collection step). Five windows of 20,000 calls must
		 * all read exactly zero; the control, which leaves one small table per call, shows that the measure can see.
		 */
		function heapGrowth(calls: number, body: () => void): number {
			const before = gcinfo();
			for (let i = 0; i < calls; i++) body();
			return gcinfo() - before;
		}
		let garbage: object | undefined;
		const allocate = () => {
			garbage = { a: 1 };
		};
		/** [number of windows of `body` whose heap size changed, number of control windows whose heap size changed] */
		function measured(body: () => void): [number, number] {
			let bodyMoved = 0;
			for (let attempt = 0; attempt < 5; attempt++) if (heapGrowth(20000, body) !== 0) bodyMoved += 1;
			let controlMoved = 0;
			for (let attempt = 0; attempt < 5; attempt++) if (heapGrowth(20000, allocate) !== 0) controlMoved += 1;
			garbage = undefined;
			return [bodyMoved, controlMoved];
		}

		it("an idle locker returns true without allocating", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			expect(ls.SessionUpdate(world.mono)).to.equal(true);
			for (let i = 0; i < 100; i++) ls.SessionUpdate(world.mono);
			let idle = 0;
			const [moved, controlMoved] = measured(() => {
				if (ls.SessionUpdate(world.mono)) idle += 1;
			});
			expect(controlMoved).to.equal(5);
			expect(idle).to.equal(100000);
			expect(moved).to.equal(0);
		});

		it("a loaded locker between saves does not allocate either", () => {
			const world = new World();
			const ls = LockerCreate(world.spec(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.update([ls], 2);
			expect(ls.LoadStatus).to.equal("loaded");
			for (let i = 0; i < 100; i++) ls.SessionUpdate(world.mono);
			let busy = 0;
			const [moved, controlMoved] = measured(() => {
				if (!ls.SessionUpdate(world.mono)) busy += 1;
			});
			expect(controlMoved).to.equal(5);
			expect(busy).to.equal(100000);
			expect(moved).to.equal(0);
		});
	});
};
