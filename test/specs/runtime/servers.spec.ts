/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";

type Ticker = typeof import("./fixtures/Ticker");
const TICKER = "ReplicatedStorage.Specs.specs.runtime.fixtures.Ticker";
const FIXTURES = "ReplicatedStorage.Specs.specs.runtime.fixtures";

export = () => {
	describe("servers in a universe", () => {
		it("two servers run the same module independently: own module cache, own _G", () => {
			const universe = Kit.createUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			const tickerA = a.require<Ticker>(TICKER);
			const tickerB = b.require<Ticker>(TICKER);
			expect(tickerA === tickerB).to.equal(false);
			expect(a.require<Ticker>(TICKER)).to.equal(tickerA);
			tickerA.bump();
			tickerA.bump();
			expect(tickerB.bump()).to.equal(1);
			expect(tickerA.moduleState.count).to.equal(2);
			tickerA.setGlobal("owner", "a");
			expect(tickerB.getGlobal("owner")).to.equal(undefined);
			expect(tickerA.getGlobal("owner")).to.equal("a");
			expect(a.game.JobId === b.game.JobId).to.equal(false);
			universe.destroy();
		});

		it("a crashed server stops every thread at once and nothing more runs", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const state = { ticks: 0 };
			server.require<Ticker>(TICKER).startTicker(state, 1);
			Kit.advance(3.5);
			expect(state.ticks).to.equal(3);
			server.crash();
			Kit.advance(5);
			expect(state.ticks).to.equal(3);
			expect(server.isAlive).to.equal(false);
			universe.destroy();
		});

		it("a paused server resumes where it was; its threads do not run while paused", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const state = { ticks: 0 };
			server.require<Ticker>(TICKER).startTicker(state, 1);
			Kit.advance(2.5);
			server.pause();
			Kit.advance(10);
			expect(state.ticks).to.equal(2);
			server.resume();
			Kit.advance(1.1);
			expect(state.ticks >= 3).to.equal(true);
			universe.destroy();
		});

		it("a paused server handles its events in order: a player who joined during the pause and left just before it resumed is added, then removed", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer({ stayOpenWhenEmpty: true });
			const log = new Array<string>();
			server.require<Ticker>(TICKER).observePlayers(log);
			server.pause();
			const player = server.addPlayer({ userId: 7 });
			Kit.advance(1);
			expect(log.join(",")).to.equal("");
			// In one step: the player leaves while the server is still paused, then it resumes (before the leave was
			// dispatched, so the PlayerAdded handlers it parked and the PlayerRemoving event wait side by side).
			server.removePlayer(player);
			server.resume();
			Kit.advance(1);
			expect(log.join(",")).to.equal("added 7,removing 7");
			universe.destroy();
		});

		it("shutdown: BindToClose callbacks run, and the server closes when they return (item 49)", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const log = new Array<string>();
			server.require<Ticker>(TICKER).bindClose(2, log);
			const start = Kit.now();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(log.join(",")).to.equal("start DeveloperShutdown,done");
			expect(Kit.now() - start < 3).to.equal(true);
			universe.destroy();
		});

		it("shutdown: a BindToClose callback that never returns is cut off at the 30-second deadline (item 49)", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const log = new Array<string>();
			server.require<Ticker>(TICKER).bindClose(1000, log);
			const start = Kit.now();
			server.shutdown();
			Kit.advance(29);
			expect(server.isClosed).to.equal(false);
			expect(Kit.waitUntil(() => server.isClosed, 5)).to.equal(true);
			const closedAfter = Kit.now() - start;
			expect(closedAfter >= 30 && closedAfter < 30.1).to.equal(true);
			Kit.advance(1000);
			expect(log.join(",")).to.equal("start DeveloperShutdown");
			universe.destroy();
		});

		it("shutdown order of PlayerRemoving and BindToClose is selectable (item 50)", () => {
			const universe = Kit.createUniverse();
			const results = new Map<string, string>();
			for (const order of ["playersFirst", "closeFirst", "interleaved"] as const) {
				const server = universe.startServer({ shutdownOrder: order, signalBehavior: "Immediate" });
				const log = new Array<string>();
				server.require<Ticker>(TICKER).observeShutdown(log);
				server.addPlayer({ userId: 1 });
				server.addPlayer({ userId: 2 });
				server.shutdown();
				Kit.waitUntil(() => server.isClosed, 40);
				results.set(order, log.join(","));
			}
			expect(results.get("playersFirst")).to.equal("removing 1,removing 2,close");
			expect(results.get("closeFirst")).to.equal("close,removing 1,removing 2");
			expect(results.get("interleaved")).to.equal("close,removing 1,removing 2");
			universe.destroy();
		});

		it("players join and leave; deferred PlayerRemoving handlers see the player removed (creator-docs Players.PlayerRemoving, Deferred events)", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer({ stayOpenWhenEmpty: true });
			const players = server.game.GetService("Players");
			const log = new Array<string>();
			players.PlayerAdded.Connect(p => log.push(`added ${p.UserId}`));
			players.PlayerRemoving.Connect(p =>
				log.push(
					`removing ${p.UserId} ${p.Name} parented=${p.Parent === players} listed=${players.GetPlayers().size()} ` +
						`byId=${players.GetPlayerByUserId(p.UserId) !== undefined}`,
				),
			);
			const player = server.addPlayer({ userId: -1, name: "Leaver" });
			Kit.flush();
			expect(players.GetPlayers().size()).to.equal(1);
			expect(players.GetPlayerByUserId(-1)).to.equal(player);
			server.removePlayer(player);
			Kit.flush();
			// Deferred handlers run after the change they report: the Player is readable but already gone.
			expect(log.join(",")).to.equal("added -1,removing -1 Leaver parented=false listed=0 byId=false");
			expect(players.GetPlayers().size()).to.equal(0);
			universe.destroy();
		});

		it("under Immediate signals PlayerRemoving handlers run before the removal, with the player still listed (creator-docs Players.PlayerRemoving)", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer({ stayOpenWhenEmpty: true, signalBehavior: "Immediate" });
			const players = server.game.GetService("Players");
			const log = new Array<string>();
			players.PlayerRemoving.Connect(p =>
				log.push(
					`parented=${p.Parent === players} listed=${players.GetPlayers().size()} ` +
						`byId=${players.GetPlayerByUserId(p.UserId) !== undefined}`,
				),
			);
			players.ChildRemoved.Connect(() => log.push("childRemoved"));
			const player = server.addPlayer({ userId: 8 });
			server.removePlayer(player);
			expect(log.join(",")).to.equal("parented=true listed=1 byId=true,childRemoved");
			expect(players.GetPlayers().size()).to.equal(0);
			universe.destroy();
		});

		it("wall clocks carry per-server skew while the virtual clock is shared (item 56)", () => {
			const universe = Kit.createUniverse();
			const plain = universe.startServer();
			const skewed = universe.startServer({ clockSkew: 600 });
			const difference = skewed.require<Ticker>(TICKER).wallClock() - plain.require<Ticker>(TICKER).wallClock();
			expect(difference).to.equal(600);
			skewed.setClockSkew(-600);
			expect(skewed.require<Ticker>(TICKER).wallClock() - plain.require<Ticker>(TICKER).wallClock()).to.equal(
				-600,
			);
			universe.destroy();
		});
	});

	describe("require", () => {
		it("reports a cyclic require with Roblox's error", () => {
			const server = Kit.createUniverse().startServer();
			expect(() => server.require(`${FIXTURES}.CycleA`)).to.throw("Requested module was required recursively");
		});

		it("surfaces a module's load error at the requirer, with the module path and line", () => {
			const server = Kit.createUniverse().startServer();
			let message = "";
			try {
				server.require(`${FIXTURES}.Broken`);
			} catch (e) {
				message = tostring(e);
			}
			expect(message.find("Requested module experienced an error while loading", 1, true)[0]).to.be.ok();
			expect(message.find(`${FIXTURES}.Broken:2: boom at load 1`, 1, true)[0]).to.be.ok();
			// A second require fails again instead of returning a half-loaded module.
			expect(() => server.require(`${FIXTURES}.Broken`)).to.throw("experienced an error");
		});

		it("requires a module to return exactly one value", () => {
			const server = Kit.createUniverse().startServer();
			expect(() => server.require(`${FIXTURES}.NoValue`)).to.throw("did not return exactly one value");
		});
	});
};
