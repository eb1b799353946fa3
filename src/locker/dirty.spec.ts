/// <reference types="@rbxts/testez/globals" />
import { LockerWorld } from "../../test/helpers/world";
import { SaveData } from "../protocol/format";
import { LockerCreate } from "./LockerCreate";
import { LockerSpec } from "./LockerSpec";
import { LockerState } from "./LockerState";

interface Data extends SaveData {
	Gold: number;
}

/** One server (gateway "A") of the shared locker world (test/helpers/world.ts); the spec drives both clocks. */
class World extends LockerWorld<Data> {
	constructor() {
		super({ seed: 3 });
	}
	/** Lets `seconds` pass, with a SessionUpdate every 5 s (and two frames at the end so results are applied). */
	run(ls: LockerState<Data>, seconds: number): void {
		const stopAt = this.mono + seconds;
		while (this.mono < stopAt) {
			const step = math.min(5, stopAt - this.mono);
			this.mono += step;
			this.backendMs += step * 1000;
			ls.SessionUpdate(this.mono);
		}
		ls.SessionUpdate(this.mono);
	}
	locker(extra?: Partial<LockerSpec<Data>>): LockerState<Data> {
		return LockerCreate(this.spec(extra), "k");
	}
	load(ls: LockerState<Data>): void {
		ls.MarkShouldAcquire();
		ls.SessionUpdate(this.mono);
		ls.SessionUpdate(this.mono);
		assert(ls.LoadStatus === "loaded", "did not load");
	}
	/** The backend's time (ms) of the key's last write. */
	writtenAt(): number {
		return this.store.records.get("k")!.UpdatedTime;
	}
}

export = () => {
	describe("LockerState: dirty tracking and the lease (defaults: checks every 300 s, SessionExpiry 1800 s)", () => {
		it("a check with nothing changed writes nothing; the lease is refreshed once 1,200 s old (expiry - 2 periods)", () => {
			const world = new World();
			const ls = world.locker();
			world.load(ls);
			const afterLoad = world.store.RequestCount;
			const stampedAt = world.writtenAt();
			world.run(ls, 1190);
			expect(world.store.RequestCount).to.equal(afterLoad);
			world.run(ls, 15);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			expect(world.writtenAt() > stampedAt).to.equal(true);
			// The next refresh is another 1,200 s later.
			world.run(ls, 1190);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			world.run(ls, 15);
			expect(world.store.RequestCount).to.equal(afterLoad + 2);
		});

		it("a change marked while idle is written by the next check, which also restarts the lease", () => {
			const world = new World();
			const ls = world.locker();
			world.load(ls);
			const afterLoad = world.store.RequestCount;
			world.run(ls, 350);
			ls.SaveData.Gold = 9;
			ls.MarkShouldSave();
			world.run(ls, 240);
			expect(world.store.RequestCount).to.equal(afterLoad);
			world.run(ls, 15);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			expect(world.stored()!.Gold).to.equal(9);
			// Written at about 600 s: no refresh at 1,200 s, the next one is due at about 1,800 s.
			world.run(ls, 1180);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			world.run(ls, 30);
			expect(world.store.RequestCount).to.equal(afterLoad + 2);
		});

		it("an unmarked edit waits for the lease refresh, which writes everything", () => {
			const world = new World();
			const ls = world.locker();
			world.load(ls);
			ls.SaveData.Gold = 4;
			world.run(ls, 900);
			expect(world.stored()!.Gold).to.equal(0);
			world.run(ls, 310);
			expect(world.stored()!.Gold).to.equal(4);
		});

		it("offline data merged on load is written by the first check, unmarked", () => {
			const world = new World();
			const ls = world.locker({
				MergeOfflineSaveDataWithLoadedSaveData: (_ls, offline, loaded) => {
					loaded.Gold += offline.Gold;
				},
			});
			ls.SaveData.Gold = 3;
			world.load(ls);
			expect(ls.SaveData.Gold).to.equal(3);
			expect(world.stored()!.Gold).to.equal(0);
			const afterLoad = world.store.RequestCount;
			world.run(ls, 305);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			expect(world.stored()!.Gold).to.equal(3);
			// Written once: the next check has nothing to write.
			world.run(ls, 300);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
		});

		it("a forced save still starts at once, whatever the plan", () => {
			const world = new World();
			const ls = world.locker();
			world.load(ls);
			const afterLoad = world.store.RequestCount;
			world.run(ls, 20);
			ls.SaveData.Gold = 2;
			ls.MarkForceSave();
			ls.SessionUpdate(world.mono);
			ls.SessionUpdate(world.mono);
			expect(world.store.RequestCount).to.equal(afterLoad + 1);
			expect(world.stored()!.Gold).to.equal(2);
		});

		it("a failed lease refresh is retried: the lease stays due until a refresh lands", () => {
			const world = new World();
			const ls = world.locker();
			world.load(ls);
			const stampedAt = world.writtenAt();
			world.store.FailNext("502: API Services rejected request with error. HTTP 500 (Internal Server Error)", 1);
			world.run(ls, 1205);
			expect(world.writtenAt()).to.equal(stampedAt);
			world.run(ls, 60);
			expect(world.writtenAt() > stampedAt).to.equal(true);
		});
	});
};
