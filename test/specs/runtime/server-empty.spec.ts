/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";

type Ticker = typeof import("./fixtures/Ticker");
const TICKER = "ReplicatedStorage.Specs.specs.runtime.fixtures.Ticker";

// A server whose last player leaves shuts down (creator-docs Enum.CloseReason: "ServerEmpty — the last player has
// left and the experience is empty"), and the order of PlayerRemoving and BindToClose during a shutdown.
export = () => {
	describe("empty servers close (creator-docs Enum.CloseReason.ServerEmpty)", () => {
		it("the last player leaving shuts the server down with ServerEmpty; it closes when BindToClose returns (creator-docs CloseReason, DataModel:BindToClose)", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const log = new Array<string>();
			server.require<Ticker>(TICKER).bindClose(5, log);
			const first = server.addPlayer({ userId: 1 });
			const second = server.addPlayer({ userId: 2 });
			server.removePlayer(first);
			Kit.advance(1);
			expect(log.size()).to.equal(0);
			expect(server.isAlive).to.equal(true);
			server.removePlayer(second);
			Kit.flush();
			expect(log.join(",")).to.equal("start ServerEmpty");
			Kit.advance(4);
			expect(server.isAlive).to.equal(true);
			expect(Kit.waitUntil(() => server.isClosed, 2)).to.equal(true);
			expect(log.join(",")).to.equal("start ServerEmpty,done");
			universe.destroy();
		});

		it("a ServerEmpty shutdown is cut off at the 30-second deadline (creator-docs DataModel:BindToClose)", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const log = new Array<string>();
			server.require<Ticker>(TICKER).bindClose(1000, log);
			server.removePlayer(server.addPlayer());
			const start = Kit.now();
			Kit.advance(29);
			expect(server.isAlive).to.equal(true);
			expect(Kit.waitUntil(() => server.isClosed, 2)).to.equal(true);
			expect(Kit.now() - start < 30.1).to.equal(true);
			expect(log.join(",")).to.equal("start ServerEmpty");
			universe.destroy();
		});

		it("a server that never had a player, and one started with stayOpenWhenEmpty, stay up", () => {
			const universe = Kit.createUniverse();
			const neverJoined = universe.startServer();
			const optedOut = universe.startServer({ stayOpenWhenEmpty: true });
			const switchedOff = universe.startServer();
			switchedOff.stayOpenWhenEmpty();
			optedOut.removePlayer(optedOut.addPlayer());
			switchedOff.removePlayer(switchedOff.addPlayer());
			Kit.advance(60);
			expect(neverJoined.isAlive).to.equal(true);
			expect(optedOut.isAlive).to.equal(true);
			expect(switchedOff.isAlive).to.equal(true);
			// And a rejoin on the same server works, which is what the opt-out is for.
			expect(optedOut.addPlayer().Parent).to.equal(optedOut.game.GetService("Players"));
			universe.destroy();
		});
	});

	describe("shutdown order (creator-docs Deferred events, DataModel:BindToClose)", () => {
		it("players leave first: their deferred PlayerRemoving handlers run before any BindToClose callback starts", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const log = new Array<string>();
			server.require<Ticker>(TICKER).observeShutdown(log);
			server.addPlayer({ userId: 1 });
			server.addPlayer({ userId: 2 });
			Kit.flush();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 40)).to.equal(true);
			expect(log.join(",")).to.equal("removing 1,removing 2,close");
			universe.destroy();
		});

		it("with ServerEmpty too, the last player's deferred PlayerRemoving handler runs before BindToClose starts", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const log = new Array<string>();
			server.require<Ticker>(TICKER).observeShutdown(log);
			server.require<Ticker>(TICKER).bindClose(0, log);
			server.removePlayer(server.addPlayer({ userId: 4 }));
			expect(Kit.waitUntil(() => server.isClosed, 40)).to.equal(true);
			expect(log.join(",")).to.equal("removing 4,close,start ServerEmpty,done");
			universe.destroy();
		});
	});
};
