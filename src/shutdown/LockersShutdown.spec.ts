/// <reference types="@rbxts/testez/globals" />
import { FakeDataStore } from "../gateway/FakeDataStore";
import { RequestGatewayCreate } from "../gateway/RequestGateway";
import { LockerCreate } from "../locker/LockerCreate";
import { LockerSpec } from "../locker/LockerSpec";
import { SaveData, StoredSession } from "../protocol/format";
import { LockersShutdown } from "./LockersShutdown";

interface Data extends SaveData {
	Gold: number;
}

export = () => {
	describe("LockersShutdown", () => {
		let clock = 0;
		const store = new FakeDataStore();
		const spec: LockerSpec<Data> = {
			DataStore: store,
			Gateway: RequestGatewayCreate({ Clock: () => clock, PlaceId: 1, JobId: "A" }),
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
			ReportDataStoreError: () => {},
		};

		it("releases every locker, saving its data, and returns true once all are idle and deleted", () => {
			const lockers = [LockerCreate(spec, "a"), LockerCreate(spec, "b")];
			for (const ls of lockers) {
				ls.MarkShouldAcquire();
				ls.MarkShouldAcquire("purchaser");
				ls.SessionUpdate(clock);
				ls.SessionUpdate(clock);
				ls.SaveData.Gold = 9;
				ls.MarkShouldSave();
			}
			let steps = 0;
			const done = LockersShutdown(lockers, {
				Clock: () => clock,
				Wait: () => {
					clock += 1 / 60;
					steps += 1;
				},
			});
			expect(done).to.equal(true);
			expect(steps < 10).to.equal(true);
			for (const ls of lockers) expect(ls.IsDeleted).to.equal(true);
			for (const key of ["a", "b"]) {
				const stored = store.Read(key)[0] as Data;
				expect(stored.Gold).to.equal(9);
				expect(stored.Session).to.equal(undefined);
			}
		});

		it("gives up at the deadline when a release cannot finish", () => {
			const ls = LockerCreate(spec, "c");
			ls.MarkShouldAcquire();
			ls.SessionUpdate(clock);
			ls.SessionUpdate(clock);
			const release = store.Hold("c", "before");
			const start = clock;
			const done = LockersShutdown([ls], { Clock: () => clock, Deadline: start + 5, Wait: () => (clock += 0.5) });
			expect(done).to.equal(false);
			expect(clock >= start + 5).to.equal(true);
			expect(clock < start + 6).to.equal(true);
			expect((store.Read("c")[0] as { Session?: StoredSession }).Session).to.be.ok();
			release();
		});

		it("puts each locker's gateway into closing mode with the shutdown deadline before the first release", () => {
			const gateway = RequestGatewayCreate({ Clock: () => clock, PlaceId: 1, JobId: "B", Random: new Random(2) });
			const ls = LockerCreate({ ...spec, Gateway: gateway }, "d");
			ls.MarkShouldAcquire();
			ls.SessionUpdate(clock);
			ls.SessionUpdate(clock);
			expect(gateway.IsClosing()).to.equal(false);
			const deadline = clock + 20;
			let closingAtFirstStep: boolean | undefined;
			const done = LockersShutdown([ls], {
				Clock: () => clock,
				Deadline: deadline,
				Wait: () => {
					if (closingAtFirstStep === undefined) closingAtFirstStep = gateway.IsClosing();
					clock += 1 / 60;
				},
			});
			expect(done).to.equal(true);
			expect(closingAtFirstStep).to.equal(true);
			expect(gateway.closingDeadline).to.equal(deadline);
		});

		it("waits for extra work such as pending purchases", () => {
			let busy = 3;
			const done = LockersShutdown([], {
				Clock: () => clock,
				Wait: () => (clock += 1),
				IsBusy: () => busy-- > 0,
			});
			expect(done).to.equal(true);
			expect(busy).to.equal(-1);
		});
	});
};
