/// <reference types="@rbxts/testez/globals" />
import { HttpService } from "@rbxts/services";
import { FakeDataStore } from "../gateway/FakeDataStore";
import { RequestGatewayCreate } from "../gateway/RequestGateway";
import { LockerCreate } from "../locker/LockerCreate";
import { LockerSpec } from "../locker/LockerSpec";
import { SaveData } from "./format";

interface Data extends SaveData {
	Gold: number;
}

/** What SessionLocker v13 does with a stored value (its stored format and lock rules): the model our output must pass. */
const v13 = {
	/** v13's acquire rule on its own wall clock. */
	canAcquire(value: Record<string, unknown>, osTime: number, expiry: number): boolean {
		const session = value.Session as { UpdatedAt: number } | undefined;
		return session === undefined || osTime - session.UpdatedAt > expiry;
	},
	/** v13's ownership check before a save. */
	owns(value: Record<string, unknown>, mine: { PlaceId: number; JobId: string; LockId: number }, version: number) {
		const s = value.Session as { PlaceId: number; JobId: string; LockId: number } | undefined;
		return (
			value.Version === version &&
			s !== undefined &&
			s.PlaceId === mine.PlaceId &&
			s.JobId === mine.JobId &&
			s.LockId === mine.LockId
		);
	},
	/** The shapes v13 reads positionally or by name. */
	readable(value: Record<string, unknown>): boolean {
		if (!typeIs(value.Version, "number") || !typeIs(value.VersionPatch, "number")) return false;
		for (const p of (value.Purchases as Array<Array<unknown>>) ?? []) {
			if (!typeIs(p[0], "number") || !typeIs(p[1], "string") || !typeIs(p[2], "number")) return false;
		}
		for (const c of (value.ProductCredit as Array<Array<unknown>>) ?? []) {
			if (!typeIs(c[0], "number") || !typeIs(c[1], "number")) return false;
		}
		const s = value.Session as Record<string, unknown> | undefined;
		if (s !== undefined) {
			if (!typeIs(s.PlaceId, "number") || !typeIs(s.JobId, "string")) return false;
			if (!typeIs(s.LockId, "number") || !typeIs(s.UpdatedAt, "number")) return false;
		}
		return true;
	},
};

/** A key as SessionLocker v13 leaves it: another server's expired lock, purchases, credit, a remote change. */
function writtenByV13(osTime: number) {
	return {
		Version: 1,
		VersionPatch: 2,
		Gold: 30,
		Session: { PlaceId: 99, JobId: "old-server", LockId: 123456, UpdatedAt: osTime - 4000 },
		Purchases: [
			[1001, "purchase-a", osTime - 5000],
			[1002, "purchase-b", osTime - 4500, 1],
		],
		ProductCredit: [[1003, 2]],
		RemoteChanges: [{ K: "unknown_kind", I: 77, A: osTime - 4200, Payload: 1 }],
	};
}

export = () => {
	describe("stored format compatibility with SessionLocker v13", () => {
		let backendMs = 1_780_000_000_000;
		let clock = 0;
		const store = new FakeDataStore({ Clock: () => backendMs });
		const spec: LockerSpec<Data> = {
			DataStore: store,
			Gateway: RequestGatewayCreate({ Clock: () => clock, PlaceId: 5, JobId: "ours" }),
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
			ReportDataStoreError: () => {},
		};

		it("loads a value written by v13, keeping tuples and unknown remote changes", () => {
			store.Write("v13", writtenByV13(os.time()));
			backendMs += 4000 * 1000; // the old holder last wrote 4000 s ago on the DataStore's clock
			const ls = LockerCreate(spec, "v13");
			ls.MarkShouldAcquire();
			for (let i = 0; i < 3; i++) ls.SessionUpdate((clock += 1));
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.SaveData.Gold).to.equal(30);
			expect(ls.SaveData.VersionPatch).to.equal(2);
			expect(ls.SaveData.Purchases![1][3]).to.equal(1);
			expect(ls.ProductCreditQuery(1003)).to.equal(2);
			expect(ls.SaveData.RemoteChanges![0].I).to.equal(77);
		});

		it("writes values v13 can read, fence and acquire", () => {
			const ls = LockerCreate(spec, "ours");
			ls.MarkShouldAcquire();
			for (let i = 0; i < 2; i++) ls.SessionUpdate((clock += 1));
			ls.ProductCreditGive(5, 3);
			ls.SaveData.Purchases!.push([6, "p", os.time()]);
			ls.MarkForceSave();
			for (let i = 0; i < 2; i++) ls.SessionUpdate((clock += 1));
			// Through JSON, as the DataStore stores it.
			const raw = store.Read("ours")[0];
			const value = HttpService.JSONDecode(HttpService.JSONEncode(raw)) as Record<string, unknown>;
			expect(v13.readable(value)).to.equal(true);
			const session = value.Session as Record<string, unknown>;
			expect(session.HolderWriteTime).to.equal(undefined);
			let fields = 0;
			for (const [] of pairs(session)) fields += 1;
			expect(fields).to.equal(4);
			expect(v13.owns(value, ls.Session!, 1)).to.equal(true);
			// A v13 server treats our live lock as locked, and our released key as free.
			expect(v13.canAcquire(value, os.time(), 1800)).to.equal(false);
			ls.MarkShouldRelease();
			for (let i = 0; i < 3; i++) ls.SessionUpdate((clock += 1));
			const released = store.Read("ours")[0] as Record<string, unknown>;
			expect(v13.readable(released)).to.equal(true);
			expect(v13.canAcquire(released, os.time(), 1800)).to.equal(true);
			expect((released.ProductCredit as Array<Array<number>>)[0][1]).to.equal(3);
		});
	});
};
