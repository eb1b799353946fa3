/// <reference types="@rbxts/testez/globals" />
import { RawSaveData } from "../../../src";
import { LockerWorld } from "../../helpers/world";

export = () => {
	describe("lock_lost messages", () => {
		it("a version_changed fence says the key holds a newer version, never that a new holder owns it", () => {
			const world = new LockerWorld();
			const ls = world.loaded();
			// Our lock is still in the key, but a newer server migrated the data to version 2.
			const stored = world.store.Read("k")[0] as RawSaveData;
			stored.Version = 2;
			world.store.Write("k", stored);
			ls.SaveData.Gold = 5;
			ls.MarkForceSave();
			world.update(ls, 2);
			const err = ls.LastError!;
			expect(err.Kind).to.equal("lock_lost");
			expect(err.Message.find("new holder", 1, true)[0]).never.to.be.ok();
			expect(err.Message.find("version 2", 1, true)[0]).to.be.ok();
		});

		it("a foreign_session fence names the other server as the holder", () => {
			const world = new LockerWorld();
			const ls = world.loaded();
			const stored = world.store.Read("k")[0] as RawSaveData;
			stored.Session = { PlaceId: 1, JobId: "B", LockId: 7, UpdatedAt: 0 };
			world.store.Write("k", stored);
			ls.MarkForceSave();
			world.update(ls, 2);
			const err = ls.LastError!;
			expect(err.Kind).to.equal("lock_lost");
			expect(err.Message.find("JobId B", 1, true)[0]).to.be.ok();
		});
	});
};
