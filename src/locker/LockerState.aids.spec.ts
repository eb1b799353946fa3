/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../test/kit";
import { FakeDataStore } from "../gateway/FakeDataStore";
import { RequestGatewayCreate } from "../gateway/RequestGateway";
import { RawSaveData, SaveData, SD_RemoteChange_Base } from "../protocol/format";
import { LockerCreate } from "./LockerCreate";
import { LockerSpec } from "./LockerSpec";
import { LockerState } from "./LockerState";

interface Data extends SaveData {
	Gold: number;
}

let mono = 1000;

function spec(store: FakeDataStore, extra?: Partial<LockerSpec<Data>>): LockerSpec<Data> {
	const result: LockerSpec<Data> = {
		DataStore: store,
		Gateway: RequestGatewayCreate({ Clock: () => mono, PlaceId: 1, JobId: "A" }),
		SaveDataVersion: 1,
		SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
		ReportDataStoreError: () => {},
	};
	if (extra) for (const [k, v] of pairs(extra)) (result as unknown as Record<string, unknown>)[k] = v;
	return result;
}

function update(ls: LockerState<Data>, ticks = 2) {
	for (let i = 0; i < ticks; i++) {
		ls.SessionUpdate(mono);
		mono += 1 / 60;
	}
}

export = () => {
	describe("DisableAPIs", () => {
		it("loads the local data and pretends to save, without any request", () => {
			const store = new FakeDataStore();
			const ls = LockerCreate(spec(store), "k", [], undefined, true);
			ls.SaveData.Gold = 3;
			ls.MarkShouldAcquire();
			update(ls);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.SaveData.Gold).to.equal(3);
			ls.SaveData.Gold = 4;
			ls.MarkForceSave();
			let saved: boolean | undefined;
			ls.WhenChangesSaved(s => (saved = s));
			update(ls);
			Kit.flush();
			expect(saved).to.equal(true);
			ls.MarkShouldRelease();
			update(ls, 3);
			expect(ls.IsIdling).to.equal(true);
			expect(store.RequestCount).to.equal(0);
		});
	});

	describe("ReadOnlyDataStores", () => {
		it("reads the real key once, keeps every write in memory, and sees its own writes later (no B6)", () => {
			const real = new FakeDataStore();
			real.Write("k", { Version: 1, VersionPatch: 0, Gold: 50 });
			const s = spec(real, { ReadOnlyDataStores: true });
			const ls = LockerCreate(s, "k");
			ls.MarkShouldAcquire();
			update(ls);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.SaveData.Gold).to.equal(50);
			ls.SaveData.Gold = 60;
			ls.MarkShouldSave();
			ls.MarkShouldRelease();
			update(ls, 3);
			expect(ls.IsIdling).to.equal(true);
			expect(real.RequestCount).to.equal(0);
			expect((real.Read("k")[0] as Data).Gold).to.equal(50);
			// A second locker on this server sees the simulated write, not "missing key" and not the real value.
			const again = LockerCreate(s, "k");
			again.MarkShouldAcquire();
			update(again);
			expect(again.LoadStatus).to.equal("loaded");
			expect(again.SaveData.Gold).to.equal(60);
		});
	});

	describe("DataStoreTestData", () => {
		it("starts every key from the test value, migrates it, and keeps later writes (no B6)", () => {
			const store = new FakeDataStore();
			const s = spec(store, {
				SaveDataVersion: 2,
				SaveDataCreator: () => ({ Version: 2, VersionPatch: 0, Gold: 0 }),
				SaveDataMigrators: {
					1: (d: RawSaveData) => {
						d.Gold = (d.Coins as number) * 2;
						d.Coins = undefined;
						return 0;
					},
				},
				DataStoreTestData: { Version: 1, VersionPatch: 0, Coins: 21 },
			});
			const ls = LockerCreate(s, "k");
			ls.MarkShouldAcquire();
			update(ls);
			expect(ls.SaveData.Gold).to.equal(42);
			expect(ls.SaveData.Version).to.equal(2);
			ls.SaveData.Gold = 43;
			ls.MarkShouldSave();
			ls.MarkShouldRelease();
			update(ls, 3);
			const again = LockerCreate(s, "k");
			again.MarkShouldAcquire();
			update(again);
			expect(again.SaveData.Gold).to.equal(43);
			expect(store.RequestCount).to.equal(0);
		});
	});

	describe("remote changes held in the key", () => {
		const gold = (data: Data, change: SD_RemoteChange_Base) => {
			if (change.K !== "give_gold") return false;
			data.Gold += (change as SD_RemoteChange_Base & { Amount: number }).Amount;
			return true;
		};

		it("applies changes present at load (B2) and removes them with the next save", () => {
			const store = new FakeDataStore();
			store.Write("k", {
				Version: 1,
				VersionPatch: 0,
				Gold: 1,
				RemoteChanges: [
					{ K: "give_gold", I: 5, A: 0, Amount: 10 },
					{ K: "from_the_future", I: 6, A: 0 },
				],
			});
			const ls = LockerCreate(spec(store, { ProcessRemoteChange: gold }), "k");
			ls.MarkShouldAcquire();
			update(ls);
			expect(ls.SaveData.Gold).to.equal(11);
			expect(ls.ProcessedRemoteChanges.has(5)).to.equal(true);
			ls.MarkForceSave();
			update(ls);
			const stored = store.Read("k")[0] as Data;
			expect(stored.Gold).to.equal(11);
			expect(stored.RemoteChanges!.size()).to.equal(1);
			expect(stored.RemoteChanges![0].K).to.equal("from_the_future");
			expect(ls.ProcessedRemoteChanges.has(5)).to.equal(false);
		});

		it("imports changes that arrive while held and persists effect and removal together", () => {
			const store = new FakeDataStore();
			const ls = LockerCreate(spec(store, { ProcessRemoteChange: gold }), "k");
			ls.MarkShouldAcquire();
			update(ls);
			// Another server appends a change without holding the lock.
			const [value] = store.Read("k");
			(value as RawSaveData).RemoteChanges = [{ K: "give_gold", I: 9, A: 0, Amount: 7 }];
			store.Write("k", value);
			ls.MarkForceSave();
			update(ls);
			expect(ls.SaveData.Gold).to.equal(7);
			expect((store.Read("k")[0] as Data).RemoteChanges!.size()).to.equal(1);
			ls.MarkForceSave();
			update(ls);
			const stored = store.Read("k")[0] as Data;
			expect(stored.Gold).to.equal(7);
			expect(stored.RemoteChanges).to.equal(undefined);
		});
	});

	describe("product credit", () => {
		it("gives, marks a save, uses only when enough, and fires only on real changes (B7)", () => {
			const store = new FakeDataStore();
			const changes = new Array<number>();
			const ls = LockerCreate(
				spec(store, { ProductCreditChanged: (_ls, _sd, _id, delta) => changes.push(delta) }),
				"k",
			);
			ls.MarkShouldAcquire();
			update(ls);
			expect(ls.ProductCreditQuery(100)).to.equal(0);
			ls.ProductCreditGive(100, 2);
			expect(ls.ChangeId_Pending).to.equal(1);
			expect(ls.ProductCreditQuery(100)).to.equal(2);
			expect(ls.ProductCreditUse(100, 3)).to.equal(false);
			expect(changes.size()).to.equal(1);
			expect(ls.ChangeId_Pending).to.equal(1);
			expect(ls.ProductCreditUse(100, 2)).to.equal(true);
			expect(ls.ProductCreditQuery(100)).to.equal(0);
			expect(ls.SaveData.ProductCredit!.size()).to.equal(0);
			expect(changes[1]).to.equal(-2);
			ls.ProductCreditGive(7, 1);
			ls.MarkForceSave();
			update(ls);
			const stored = store.Read("k")[0] as Data;
			expect(stored.ProductCredit![0][0]).to.equal(7);
			expect(stored.ProductCredit![0][1]).to.equal(1);
		});
	});

	describe("hold keys", () => {
		it("keeps the session while any hold key is in use", () => {
			const store = new FakeDataStore();
			const ls = LockerCreate(spec(store), "k");
			const purchaserHold = {};
			ls.MarkShouldAcquire();
			ls.MarkShouldAcquire(purchaserHold);
			update(ls);
			ls.MarkShouldRelease();
			update(ls, 3);
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.IsAvailable()).to.equal(true);
			ls.IsSyncing = false;
			expect(ls.IsAvailable()).to.equal(false);
			ls.IsSyncing = true;
			ls.MarkShouldRelease(purchaserHold);
			update(ls, 3);
			expect(ls.IsIdling).to.equal(true);
			expect(ls.IsAvailable()).to.equal(false);
		});
	});

	describe("YieldUntilChangesSaved", () => {
		it("yields until a save covers the change", () => {
			const store = new FakeDataStore();
			const ls = LockerCreate(spec(store), "k");
			ls.MarkShouldAcquire();
			update(ls);
			expect(ls.YieldUntilChangesSaved()).to.equal(true);
			ls.SaveData.Gold = 1;
			ls.MarkForceSave();
			let result: boolean | undefined;
			task.spawn(() => {
				result = ls.YieldUntilChangesSaved();
			});
			expect(result).to.equal(undefined);
			update(ls);
			Kit.flush();
			expect(result).to.equal(true);
		});
	});
};
