/// <reference types="@rbxts/testez/globals" />
import type ProfileStoreModule from "@rbxts/profile-store";
import { Kit, KitServer } from "../../kit";

/** Where the npm package's unchanged Luau source sits in the test place. */
const PROFILE_STORE = "ReplicatedStorage.rbxts_include.node_modules.@rbxts.profile-store.src";

interface Coins {
	Coins: number;
}

export = () => {
	describe("ProfileStore from npm, unchanged, on the runtime", () => {
		// No shim: ProfileStore.New calls DataStoreOptions:SetExperimentalFeatures and reads type() of engine objects,
		// which the runtime provides as Roblox does.
		it("join, play, leave, then join on another server: the second server loads what the first saved", () => {
			const world = Kit.createUniverse({ seed: 11, latency: { min: 0.05, max: 0.3 } });
			const a = world.startServer();
			const b = world.startServer();
			const storeOn = (server: KitServer) =>
				server.require<typeof ProfileStoreModule>(PROFILE_STORE).New("PlayerData", { Coins: 0 } as Coins);
			const storeA = storeOn(a);
			const storeB = storeOn(b);

			const first = storeA.StartSessionAsync("1", { Cancel: () => false });
			expect(first).to.be.ok();
			expect(first!.Data.Coins).to.equal(0);
			first!.Data.Coins = 25;
			Kit.advance(10);
			first!.EndSession();
			Kit.advance(2); // the release lands within the latency
			expect(first!.IsActive()).to.equal(false);

			const second = storeB.StartSessionAsync("1", { Cancel: () => false });
			expect(second).to.be.ok();
			expect(second!.IsActive()).to.equal(true);
			expect(second!.Data.Coins).to.equal(25);
			second!.EndSession();
			world.destroy();
		});
	});
};
