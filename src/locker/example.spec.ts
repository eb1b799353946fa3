/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer } from "../../test/kit";
import type { LockerSpec } from "./LockerSpec";
import type { LockerState } from "./LockerState";
import type { SaveData } from "../protocol/format";

type Lib = typeof import("../index");

interface PlayerData extends SaveData {
	Gold: number;
}

/**
 * The Full API example of docs/full-api.md, line for line, except that the library and the services come from an
 * emulated server instead of imports.
 */
function runExample(lib: Lib, dataModel: DataModel) {
	const Players = dataModel.GetService("Players");
	const RunService = dataModel.GetService("RunService");
	const DataStoreService = dataModel.GetService("DataStoreService");
	const { LockerCreatePlayer, LockersShutdown } = lib;

	const spec: LockerSpec<PlayerData> = {
		DataStore: DataStoreService.GetDataStore("PlayerData"),
		SaveDataVersion: 1,
		SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
	};

	const lockers = new Map<Player, LockerState<PlayerData>>();
	let closing = false;

	Players.PlayerAdded.Connect(player => {
		if (closing) return;
		const ls = LockerCreatePlayer(spec, player);
		ls.MarkShouldAcquire();
		lockers.set(player, ls);
	});

	Players.PlayerRemoving.Connect(player => {
		lockers.get(player)?.MarkShouldRelease();
	});

	RunService.Heartbeat.Connect(() => {
		const now = os.clock();
		for (const [player, ls] of lockers) {
			const idle = ls.SessionUpdate(now);
			if (idle && player.Parent === undefined) {
				ls.MarkDeleted();
				lockers.delete(player);
			}
		}
	});

	dataModel.BindToClose(() => {
		closing = true;
		const all = () => {
			const list = new Array<LockerState<PlayerData>>();
			for (const [, ls] of lockers) list.push(ls);
			return list;
		};
		LockersShutdown(all, { UpdateLockers: false });
	});

	/** Game code: give gold to a loaded player and make sure it is saved soon. */
	function giveGold(player: Player, amount: number): boolean {
		const ls = lockers.get(player);
		if (ls === undefined || !ls.IsAvailable()) return false;
		ls.SaveData.Gold += amount;
		ls.MarkForceSave();
		return true;
	}

	return { lockers, giveGold, isLoaded: (player: Player) => lockers.get(player)?.IsAvailable() === true };
}

export = () => {
	describe("the Full API example", () => {
		it("loads players, saves, releases leavers and flushes everything on shutdown", () => {
			const u = Kit.createUniverse({ seed: 3 });
			const server: KitServer = u.startServer();
			const example = runExample(server.require<Lib>("ReplicatedStorage.SessionLocker"), server.game);
			const alice = server.addPlayer({ userId: 1 });
			const bob = server.addPlayer({ userId: 2 });
			expect(Kit.waitUntil(() => example.isLoaded(alice) && example.isLoaded(bob), 10)).to.equal(true);
			expect(example.giveGold(alice, 10)).to.equal(true);
			expect(example.giveGold(bob, 5)).to.equal(true);
			server.removePlayer(alice);
			expect(Kit.waitUntil(() => !example.lockers.has(alice), 20)).to.equal(true);
			const aliceKey = u.dataStores.read("PlayerData", "1")!;
			expect((aliceKey.value as PlayerData).Gold).to.equal(10);
			expect((aliceKey.value as PlayerData).Session).to.equal(undefined);
			expect(aliceKey.userIds[0]).to.equal(1);
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 40)).to.equal(true);
			const bobKey = u.dataStores.read("PlayerData", "2")!;
			expect((bobKey.value as PlayerData).Gold).to.equal(5);
			expect((bobKey.value as PlayerData).Session).to.equal(undefined);
			u.destroy();
		});
	});
};
