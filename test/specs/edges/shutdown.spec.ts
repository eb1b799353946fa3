/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer, KitUniverse } from "../../kit";
import { RequestGatewayCreate } from "../../../src";
import type { CoinsProfile } from "../easy/helpers";
import { CoinsData, startWithStore, stored, STORE, universeWith } from "../easy/helpers";
import type { Data as FullData } from "./fixtures/FullShutdownGame";
import { LockerWorld } from "../../helpers/world";

type FullGameModule = typeof import("./fixtures/FullShutdownGame");
const FULL_GAME = "ReplicatedStorage.Specs.specs.edges.fixtures.FullShutdownGame";

const OUTAGE = "502: API Services rejected request with error. HTTP 500 (Internal Server Error)";

/**
 * A minute of play (the request budget refills from the loads), then a shutdown whose first 10 s meet a DataStore
 * outage on every UpdateAsync. Waits up to 60 s for the server to close; returns whether it did and how long it took.
 */
function shutDownThroughOutage(universe: KitUniverse, server: KitServer): { closed: boolean; seconds: number } {
	Kit.advance(60);
	const removeFault = universe.dataStores.addFault({ method: "UpdateAsync", count: math.huge, message: OUTAGE });
	const start = Kit.now();
	server.shutdown();
	Kit.advance(10);
	removeFault();
	const closed = Kit.waitUntil(() => server.isClosed, 60);
	return { closed, seconds: Kit.now() - start };
}

export = () => {
	describe("shutdown during a DataStore outage", () => {
		it("saves and releases all 100 players within 30 s when the DataStore fails for the first 10 s of shutdown", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const count = 100;
			for (let i = 1; i <= count; i++) server.addPlayer({ userId: 3000 + i });
			const profiles = new Array<CoinsProfile>();
			expect(Kit.waitUntil(() => store.GetLockerCount() === count, 10)).to.equal(true);
			for (let i = 1; i <= count; i++) profiles.push(players.Get(3000 + i) as CoinsProfile);
			expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 120)).to.equal(true);
			for (let i = 1; i <= count; i++) {
				profiles[i - 1].GetSaveData().Coins = i;
				profiles[i - 1].MarkShouldSave();
			}
			const { closed, seconds } = shutDownThroughOutage(universe, server);
			expect(closed).to.equal(true);
			expect(seconds <= 30).to.equal(true);
			let saved = 0;
			for (let i = 1; i <= count; i++) {
				const value = stored(universe, tostring(3000 + i)) as CoinsData;
				if (value.Coins === i && value.Session === undefined) saved += 1;
			}
			expect(saved).to.equal(count);
			universe.destroy();
		});
	});

	describe("Full API shutdown (LockersShutdown) during a DataStore outage", () => {
		it("saves and releases all 100 players within 30 s when the DataStore fails for the first 10 s of shutdown", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const module = server.require<FullGameModule>(FULL_GAME);
			const fullGame = module.start();
			const count = 100;
			for (let i = 1; i <= count; i++) server.addPlayer({ userId: 5000 + i });
			expect(
				Kit.waitUntil(() => {
					let loaded = 0;
					for (const [, ls] of fullGame.lockers) if (ls.LoadStatus === "loaded") loaded += 1;
					return loaded === count;
				}, 120),
			).to.equal(true);
			for (let i = 1; i <= count; i++) {
				const ls = fullGame.lockers.get(5000 + i)!;
				ls.SaveData.Coins = i;
				ls.MarkShouldSave();
			}
			const { closed, seconds } = shutDownThroughOutage(universe, server);
			expect(closed).to.equal(true);
			expect(seconds <= 30).to.equal(true);
			expect(fullGame.shutdownResult).to.equal(true);
			let saved = 0;
			for (let i = 1; i <= count; i++) {
				const entry = universe.dataStores.read(module.STORE_NAME, tostring(5000 + i));
				const value = entry?.value as FullData | undefined;
				if (value !== undefined && value.Coins === i && value.Session === undefined) saved += 1;
			}
			expect(saved).to.equal(count);
			universe.destroy();
		});

		it("a remote change that cannot be stored fails loudly a second before the deadline and does not hold the shutdown", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const fullGame = server.require<FullGameModule>(FULL_GAME).start();
			universe.dataStores.hold("77");
			let callback: boolean | undefined;
			const send = fullGame.sender.Send("77", [{ K: "gift", Amount: 5 } as never], sent => (callback = sent));
			Kit.advance(1);
			expect(send.Status).to.equal("queued");
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(fullGame.closeEndedAt - fullGame.closeStartedAt < 25).to.equal(true);
			expect(fullGame.shutdownResult).to.equal(true);
			expect(send.Status).to.equal("failed");
			expect(callback).to.equal(false);
			expect(send.Error!.Kind).to.equal("remote_change_shutdown");
			universe.destroy();
		});
	});

	describe("a retry planned before closing began", () => {
		it("is brought forward when closing starts instead of waiting out its old backoff", () => {
			const world = new LockerWorld();
			const ls = world.loaded({ SessionRetryCooldown: 10 });
			// Two failed saves before shutdown: the next attempt is planned about 20 s (16 to 24 s) later.
			world.store.FailNext(OUTAGE, 2);
			ls.SaveData.Gold = 7;
			ls.MarkForceSave();
			const failed = () =>
				world
					.kinds()
					.filter(k => k === "request_failed")
					.size();
			expect(world.runUntil(ls, () => failed() === 2, 15)).to.equal(true);
			expect(ls.ChangeId_Saved < ls.ChangeId_Pending).to.equal(true);
			world.gatewayA.BeginClosing(world.mono + 27);
			ls.MarkShouldRelease();
			const closedAt = world.mono;
			expect(world.runUntil(ls, () => ls.IsIdling, 30)).to.equal(true);
			// The first closing retry is about a second away; the old plan was still at least 4 s off.
			expect(world.mono - closedAt < 2).to.equal(true);
			const [stored] = world.store.Read("k");
			expect((stored as { Gold: number }).Gold).to.equal(7);
			expect((stored as { Session?: unknown }).Session).to.equal(undefined);
		});
	});

	describe("the Easy API's shutdown warning", () => {
		it("names the key left unreleased and the remote change left unconfirmed when the budget runs out", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			server.addPlayer({ userId: 60 });
			expect(Kit.waitUntil(() => players.Get(60) !== undefined && players.Get(60)!.IsLoaded, 30)).to.equal(true);
			// Every write of key 60 (the release) and of key 43 (the remote change) hangs.
			universe.dataStores.hold("60");
			universe.dataStores.hold("43");
			store.SendRemoteChanges("43", [{ K: "gift", Amount: 5 } as never]);
			Kit.advance(1);
			server.clearOutput();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			const warnings = server
				.outputOf("warn")
				.filter(line => line.find("budget ran out", 1, true)[0] !== undefined);
			expect(warnings.size()).to.equal(1);
			expect(warnings[0].find("60 (releasing)", 1, true)[0]).to.be.ok();
			expect(warnings[0].find("key 43: 0 queued, 1 in flight", 1, true)[0]).to.be.ok();
			universe.destroy();
		});
	});

	describe("the gateway while closing", () => {
		it("retries are short and never planned past the deadline; jitter is reproducible from a seeded Random", () => {
			let now = 100;
			const gateway = RequestGatewayCreate({ Clock: () => now, Random: new Random(11), PlaceId: 1, JobId: "A" });
			const same = RequestGatewayCreate({ Clock: () => now, Random: new Random(11), PlaceId: 1, JobId: "B" });
			for (let failures = 1; failures <= 4; failures++) {
				expect(gateway.RetryDelay(10, failures)).to.equal(same.RetryDelay(10, failures));
			}
			expect(gateway.RetryDelay(10, 2) >= 16).to.equal(true);
			gateway.BeginClosing(now + 27);
			expect(gateway.IsClosing()).to.equal(true);
			for (let failures = 1; failures <= 6; failures++) {
				const delay = gateway.RetryDelay(10, failures);
				expect(delay > 0 && delay <= 3.6).to.equal(true);
			}
			now += 24;
			// 3 s before the deadline: the next attempt is at once, leaving its request time to complete.
			expect(gateway.RetryDelay(10, 5) <= 1).to.equal(true);
			now += 5;
			expect(gateway.RetryDelay(10, 6)).to.equal(0);
		});
	});

	describe("remote changes at shutdown", () => {
		it("a send queued behind a full key fails loudly at shutdown (callback false, status failed) and does not hold the shutdown", () => {
			const universe = universeWith();
			const changes = new Array<object>();
			for (let i = 1; i <= 200; i++) changes.push({ K: "gift", I: i, IK: `old-${i}`, Amount: 1 });
			universe.dataStores.write(STORE, "42", {
				Version: 1,
				VersionPatch: 0,
				Coins: 0,
				Gifts: 0,
				RemoteChanges: changes,
			});
			const { server, store } = startWithStore(universe);
			let callback: boolean | undefined;
			const send = store.SendRemoteChanges("42", [{ K: "gift", Amount: 5 } as never], sent => (callback = sent));
			Kit.advance(5);
			expect(send.Status).to.equal("queued");
			const start = Kit.now();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(Kit.now() - start < 10).to.equal(true);
			expect(send.Status).to.equal("failed");
			expect(callback).to.equal(false);
			expect(send.Error!.Kind).to.equal("remote_change_shutdown");
			expect(send.Error!.Message.find("42", 1, true)[0]).to.be.ok();
			universe.destroy();
		});

		it("a send still unconfirmed at the shutdown deadline fails loudly instead of being dropped silently", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			// Every write of key 43 hangs: the send can never be confirmed.
			universe.dataStores.hold("43");
			let callback: boolean | undefined;
			const send = store.SendRemoteChanges("43", [{ K: "gift", Amount: 5 } as never], sent => (callback = sent));
			Kit.advance(1);
			// What a shutdown warning can name: the key and that its change is in flight.
			expect(store.describePending().find("key 43: 0 queued, 1 in flight", 1, true)[0]).to.be.ok();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(send.Status).to.equal("failed");
			expect(callback).to.equal(false);
			expect(send.Error!.Kind).to.equal("remote_change_shutdown");
			universe.destroy();
		});
	});
};
