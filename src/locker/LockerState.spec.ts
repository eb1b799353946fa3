/// <reference types="@rbxts/testez/globals" />
import { LockerWorld } from "../../test/helpers/world";
import { Kit } from "../../test/kit";
import { Defaults } from "../config";
import { SaveData, StoredSession } from "../protocol/format";
import { LockerCreate } from "./LockerCreate";
import { LifecycleReason, LifecycleStatus } from "./LockerSpec";

interface Data extends SaveData {
	Gold: number;
}

// Two "servers" in one place: each locker gets its own gateway (identity), all share the world's backend.
function newWorld(): LockerWorld<Data> {
	return new LockerWorld<Data>({ seed: 3 });
}

export = () => {
	describe("LockerState: load, save, release", () => {
		it("loads a new key with our lock, keeps SaveData the same table, and carries user ids", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k", [11]);
			const saveData = ls.SaveData;
			expect(ls.LoadStatus).to.equal("loading");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.State).to.equal("held");
			expect(ls.SaveData).to.equal(saveData);
			const stored = world.stored()!;
			expect((stored.Session as StoredSession).JobId).to.equal("A");
			const [, userIds] = world.store.Read("k");
			expect(userIds![0]).to.equal(11);
		});

		it("a locker created without user ids keeps the key's user ids instead of clearing them", () => {
			const world = newWorld();
			world.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 3 }, [77]);
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			ls.MarkForceSave();
			world.updateAll([ls], 2);
			expect(world.store.Read("k")[1]![0]).to.equal(77);
		});

		it("keeps the key's metadata on every write", () => {
			const world = newWorld();
			world.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 3 }, [11], { Tag: "keep" });
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k", [11]);
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			ls.SaveData.Gold = 4;
			ls.MarkForceSave();
			world.updateAll([ls], 2);
			const [value, , metadata] = world.store.Read("k");
			expect((value as Data).Gold).to.equal(4);
			expect((metadata as { Tag?: string }).Tag).to.equal("keep");
		});

		it("saves when forced and resolves WhenChangesSaved with true", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			ls.SaveData.Gold = 10;
			ls.MarkForceSave();
			let result: boolean | undefined;
			ls.WhenChangesSaved(saved => (result = saved));
			world.updateAll([ls], 2);
			Kit.flush();
			expect(result).to.equal(true);
			expect((world.stored()! as unknown as Data).Gold).to.equal(10);
		});

		it("autosaves every MaintainSessionPeriod and not before", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A"), { MaintainSessionPeriod: 300 }), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			const afterLoad = world.store.RequestCount;
			ls.SaveData.Gold = 1;
			ls.MarkShouldSave();
			world.advance(290);
			world.updateAll([ls], 3);
			expect(world.store.RequestCount).to.equal(afterLoad);
			world.advance(15);
			world.updateAll([ls], 3);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			expect((world.stored()! as unknown as Data).Gold).to.equal(1);
		});

		it("releases with Session = nil, resets to defaults, goes idle and fires idling once", () => {
			const world = newWorld();
			const events = new Array<string>();
			const ls = LockerCreate(
				world.specOn(world.gateway("A"), {
					Lifecycle: (_, status: LifecycleStatus, reason: LifecycleReason) =>
						events.push(`${status}:${reason}`),
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			ls.SaveData.Gold = 7;
			ls.MarkShouldSave();
			ls.MarkShouldRelease();
			world.updateAll([ls], 2);
			const stored = world.stored()!;
			expect(stored.Session).to.equal(undefined);
			expect(stored.Gold).to.equal(7);
			expect(ls.SaveData.Gold).to.equal(0);
			expect(ls.Session).to.equal(undefined);
			const results = world.updateAll([ls], 5);
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
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			const release = world.store.Hold("k", "before");
			ls.MarkForceSave();
			world.updateAll([ls], 1);
			const count = world.store.RequestCount;
			for (let i = 0; i < 5; i++) {
				ls.MarkForceSave();
				world.updateAll([ls], 3);
			}
			expect(world.store.RequestCount).to.equal(count);
			release();
			world.updateAll([ls], 4);
			// The held save's transform ran after all the marks, so its one write covers them all.
			expect(world.store.RequestCount).to.equal(count);
			expect(ls.ChangeId_Saved).to.equal(ls.ChangeId_Pending);
		});
	});

	describe("LockerState: two servers", () => {
		it("the second server waits while the first holds, then loads the first's data after release", () => {
			const world = newWorld();
			const a = LockerCreate(world.specOn(world.gateway("A")), "k");
			const b = LockerCreate(world.specOn(world.gateway("B")), "k");
			a.MarkShouldAcquire();
			world.updateAll([a], 2);
			a.SaveData.Gold = 42;
			a.MarkForceSave();
			world.updateAll([a], 2);
			b.MarkShouldAcquire();
			world.updateAll([b], 3);
			expect(b.LoadStatus).to.equal("session_is_locked");
			a.MarkShouldRelease();
			world.updateAll([a], 3);
			world.advance(15);
			world.updateAll([b], 3);
			expect(b.LoadStatus).to.equal("loaded");
			expect(b.SaveData.Gold).to.equal(42);
		});

		it("takes over a crashed holder's lock after the expiry, calibrating its clock with one probe", () => {
			const world = newWorld();
			const gatewayB = world.gateway("B");
			const a = LockerCreate(world.specOn(world.gateway("A")), "k");
			a.MarkShouldAcquire();
			world.updateAll([a], 2);
			a.SaveData.Gold = 5;
			a.MarkForceSave();
			world.updateAll([a], 2);
			// A crashes: nobody updates it again.
			const b = LockerCreate(world.specOn(gatewayB), "k");
			b.MarkShouldAcquire();
			world.updateAll([b], 2);
			expect(b.LoadStatus).to.equal("session_is_locked");
			expect(gatewayB.RequestCountByOperation.get("UpdateAsync_ClockProbe")).to.equal(1);
			world.advance(1700);
			world.updateAll([b], 2);
			expect(b.LoadStatus).to.equal("session_is_locked");
			world.advance(120);
			world.updateAll([b], 2);
			expect(b.LoadStatus).to.equal("loaded");
			expect(b.SaveData.Gold).to.equal(5);
			expect(gatewayB.RequestCountByOperation.get("UpdateAsync_ClockProbe")).to.equal(1);
		});

		it("fences out a zombie holder: its save after a takeover writes nothing over the new holder", () => {
			const world = newWorld();
			const events = new Array<string>();
			const a = LockerCreate(
				world.specOn(world.gateway("A"), {
					Lifecycle: (_, status: LifecycleStatus, reason: LifecycleReason) =>
						events.push(`${status}:${reason}`),
				}),
				"k",
			);
			const b = LockerCreate(world.specOn(world.gateway("B")), "k");
			a.MarkShouldAcquire();
			world.updateAll([a], 2);
			// A pauses for longer than the expiry; B takes over and writes.
			world.advance(1900);
			b.MarkShouldAcquire();
			world.updateAll([b], 3);
			expect(b.LoadStatus).to.equal("loaded");
			b.SaveData.Gold = 99;
			b.MarkForceSave();
			world.updateAll([b], 2);
			// A resumes with unsaved changes and tries to save.
			a.SaveData.Gold = 1;
			a.MarkForceSave();
			let waiter: boolean | undefined;
			a.WhenChangesSaved(saved => (waiter = saved));
			world.updateAll([a], 2);
			Kit.flush();
			expect(world.stored()!.Gold).to.equal(99);
			expect((world.stored()!.Session as StoredSession).JobId).to.equal("B");
			expect(a.LastError!.Kind).to.equal("lock_lost");
			expect(events.indexOf("replaced:r_lost") >= 0).to.equal(true);
			expect(waiter).to.equal(false);
			expect(a.SaveData.Gold).to.equal(0);
			// A keeps trying to load and sees B's lock.
			world.updateAll([a], 3);
			expect(a.LoadStatus).to.equal("session_is_locked");
		});
	});

	describe("LockerState: self-check", () => {
		it("stops reporting itself available once its saves have failed for longer than the expiry", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A"), { SessionExpiry: 100 }), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			expect(ls.IsAvailable()).to.equal(true);
			world.store.FailNext("503: InternalError", 1000);
			world.advance(80);
			ls.MarkForceSave();
			world.updateAll([ls], 2);
			expect(ls.IsAvailable()).to.equal(true);
			world.advance(30);
			world.updateAll([ls], 2);
			expect(ls.IsSessionFresh()).to.equal(false);
			expect(ls.IsAvailable()).to.equal(false);
			world.store.faults.clear();
			world.advance(60);
			world.updateAll([ls], 3);
			expect(ls.IsAvailable()).to.equal(true);
		});
	});

	describe("LockerState: races", () => {
		it("a re-acquire that lands before the release transform runs cancels the release", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			const release = world.store.Hold("k", "before");
			ls.MarkShouldRelease();
			world.updateAll([ls], 2);
			expect(ls.State).to.equal("releasing");
			ls.MarkShouldAcquire();
			release();
			world.updateAll([ls], 3);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.State).to.equal("held");
			expect((world.stored()!.Session as StoredSession).JobId).to.equal("A");
		});

		it("a re-acquire after the release was written loads again cleanly", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			ls.SaveData.Gold = 3;
			ls.MarkShouldSave();
			const release = world.store.Hold("k", "after");
			ls.MarkShouldRelease();
			world.updateAll([ls], 2);
			ls.MarkShouldAcquire();
			release();
			world.updateAll([ls], 4);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.SaveData.Gold).to.equal(3);
		});

		it("keeps waiters for changes made during an in-flight save and resolves them on the next save (B3)", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			ls.SaveData.Gold = 1;
			ls.MarkForceSave();
			let first: boolean | undefined;
			ls.WhenChangesSaved(saved => (first = saved));
			const release = world.store.Hold("k", "after");
			world.updateAll([ls], 1); // the save's transform has run (snapshot taken), the write is held
			ls.SaveData.Gold = 2;
			ls.MarkForceSave();
			let second: boolean | undefined;
			const connection = ls.WhenChangesSaved(saved => (second = saved));
			release();
			world.updateAll([ls], 1); // first save consumed
			Kit.flush();
			expect(first).to.equal(true);
			expect(second).to.equal(undefined);
			expect(connection.Connected).to.equal(true);
			world.updateAll([ls], 3); // the forced second save
			Kit.flush();
			expect(second).to.equal(true);
			expect((world.stored()! as unknown as Data).Gold).to.equal(2);
		});
	});

	describe("LockerState: configuration", () => {
		it("reads Defaults at use time, so changing a default at runtime takes effect", () => {
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			const saved = Defaults.MaintainSessionPeriod;
			Defaults.MaintainSessionPeriod = 60;
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
			const afterLoad = world.store.RequestCount;
			// A change for the autosave to write: an autosave check with nothing changed writes nothing.
			ls.MarkShouldSave();
			world.advance(61);
			world.updateAll([ls], 3);
			Defaults.MaintainSessionPeriod = saved;
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
		});

		it("a spec value overrides the default", () => {
			const world = newWorld();
			const a = LockerCreate(world.specOn(world.gateway("A"), { SessionExpiry: 100 }), "k");
			const b = LockerCreate(world.specOn(world.gateway("B"), { SessionExpiry: 100 }), "k");
			a.MarkShouldAcquire();
			world.updateAll([a], 2);
			b.MarkShouldAcquire();
			world.updateAll([b], 2);
			expect(b.LoadStatus).to.equal("session_is_locked");
			world.advance(120);
			world.updateAll([b], 2);
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
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
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
			const world = newWorld();
			const ls = LockerCreate(world.specOn(world.gateway("A")), "k");
			ls.MarkShouldAcquire();
			world.updateAll([ls], 2);
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
