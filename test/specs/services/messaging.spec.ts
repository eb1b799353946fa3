/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer } from "../../kit";
import { errorOf, universeWith } from "./helpers";

function messaging(server: KitServer) {
	return server.game.GetService("MessagingService");
}

// MessagingService: cross-server publish/subscribe with Roblox's limits.
export = () => {
	describe("MessagingService", () => {
		it("delivers a published message to every subscribed server, the sender included, after virtual latency", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			const c = universe.startServer();
			const received = new Array<string>();
			messaging(a).SubscribeAsync("release", m => received.push(`a:${(m.Data as { id: number }).id}`));
			messaging(b).SubscribeAsync("release", m => received.push(`b:${(m.Data as { id: number }).id}`));
			messaging(c).SubscribeAsync("other", () => received.push("c"));
			const t0 = Kit.now();
			messaging(a).PublishAsync("release", { id: 7 });
			expect(received.size()).to.equal(0);
			Kit.advance(1);
			received.sort();
			expect(received.join(",")).to.equal("a:7,b:7");
			const published = universe.messaging.published();
			expect(published.size()).to.equal(1);
			expect(published[0].topic).to.equal("release");
			expect(published[0].server).to.equal(a.id);
			expect(published[0].time > t0).to.equal(true);
			universe.destroy();
		});

		it("gives each subscriber a copy with Data and Sent (unix seconds)", () => {
			const universe = universeWith({ epoch: 1_780_000_000 });
			const a = universe.startServer();
			const b = universe.startServer();
			const payload = { list: [1, 2] };
			let gotA: { list: Array<number> } | undefined;
			let gotB: { list: Array<number> } | undefined;
			let sent = 0;
			messaging(a).SubscribeAsync("t", m => (gotA = m.Data as never));
			messaging(b).SubscribeAsync("t", m => {
				gotB = m.Data as never;
				sent = m.Sent;
			});
			messaging(a).PublishAsync("t", payload);
			Kit.advance(1);
			expect(gotA!.list[1]).to.equal(2);
			expect(gotA === gotB).to.equal(false);
			expect(gotA === (payload as never)).to.equal(false);
			expect(sent > 1_780_000_000).to.equal(true);
			universe.destroy();
		});

		it("refuses topics over 80 characters and messages over 1 kB", () => {
			const universe = universeWith();
			const server = universe.startServer();
			expect(errorOf(() => messaging(server).PublishAsync(string.rep("t", 81), 1))).never.to.equal(undefined);
			expect(errorOf(() => messaging(server).SubscribeAsync(string.rep("t", 81), () => {}))).never.to.equal(
				undefined,
			);
			expect(errorOf(() => messaging(server).PublishAsync(string.rep("t", 80), 1))).to.equal(undefined);
			expect(errorOf(() => messaging(server).PublishAsync("t", string.rep("x", 1100)))).never.to.equal(undefined);
			expect(errorOf(() => messaging(server).PublishAsync("t", string.rep("x", 1000)))).to.equal(undefined);
			universe.destroy();
		});

		it("Disconnect stops delivery; the kit drops and delays messages", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			let count = 0;
			const connection = messaging(b).SubscribeAsync("t", () => (count += 1));
			universe.messaging.drop(1, "t");
			messaging(a).PublishAsync("t", 1);
			Kit.advance(1);
			expect(count).to.equal(0);
			universe.messaging.setDelay(10);
			messaging(a).PublishAsync("t", 2);
			Kit.advance(5);
			expect(count).to.equal(0);
			Kit.advance(6);
			expect(count).to.equal(1);
			universe.messaging.setDelay(0);
			connection.Disconnect();
			messaging(a).PublishAsync("t", 3);
			Kit.advance(1);
			expect(count).to.equal(1);
			expect(universe.messaging.published().size()).to.equal(3);
			universe.destroy();
		});

		it("PublishAsync allows 600 + 240·players messages a minute per server, then errors (creator-docs MessagingService, Limitations)", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = messaging(server);
			const errors = new Array<string>();
			const publishMany = (count: number) => {
				for (let i = 0; i < count; i++) {
					task.spawn(() => {
						const err = errorOf(() => service.PublishAsync("burst", i));
						if (err !== undefined) errors.push(err);
					});
				}
			};
			publishMany(601);
			expect(errors.size()).to.equal(1);
			expect(errors[0]).to.equal(
				"PublishAsync request throttled: this server may publish 600 messages a minute.",
			);
			// One player raises the limit by 240.
			server.addPlayer();
			publishMany(241);
			expect(errors.size()).to.equal(2);
			// The window rolls: a minute later the server may publish again.
			Kit.advance(61);
			expect(errorOf(() => service.PublishAsync("burst", 0))).to.equal(undefined);
			universe.destroy();
		});

		it("SubscribeAsync allows 20 + 8·players subscriptions per server; Disconnect frees one (creator-docs MessagingService, Limitations)", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = messaging(server);
			const connections = new Array<RBXScriptConnection>();
			for (let i = 0; i < 20; i++) connections.push(service.SubscribeAsync(`topic${i}`, () => {}));
			expect(universe.messaging.subscriptions(server).size()).to.equal(20);
			expect(errorOf(() => service.SubscribeAsync("one-more", () => {}))).to.equal(
				"SubscribeAsync failed: this server already holds its limit of 20 subscriptions.",
			);
			connections[0].Disconnect();
			expect(errorOf(() => service.SubscribeAsync("one-more", () => {}))).to.equal(undefined);
			server.addPlayer();
			for (let i = 0; i < 8; i++) service.SubscribeAsync(`player-topic${i}`, () => {});
			expect(universe.messaging.subscriptions(server).size()).to.equal(28);
			expect(errorOf(() => service.SubscribeAsync("too-many", () => {}))).never.to.equal(undefined);
			universe.destroy();
		});

		it("SubscribeAsync allows 240 subscribe requests a minute per server (creator-docs MessagingService, Limitations)", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = messaging(server);
			for (let i = 0; i < 240; i++) service.SubscribeAsync("t", () => {}).Disconnect();
			expect(errorOf(() => service.SubscribeAsync("t", () => {}))).to.equal(
				"SubscribeAsync request throttled: this server may make 240 subscribe requests a minute.",
			);
			Kit.advance(60);
			expect(errorOf(() => service.SubscribeAsync("t", () => {}))).to.equal(undefined);
			universe.destroy();
		});

		it("a topic receives at most 40 + 80·servers messages a minute, the game 400 + 200·servers; the rest are dropped (creator-docs MessagingService, Limitations)", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			const received = new Map<string, number>();
			const count = (topic: string) => () => received.set(topic, (received.get(topic) ?? 0) + 1);
			for (const server of [a, b])
				for (const topic of ["t1", "t2", "t3", "t4", "t5"])
					messaging(server).SubscribeAsync(topic, count(topic));
			// One topic: 2 servers × 110 messages = 220 deliveries, limit 40 + 80·2 = 200.
			for (let i = 0; i < 110; i++) task.spawn(() => messaging(a).PublishAsync("t1", i));
			Kit.advance(2);
			expect(received.get("t1")).to.equal(200);
			Kit.advance(60);
			received.clear();
			// The game: 5 topics × 90 messages × 2 servers = 900 deliveries, limit 400 + 200·2 = 800.
			for (const topic of ["t1", "t2", "t3", "t4", "t5"])
				for (let i = 0; i < 90; i++) task.spawn(() => messaging(b).PublishAsync(topic, i));
			Kit.advance(2);
			let total = 0;
			received.forEach(n => (total += n));
			expect(total).to.equal(800);
			universe.destroy();
		});

		it("delivery takes a seeded latency under one second, and a loss rate drops deliveries (creator-docs MessagingService: best effort, not guaranteed)", () => {
			const run = (seed: number, loss: number) => {
				const universe = Kit.createUniverse({ seed, messageLoss: loss });
				const a = universe.startServer();
				const b = universe.startServer();
				const latencies = new Array<number>();
				messaging(b).SubscribeAsync("t", m => latencies.push(Kit.now() - (m.Data as number)));
				for (let i = 0; i < 100; i++) {
					messaging(a).PublishAsync("t", Kit.now());
				}
				Kit.advance(2);
				const lost = universe.messaging.lostCount();
				universe.destroy();
				return { latencies, lost };
			};
			const clean = run(3, 0);
			expect(clean.latencies.size()).to.equal(100);
			expect(clean.lost).to.equal(0);
			let lowest = math.huge;
			let highest = 0;
			for (const latency of clean.latencies) {
				lowest = math.min(lowest, latency);
				highest = math.max(highest, latency);
			}
			expect(highest < 1).to.equal(true);
			expect(lowest < 0.3).to.equal(true);
			expect(highest > 0.7).to.equal(true);
			const lossy = run(3, 0.3);
			expect(lossy.lost + lossy.latencies.size()).to.equal(100);
			expect(lossy.lost > 15 && lossy.lost < 45).to.equal(true);
			// One seed, one run.
			expect(run(3, 0.3).lost).to.equal(lossy.lost);
		});

		it("the kit lists a server's subscriptions and its PublishAsync / SubscribeAsync calls with their outcomes", () => {
			const universe = universeWith();
			const a = universe.startServer();
			const b = universe.startServer();
			const connection = messaging(a).SubscribeAsync("news", () => {});
			messaging(a).SubscribeAsync("chat", () => {});
			messaging(a).PublishAsync("news", { n: 1 });
			errorOf(() => messaging(a).PublishAsync("news", string.rep("x", 1100)));
			expect(universe.messaging.subscriptions(a).join(",")).to.equal("news,chat");
			expect(universe.messaging.subscriptions(b).size()).to.equal(0);
			connection.Disconnect();
			expect(universe.messaging.subscriptions(a).join(",")).to.equal("chat");
			const calls = universe.messaging.requests(a);
			expect(calls.map(c => `${c.method} ${c.topic} ${c.outcome}`).join(",")).to.equal(
				"SubscribeAsync news ok,SubscribeAsync chat ok,PublishAsync news ok,PublishAsync news error",
			);
			expect(calls[2].size).to.equal(7);
			expect(calls[3].error!.find("1kB", 1, true)[0]).never.to.equal(undefined);
			expect(universe.messaging.requests(b).size()).to.equal(0);
			universe.destroy();
		});
	});
};
