/// <reference types="@rbxts/testez/globals" />
import Signal from "@rbxts/signal";
import { Kit } from "../../kit";

// Item 55: BindableEvent and RBXScriptSignal under Deferred (default) and Immediate SignalBehavior.
export = () => {
	describe("BindableEvent (item 55)", () => {
		it("Fire never yields and, under Deferred, handlers run after the current resumption point", () => {
			const event = new Instance("BindableEvent");
			const log = new Array<string>();
			event.Event.Connect(() => log.push("handler"));
			event.Fire();
			log.push("after fire");
			expect(log.join(",")).to.equal("after fire");
			Kit.flush();
			expect(log.join(",")).to.equal("after fire,handler");
			event.Destroy();
		});

		it("Fire hands handlers a copy of a buffer, as of every argument (BindableEvent reference: argument limitations)", () => {
			const event = new Instance("BindableEvent");
			const sent = buffer.fromstring("abc");
			let received: buffer | undefined;
			event.Event.Connect((b: buffer) => (received = b));
			event.Fire(sent);
			buffer.writeu8(sent, 0, 120);
			Kit.flush();
			expect(received).to.be.ok();
			expect(received === sent).to.equal(false);
			// The copy was taken at Fire: a change made afterwards to the sender's buffer does not show.
			expect(buffer.tostring(received!)).to.equal("abc");
			event.Destroy();
		});

		it("Kit.flush waits for handlers deferred by deferred handlers", () => {
			const first = new Instance("BindableEvent");
			const second = new Instance("BindableEvent");
			const log = new Array<string>();
			first.Event.Connect(() => {
				log.push("first");
				second.Fire();
			});
			second.Event.Connect(() => log.push("second"));
			first.Fire();
			Kit.flush();
			expect(log.join(",")).to.equal("first,second");
			first.Destroy();
			second.Destroy();
		});

		it("one handler's error is reported and the other handlers still run", () => {
			const event = new Instance("BindableEvent");
			let second = false;
			event.Event.Connect(() => error("first handler fails"));
			event.Event.Connect(() => {
				second = true;
			});
			event.Fire();
			Kit.flush();
			expect(second).to.equal(true);
			const errors = Kit.host().outputOf("error");
			expect(errors[errors.size() - 1].find("first handler fails")[0]).to.be.ok();
			event.Destroy();
		});

		it("arguments are copied: tables lose identity and metatables", () => {
			const event = new Instance("BindableEvent");
			const sent = setmetatable({ a: 1 }, { __index: () => "meta" });
			let received: unknown;
			event.Event.Connect((value: unknown) => {
				received = value;
			});
			event.Fire(sent);
			Kit.flush();
			expect(received === sent).to.equal(false);
			expect((received as { a: number }).a).to.equal(1);
			expect(getmetatable(received as object)).to.equal(undefined);
			event.Destroy();
		});

		it("Disconnect drops an invocation still queued under Deferred", () => {
			const event = new Instance("BindableEvent");
			let calls = 0;
			const connection = event.Event.Connect(() => calls++);
			event.Fire();
			connection.Disconnect();
			Kit.flush();
			expect(calls).to.equal(0);
			expect(connection.Connected).to.equal(false);
			event.Destroy();
		});

		it("Once disconnects before its handler runs; Wait returns the fired arguments", () => {
			const event = new Instance("BindableEvent");
			let onceCalls = 0;
			const connection = event.Event.Once(() => onceCalls++);
			task.delay(0.1, () => event.Fire("payload", 7));
			const [text, value] = event.Event.Wait();
			Kit.flush();
			event.Fire();
			Kit.flush();
			expect(text).to.equal("payload");
			expect(value).to.equal(7);
			expect(onceCalls).to.equal(1);
			expect(connection.Connected).to.equal(false);
			event.Destroy();
		});
	});

	describe("SignalBehavior", () => {
		it("Immediate servers run handlers inside Fire, Deferred servers after it", () => {
			const universe = Kit.createUniverse();
			const immediate = universe.startServer({ signalBehavior: "Immediate" });
			const deferred = universe.startServer();
			for (const [server, expected] of [
				[immediate, "handler,after"],
				[deferred, "after"],
			] as const) {
				const event = server.game.GetService("ReplicatedStorage");
				const log = new Array<string>();
				const child = new Instance("Folder");
				event.ChildAdded.Connect(() => log.push("handler"));
				child.Parent = event;
				log.push("after");
				expect(log.join(",")).to.equal(expected);
			}
			expect(
				(immediate.game.GetService("Workspace") as unknown as { SignalBehavior: EnumItem }).SignalBehavior,
			).to.equal(Enum.SignalBehavior.Immediate);
			universe.destroy();
		});

		it("@rbxts/signal works on the runtime (one BindableEvent per signal)", () => {
			const signal = new Signal<(value: number) => void>();
			let total = 0;
			signal.Connect(value => {
				total += value;
			});
			signal.Fire(2);
			signal.Fire(3);
			Kit.flush();
			expect(total).to.equal(5);
			signal.Destroy();
		});
	});
};
