/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { findUnstorableValue } from "../../../src/protocol/storable";
import { Lib, LIB, STORE, universeWith } from "../easy/helpers";
import { LockerWorld, WorldData } from "../../helpers/world";

function pathOf(value: unknown): string | undefined {
	return findUnstorableValue(value)?.Path;
}

/** Saves `bad` under SaveData.Inventory and returns the locker, the world and the requests the save sent. */
function saveWith(bad: unknown) {
	const world = new LockerWorld();
	const ls = world.loaded();
	const before = world.store.RequestCount;
	ls.SaveData.Gold = 9;
	ls.SaveData.Inventory = bad;
	ls.MarkForceSave();
	world.update(ls, 3);
	return { world, ls, sent: world.store.RequestCount - before };
}

export = () => {
	describe("the storable-value walk", () => {
		it("accepts booleans, finite numbers, strings, buffers, arrays without holes and string-keyed dictionaries", () => {
			expect(
				pathOf({ A: [1, 2, 3], B: { C: "x", D: true }, E: buffer.create(4), F: [], G: {}, H: [[1], { I: 2 }] }),
			).to.equal(undefined);
		});

		it("names the offending value's path: sparse arrays, mixed tables, functions, userdata, NaN, ±inf", () => {
			const slots = new Map<number, string>();
			slots.set(1, "sword");
			slots.set(2, "shield");
			slots.set(4, "bow");
			expect(pathOf({ Inventory: { Slots: slots } })).to.equal("Inventory.Slots[3]");
			const mixed = { 1: "a", 2: "b", Name: "c" } as unknown;
			expect(pathOf({ Inventory: { Slots: mixed } })).to.equal("Inventory.Slots");
			expect(findUnstorableValue({ Inventory: { Slots: mixed } })!.Problem.find("mixed", 1, true)[0]).to.be.ok();
			expect(pathOf({ Inventory: { Slots: ["a", "b", () => 1] } })).to.equal("Inventory.Slots[3]");
			expect(pathOf({ Reason: Enum.CloseReason.DeveloperShutdown })).to.equal("Reason");
			expect(pathOf({ Folder: new Instance("Folder") })).to.equal("Folder");
			expect(pathOf({ Co: coroutine.create(() => {}) })).to.equal("Co");
			expect(pathOf({ Stats: { Speed: 0 / 0 } })).to.equal("Stats.Speed");
			expect(pathOf({ Stats: { Speed: math.huge } })).to.equal("Stats.Speed");
			expect(pathOf({ Stats: { Speed: -math.huge } })).to.equal("Stats.Speed");
			expect(pathOf({ Name: "\xff" })).to.equal("Name");
			const cycle: { Self?: unknown } = {};
			cycle.Self = cycle;
			expect(pathOf({ Loop: cycle })).to.equal("Loop.Self");
			expect(pathOf({ ["odd key"]: [0 / 0] })).to.equal('["odd key"][1]');
		});
	});

	describe("saving data a DataStore cannot store", () => {
		it("a sparse array is reported as value_not_serializable with its path; nothing is sent; data and session are kept", () => {
			const slots = new Map<number, string>();
			slots.set(1, "sword");
			slots.set(2, "shield");
			slots.set(4, "bow");
			const { ls, sent, world } = saveWith({ Slots: slots });
			expect(sent).to.equal(0);
			expect(ls.LastError!.Kind).to.equal("value_not_serializable");
			expect(ls.LastError!.Message.find("Inventory.Slots[3]", 1, true)[0]).to.be.ok();
			expect(ls.LoadStatus).to.equal("loaded");
			expect(ls.Session).to.be.ok();
			expect(ls.SaveData.Gold).to.equal(9);
			expect((world.store.Read("k")[0] as WorldData).Gold).to.equal(0);
		});

		it("a mixed table is reported with its path and never saved with its string keys dropped", () => {
			const { ls, sent } = saveWith({ Slots: { 1: "a", 2: "b", Name: "c" } });
			expect(sent).to.equal(0);
			expect(ls.LastError!.Kind).to.equal("value_not_serializable");
			expect(ls.LastError!.Message.find("Inventory.Slots", 1, true)[0]).to.be.ok();
		});

		it("NaN and infinite numbers are reported with their path before any request", () => {
			for (const bad of [0 / 0, math.huge, -math.huge]) {
				const { ls, sent } = saveWith({ Speed: bad });
				expect(sent).to.equal(0);
				expect(ls.LastError!.Message.find("Inventory.Speed", 1, true)[0]).to.be.ok();
			}
		});

		it("a function on a live DataStore: value_not_serializable with its path, no UpdateAsync sent, saving resumes after a fix", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const reports = new Array<string>();
			const ls = lib.LockerCreate(
				{
					DataStore: server.game.GetService("DataStoreService").GetDataStore(STORE),
					SaveDataVersion: 1,
					SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }) as WorldData,
					ReportDataStoreError: (_ls, _op, _message, err) => reports.push(err.Kind),
				},
				"1",
			);
			const connection = server.game
				.GetService("RunService")
				.Heartbeat.Connect(() => ls.SessionUpdate(os.clock()));
			ls.MarkShouldAcquire();
			expect(Kit.waitUntil(() => ls.LoadStatus === "loaded", 10)).to.equal(true);
			const before = universe.dataStores.requestCount({ method: "UpdateAsync", key: "1" });
			(ls.SaveData as WorldData).Callback = () => 1;
			ls.MarkForceSave();
			Kit.advance(2);
			expect(universe.dataStores.requestCount({ method: "UpdateAsync", key: "1" })).to.equal(before);
			expect(ls.LastError!.Kind).to.equal("value_not_serializable");
			expect(ls.LastError!.Message.find("Callback is a function", 1, true)[0]).to.be.ok();
			expect(reports.indexOf("request_fatal")).to.equal(-1);
			(ls.SaveData as WorldData).Callback = undefined;
			(ls.SaveData as WorldData).Gold = 4;
			ls.MarkForceSave();
			expect(ls.YieldUntilChangesSaved()).to.equal(true);
			expect((universe.dataStores.read(STORE, "1")!.value as WorldData).Gold).to.equal(4);
			connection.Disconnect();
			universe.destroy();
		});
	});

	describe("buffers", () => {
		it("a buffer is stored, and the size check counts it as its base64 form", () => {
			const world = new LockerWorld();
			const ls = world.loaded();
			// 3,000,000 bytes are 4,000,000 characters of base64: under the 4,194,304 limit.
			ls.SaveData.Blob = buffer.create(3_000_000);
			ls.MarkForceSave();
			world.update(ls, 3);
			expect(ls.LastError).to.equal(undefined);
			expect(buffer.len((world.store.Read("k")[0] as { Blob: buffer }).Blob)).to.equal(3_000_000);
			// 3,200,000 bytes are 4,266,668 characters: refused before any request.
			const before = world.store.RequestCount;
			ls.SaveData.Blob = buffer.create(3_200_000);
			ls.MarkForceSave();
			world.update(ls, 3);
			expect(ls.LastError!.Kind).to.equal("value_too_large");
			expect(world.store.RequestCount).to.equal(before);
		});
	});
};
