/// <reference types="@rbxts/testez/globals" />
import { LockerWorld } from "../../test/helpers/world";
import { SaveData } from "../protocol/format";
import { LockerCreate } from "./LockerCreate";
import { LockerState } from "./LockerState";

interface Data extends SaveData {
	Gold: number;
}

/**
 * A key held by server "B" (fresh lock), and a locker of server "A" (the shared locker world's gateway) that wants it;
 * the spec drives the clocks.
 */
class World extends LockerWorld<Data> {
	readonly ls: LockerState<Data>;
	constructor() {
		super();
		this.store.Write("k", {
			Version: 1,
			VersionPatch: 0,
			Gold: 5,
			Session: { PlaceId: 1, JobId: "B", LockId: 77, UpdatedAt: os.time() },
		});
		this.ls = LockerCreate(this.spec({ MemoryStoreService: false }), "k");
	}
	/** Steps 0.05 s at a time; returns the clock times at which a load request went out. */
	run(seconds: number): Array<number> {
		const starts = new Array<number>();
		const stopAt = this.mono + seconds;
		while (this.mono < stopAt) {
			this.mono += 0.05;
			this.backendMs += 50;
			const before = this.store.RequestCount;
			this.ls.SessionUpdate(this.mono);
			if (this.store.RequestCount > before) starts.push(this.mono);
		}
		return starts;
	}
	/** B releases its lock: the key keeps its data, without a session. */
	release(): void {
		this.store.Write("k", { Version: 1, VersionPatch: 0, Gold: 5 });
	}
}

export = () => {
	describe("retries after a 'locked' load", () => {
		it("the first retries come after about 0.25, 0.5, 1 and 2 s, then every SessionRetryCooldown", () => {
			const world = new World();
			world.ls.MarkShouldAcquire();
			const starts = world.run(30);
			expect(world.ls.LoadStatus).to.equal("session_is_locked");
			const gaps = new Array<number>();
			for (let i = 1; i < starts.size(); i++) gaps.push(starts[i] - starts[i - 1]);
			// ±20 % jitter, plus a frame of stepping each.
			const quick = [0.25, 0.5, 1, 2];
			for (let i = 0; i < quick.size(); i++) {
				expect(gaps[i] >= quick[i] * 0.8 - 0.05 && gaps[i] <= quick[i] * 1.2 + 0.1).to.equal(true);
			}
			// Then the cooldown (10 s ±20 %): over 30 s, 4 quick retries and at most 3 slow ones.
			for (let i = quick.size(); i < gaps.size(); i++) expect(gaps[i] >= 8 && gaps[i] <= 12.1).to.equal(true);
			expect(starts.size() >= 5 + 2 && starts.size() <= 5 + 3).to.equal(true);
		});

		it("a release heard while a load is in flight: that load, back 'locked', retries at once", () => {
			const world = new World();
			const unhold = world.store.Hold("k", "before");
			world.ls.MarkShouldAcquire();
			world.run(0.05);
			expect(world.ls.job).to.be.ok();
			unhold(); // our read finds B's lock...
			world.release(); // ...and B's release lands just after it
			// B's announcement arrives before our SessionUpdate applies the "locked" result.
			expect(world.ls.RetryLoadNow()).to.equal(true);
			const before = world.store.RequestCount;
			world.run(0.1);
			expect(world.store.RequestCount).to.equal(before + 1);
			expect(world.ls.LoadStatus).to.equal("loaded");
			expect(world.ls.SaveData.Gold).to.equal(5);
		});

		it("without the announcement, the same load waits for its first quick retry", () => {
			const world = new World();
			const unhold = world.store.Hold("k", "before");
			world.ls.MarkShouldAcquire();
			world.run(0.05);
			unhold();
			world.release();
			const before = world.store.RequestCount;
			world.run(0.15);
			expect(world.store.RequestCount).to.equal(before);
			expect(world.ls.LoadStatus).to.equal("session_is_locked");
			world.run(0.4);
			expect(world.store.RequestCount).to.equal(before + 1);
			expect(world.ls.LoadStatus).to.equal("loaded");
		});

		it("RetryLoadNow is refused while a save is in flight or nothing wants the key", () => {
			const world = new World();
			expect(world.ls.RetryLoadNow()).to.equal(false);
			world.release();
			world.ls.MarkShouldAcquire();
			world.run(0.2);
			expect(world.ls.LoadStatus).to.equal("loaded");
			const unhold = world.store.Hold("k", "before");
			world.ls.MarkForceSave();
			world.run(0.05);
			expect(world.ls.job).to.be.ok();
			expect(world.ls.RetryLoadNow()).to.equal(false);
			expect(world.ls.releaseHeard).to.equal(false);
			unhold();
		});
	});
};
