/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { addServer, hasReport, joinAndLoad, stored, totalOf, worldWith } from "../purchases/helpers";

function remoteChangesOf(data: unknown): Array<{ K: string; IK?: string }> {
	return ((data as { RemoteChanges?: Array<{ K: string; IK?: string }> } | undefined)?.RemoteChanges ?? []) as Array<{
		K: string;
		IK?: string;
	}>;
}

export = () => {
	describe("RemoteChangeSender: exactly-once remote changes", () => {
		it("the holder is nudged and applies and saves a change within seconds, in one write", () => {
			const world = worldWith(2, { MaintainSessionPeriod: 300 });
			joinAndLoad(world, 0, 1);
			const start = Kit.now();
			const send = world.games[1].send(1, 7);
			expect(Kit.waitUntil(() => stored(world, 1)!.Gold === 7, 30)).to.equal(true);
			const latency = Kit.now() - start;
			expect(latency < 5).to.equal(true);
			// Effect and removal land together: once Gold is stored, the change is no longer in the key.
			expect(remoteChangesOf(stored(world, 1)).size()).to.equal(0);
			expect(send.Status).to.equal("sent");
			expect(world.games[0].listener.NudgeCount).to.equal(1);
			expect(world.games[0].counters.remoteApplies).to.equal(1);
			expect(world.games[1].sender.IsSending()).to.equal(false);
			world.universe.destroy();
		});

		it("changes already in the key when a session loads are applied once (v13's B2)", () => {
			const world = worldWith(2);
			world.servers[0].stayOpenWhenEmpty(); // the spec reads server 0's lockers after its player left
			const player = joinAndLoad(world, 0, 1);
			world.servers[0].removePlayer(player);
			expect(Kit.waitUntil(() => world.games[0].locker(1) === undefined, 20)).to.equal(true);
			world.games[1].send(1, 3);
			world.games[1].send(1, 4);
			expect(Kit.waitUntil(() => remoteChangesOf(stored(world, 1)).size() === 2, 20)).to.equal(true);
			joinAndLoad(world, 1, 1);
			expect(Kit.waitUntil(() => world.games[1].locker(1)!.SaveData.Gold === 7, 10)).to.equal(true);
			expect(Kit.waitUntil(() => stored(world, 1)!.Gold === 7, 60)).to.equal(true);
			expect(remoteChangesOf(stored(world, 1)).size()).to.equal(0);
			expect(totalOf(world, g => g.counters.remoteApplies)).to.equal(2);
			world.universe.destroy();
		});

		it("CreateIfMissing on a never-created key stores the change without a lock; the first loader applies it (B5)", () => {
			const world = worldWith(1);
			const send = world.games[0].send(77, 5);
			expect(Kit.waitUntil(() => send.Status === "sent", 20)).to.equal(true);
			const value = stored(world, 77)!;
			expect((value as unknown as { Session?: unknown }).Session).to.equal(undefined);
			expect(remoteChangesOf(value).size()).to.equal(1);
			joinAndLoad(world, 0, 77);
			expect(Kit.waitUntil(() => stored(world, 77)!.Gold === 5, 60)).to.equal(true);
			expect(world.games[0].counters.remoteApplies).to.equal(1);
			world.universe.destroy();
		});

		for (const mode of ["error", "commit-then-error", "drop-then-ok"] as const) {
			it(`a send failing with "${mode}" is retried without storing the change twice`, () => {
				const world = worldWith(2, { MaintainSessionPeriod: 300 });
				joinAndLoad(world, 0, 1);
				world.universe.dataStores.addFault({
					method: "UpdateAsync",
					key: "1",
					server: world.servers[1],
					mode,
					count: 1,
					message: "502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
				});
				const send = world.games[1].send(1, 9);
				expect(Kit.waitUntil(() => send.Status === "sent", 30)).to.equal(true);
				expect(Kit.waitUntil(() => stored(world, 1)!.Gold === 9, 30)).to.equal(true);
				Kit.advance(10);
				expect(stored(world, 1)!.Gold).to.equal(9);
				expect(world.games[0].counters.remoteApplies).to.equal(1);
				world.universe.destroy();
			});
		}

		it("a Send retried with the same idempotency key after the change was applied is not applied again", () => {
			const world = worldWith(2);
			joinAndLoad(world, 0, 1);
			world.games[1].send(1, 5, "order-42");
			expect(Kit.waitUntil(() => stored(world, 1)!.Gold === 5, 30)).to.equal(true);
			const again = world.games[1].send(1, 5, "order-42");
			expect(Kit.waitUntil(() => again.Status === "sent", 30)).to.equal(true);
			Kit.advance(10);
			expect(stored(world, 1)!.Gold).to.equal(5);
			expect(world.games[0].counters.remoteApplies).to.equal(1);
			world.universe.destroy();
		});

		it("the holder's save reporting success without committing does not apply a change twice", () => {
			const world = worldWith(2, { MaintainSessionPeriod: 300 });
			joinAndLoad(world, 0, 1);
			// The holder's next two writes are dropped while it is told they committed.
			world.universe.dataStores.addFault({
				method: "UpdateAsync",
				key: "1",
				server: world.servers[0],
				mode: "drop-then-ok",
				count: 2,
			});
			world.games[1].send(1, 6);
			expect(Kit.waitUntil(() => world.games[0].counters.remoteApplies === 1, 30)).to.equal(true);
			world.games[0].locker(1)!.MarkForceSave();
			expect(Kit.waitUntil(() => stored(world, 1)!.Gold === 6, 30)).to.equal(true);
			world.games[0].locker(1)!.MarkForceSave();
			Kit.advance(5);
			expect(stored(world, 1)!.Gold).to.equal(6);
			expect(world.games[0].locker(1)!.SaveData.Gold).to.equal(6);
			world.universe.destroy();
		});

		it("a holder that crashes between applying and saving: the next server applies the change once", () => {
			const world = worldWith(2, { MaintainSessionPeriod: 300 });
			joinAndLoad(world, 0, 1);
			world.games[1].send(1, 8);
			// Crash in the frame the change was applied in memory: the save persisting it takes at least one
			// request's latency, so it never commits.
			expect(Kit.waitUntil(() => world.games[0].counters.remoteApplies === 1, 30)).to.equal(true);
			world.servers[0].crash();
			Kit.advance(1);
			expect(stored(world, 1)!.Gold).to.equal(0);
			expect(remoteChangesOf(stored(world, 1)).size()).to.equal(1);
			const [server, g2] = addServer(world);
			server.addPlayer({ userId: 1 });
			expect(Kit.waitUntil(() => stored(world, 1)!.Gold === 8, 200)).to.equal(true);
			expect(g2.counters.remoteApplies).to.equal(1);
			expect(remoteChangesOf(stored(world, 1)).size()).to.equal(0);
			world.universe.destroy();
		});

		it("sends to a key whose holder died do not keep its lock fresh; without a heartbeat the next server takes over at the expiry", () => {
			// No heartbeat: the takeover waits for the expiry, which foreign writes must not push back.
			const world = worldWith(2, { SessionExpiry: 60, Liveness: false });
			joinAndLoad(world, 0, 1);
			world.servers[0].crash();
			const crashedAt = Kit.now();
			world.servers[1].addPlayer({ userId: 1 });
			let total = 0;
			let i = 0;
			const loaded = Kit.waitUntil(() => {
				// A change every ~5 s: each is a write to the locked key by a server that does not hold it.
				if (Kit.now() - crashedAt > i * 5) {
					i += 1;
					total += i;
					world.games[1].send(1, i, `tick-${i}`);
				}
				return world.games[1].loaded(1);
			}, 120);
			expect(loaded).to.equal(true);
			const tookOver = Kit.now() - crashedAt;
			expect(tookOver > 60 && tookOver < 80).to.equal(true);
			expect(Kit.waitUntil(() => !world.games[1].sender.IsSending(), 20)).to.equal(true);
			expect(Kit.waitUntil(() => stored(world, 1)!.Gold === total, 60)).to.equal(true);
			expect(world.games[1].counters.remoteApplies).to.equal(i);
			world.universe.destroy();
		});

		it("kinds the holder does not know are kept in the key for newer servers", () => {
			const world = worldWith(2, { MaintainSessionPeriod: 300 });
			joinAndLoad(world, 0, 1);
			world.games[1].sendKind(1, "give_gold_v2", "future-1");
			world.games[1].send(1, 2);
			expect(Kit.waitUntil(() => stored(world, 1)!.Gold === 2, 30)).to.equal(true);
			const left = remoteChangesOf(stored(world, 1));
			expect(left.size()).to.equal(1);
			expect(left[0].K).to.equal("give_gold_v2");
			expect(left[0].IK).to.equal("future-1");
			world.universe.destroy();
		});

		it("a full queue is an error and queues nothing; Destroy fails what was not sent; Update always returns", () => {
			const world = worldWith(1);
			const sender = world.games[0].sender;
			const changes = new Array<{ K: string; Amount: number }>();
			for (let i = 0; i < 101; i++) changes.push({ K: "give_gold", Amount: 1 });
			const [ok, err] = pcall(() => sender.Send("5", changes));
			const message = tostring(err);
			expect(ok).to.equal(false);
			expect(message.find("already queued", 1, true)[0]).to.be.ok();
			expect(sender.IsSending()).to.equal(false);
			const send = sender.Send("5", [{ K: "give_gold", Amount: 1 } as never]);
			expect(sender.IsSending()).to.equal(true);
			sender.Destroy();
			expect(send.Status).to.equal("failed");
			expect(send.Error!.Kind).to.equal("remote_change_sender_destroyed");
			expect(sender.IsSending()).to.equal(false);
			sender.Update();
			expect(() => sender.Send("5", [{ K: "give_gold" }])).to.throw();
			expect(hasReport(world.games[0], "destroyed")).to.equal(true);
			world.universe.destroy();
		});

		it("a change without a kind is refused at Send", () => {
			const world = worldWith(1);
			expect(() => world.games[0].sender.Send("5", [{} as never])).to.throw();
			world.universe.destroy();
		});
	});
};
