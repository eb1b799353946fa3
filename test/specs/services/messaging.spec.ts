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
	});
};
