/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsData, CoinsStore, Lib, LIB, stored, universeWith } from "./helpers";

type LuauExample = (
	lib: Lib,
	dataStoreService: DataStoreService,
	players: Players,
	onLoaded: (line: string) => void,
) => CoinsStore;

export = () => {
	describe("the Luau example of docs/easy-api.md", () => {
		it("runs on the compiled package: players load, earn coins, leave, and the coins are saved", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const example = server.require<LuauExample>("ReplicatedStorage.Specs.specs.easy.fixtures.LuauExample");
			const lines = new Array<string>();
			const store = example(
				server.require<Lib>(LIB),
				server.game.GetService("DataStoreService"),
				server.game.GetService("Players"),
				line => lines.push(line),
			);
			const player = server.addPlayer({ userId: 77, name: "Luau" });
			expect(Kit.waitUntil(() => lines.size() > 0, 10)).to.equal(true);
			expect(lines[0]).to.equal("Luau: 0 coins");
			Kit.advance(25);
			server.removePlayer(player);
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 10)).to.equal(true);
			expect((stored(universe, "77") as CoinsData).Coins >= 2).to.equal(true);
			universe.destroy();
		});
	});
};
