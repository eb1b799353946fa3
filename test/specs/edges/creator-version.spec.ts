/// <reference types="@rbxts/testez/globals" />
import { LockerCreate } from "../../../src";
import { LockerWorld, WorldData } from "../../helpers/world";

export = () => {
	describe("SaveDataCreator returning an old Version", () => {
		it("LockerCreate raises invalid_save_data naming both versions, before any request", () => {
			const world = new LockerWorld();
			const [ok, err] = pcall(() =>
				LockerCreate(
					world.spec({
						SaveDataVersion: 2,
						SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }) as WorldData,
					}),
					"k",
				),
			);
			expect(ok).to.equal(false);
			expect(tostring(err).find("SaveDataCreator", 1, true)[0]).to.be.ok();
			expect(tostring(err).find("Version 1", 1, true)[0]).to.be.ok();
			expect(tostring(err).find("SaveDataVersion 2", 1, true)[0]).to.be.ok();
			expect(world.store.RequestCount).to.equal(0);
		});

		it("a creator that turns stale later is refused inside the load: nothing is written, no orphaned lock", () => {
			const world = new LockerWorld();
			let calls = 0;
			const ls = LockerCreate(
				world.spec({
					SaveDataVersion: 2,
					SaveDataCreator: () => {
						calls += 1;
						return { Version: calls > 1 ? 1 : 2, VersionPatch: 0, Gold: 0 } as WorldData;
					},
				}),
				"k",
			);
			ls.MarkShouldAcquire();
			world.update(ls, 3);
			expect(ls.LoadStatus).never.to.equal("loaded");
			expect(ls.LastError!.Kind).to.equal("invalid_save_data");
			expect(world.store.Read("k")[0]).to.equal(undefined);
		});

		it("a creator that omits Version gets the spec's SaveDataVersion and saves normally", () => {
			const world = new LockerWorld();
			const ls = world.loaded({
				SaveDataVersion: 3,
				SaveDataCreator: () => ({ Gold: 1 }) as unknown as WorldData,
			});
			ls.SaveData.Gold = 2;
			ls.MarkForceSave();
			world.update(ls, 2);
			expect(ls.LastError).to.equal(undefined);
			expect((world.store.Read("k")[0] as WorldData).Gold).to.equal(2);
			expect((world.store.Read("k")[0] as WorldData).Version).to.equal(3);
		});
	});
};
