/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";

// Platform checklist items 52–54: the task library on the virtual clock.
export = () => {
	describe("task library (item 53)", () => {
		it("task.spawn runs synchronously until the first yield, task.defer after the current resumption point", () => {
			const log = new Array<string>();
			task.defer(() => log.push("defer"));
			task.spawn(() => {
				log.push("spawn-start");
				task.wait();
				log.push("spawn-resumed");
			});
			log.push("caller");
			expect(log.join(",")).to.equal("spawn-start,caller");
			Kit.flush();
			expect(log.join(",")).to.equal("spawn-start,caller,defer");
			Kit.advance(1 / 60);
			expect(log.join(",")).to.equal("spawn-start,caller,defer,spawn-resumed");
		});

		it("threads deferred while the deferred queue drains run in the same drain", () => {
			const log = new Array<string>();
			const frameBefore = Kit.now();
			task.defer(() => {
				log.push("outer");
				task.defer(() => log.push("inner"));
			});
			Kit.flush();
			Kit.flush();
			expect(log.join(",")).to.equal("outer,inner");
			expect(Kit.now()).to.equal(frameBefore);
		});

		it("task.delay(0) and task.wait() resume on the next frame, never in the same frame", () => {
			const start = Kit.now();
			let delayedAt = -1;
			task.delay(0, () => {
				delayedAt = Kit.now();
			});
			const elapsed = task.wait();
			expect(delayedAt > start).to.equal(true);
			expect(elapsed > 0).to.equal(true);
			expect(elapsed).to.be.near(1 / 60, 1e-9);
		});

		it("task.wait(t) returns the real elapsed time, rounded up to a frame boundary", () => {
			const elapsed = task.wait(0.1);
			expect(elapsed >= 0.1).to.equal(true);
			expect(elapsed < 0.1 + 1 / 60 + 1e-9).to.equal(true);
		});

		it("timers due on the same frame resume in (due time, scheduling order) order (item 54)", () => {
			const log = new Array<number>();
			task.delay(0.05, () => log.push(2));
			task.delay(0.01, () => log.push(1));
			task.delay(0.05, () => log.push(3));
			Kit.advance(0.2);
			expect(log.join(",")).to.equal("1,2,3");
		});

		it("task.cancel stops a delayed thread and errors on the running thread", () => {
			let ran = false;
			const thread = task.delay(0.1, () => {
				ran = true;
			});
			task.cancel(thread);
			Kit.advance(0.5);
			expect(ran).to.equal(false);
			expect(() => task.cancel(coroutine.running())).to.throw("cannot cancel");
		});

		it("an error in a spawned thread is reported with its location and does not reach the caller", () => {
			const server = Kit.createUniverse().startServer();
			const ticker = server.require<{ spawnFailing(): string }>(
				"ReplicatedStorage.Specs.specs.runtime.fixtures.Ticker",
			);
			expect(ticker.spawnFailing()).to.equal("caller continued");
			const errors = server.outputOf("error");
			expect(errors.size()).to.equal(1);
			expect(
				errors[0].find("ReplicatedStorage.Specs.specs.runtime.fixtures.Ticker:%d+: thread boom")[0],
			).to.be.ok();
		});

		it("legacy wait() is throttled to at least 29 ms and returns (elapsed, gameTime)", () => {
			// eslint-disable-next-line roblox-ts/prefer-task-library -- the legacy function is what this spec checks
			const [elapsed, total] = wait();
			expect(elapsed >= 0.029).to.equal(true);
			expect(total > 0).to.equal(true);
		});
	});

	describe("frames (item 52)", () => {
		it("Heartbeat fires once per frame step with dt, after timers of that frame", () => {
			const runService = game.GetService("RunService");
			const log = new Array<string>();
			const connection = runService.Heartbeat.Connect(dt => {
				log.push(`hb ${string.format("%.4f", dt)}`);
			});
			task.delay(0, () => log.push("timer"));
			Kit.advance(2 / 60);
			connection.Disconnect();
			// The spec runs mid-frame, so this frame's Heartbeat may come first; in the timer's frame it follows.
			const timerIndex = log.indexOf("timer");
			expect(timerIndex >= 0).to.equal(true);
			expect(log[timerIndex + 1]).to.equal(`hb ${string.format("%.4f", 1 / 60)}`);
		});

		it("PreSimulation and PostSimulation fire before Heartbeat in a frame", () => {
			const runService = game.GetService("RunService");
			const log = new Array<string>();
			const connections = [
				runService.Heartbeat.Connect(() => log.push("Heartbeat")),
				runService.PostSimulation.Connect(() => log.push("PostSimulation")),
				runService.PreSimulation.Connect(() => log.push("PreSimulation")),
			];
			Kit.advance(2 / 60);
			for (const c of connections) c.Disconnect();
			const first = log.indexOf("PreSimulation");
			expect(first >= 0).to.equal(true);
			expect([log[first], log[first + 1], log[first + 2]].join(",")).to.equal(
				"PreSimulation,PostSimulation,Heartbeat",
			);
		});

		it("frame jitter and long frames change dt, and task.wait still returns at least what was asked", () => {
			const runService = game.GetService("RunService");
			const steps = new Array<number>();
			const connection = runService.Heartbeat.Connect(dt => steps.push(dt));
			Kit.setFrameJitter(0.05, 3);
			const elapsed = task.wait(0.5);
			Kit.longFrame(2);
			Kit.advance(2.1);
			connection.Disconnect();
			Kit.setFrameJitter(0);
			expect(elapsed >= 0.5).to.equal(true);
			let varied = false;
			for (const dt of steps) if (math.abs(dt - 1 / 60) > 1e-6 && dt < 1) varied = true;
			expect(varied).to.equal(true);
			expect(steps.some(dt => math.abs(dt - 2) < 1e-9)).to.equal(true);
		});

		it("timers due in one frame can be shuffled with a seed (item 54), deterministically", () => {
			const orderWith = (seed: number | undefined) => {
				Kit.shuffleTimerTies(seed);
				const log = new Array<number>();
				for (let i = 1; i <= 8; i++) task.delay(0.05, () => log.push(i));
				Kit.advance(0.2);
				Kit.shuffleTimerTies(undefined);
				return log.join(",");
			};
			expect(orderWith(undefined)).to.equal("1,2,3,4,5,6,7,8");
			const shuffled = orderWith(5);
			expect(shuffled === "1,2,3,4,5,6,7,8").to.equal(false);
			expect(orderWith(5)).to.equal(shuffled);
		});

		it("RenderStepped errors on the server, as on Roblox", () => {
			const runService = game.GetService("RunService");
			expect(() => runService.RenderStepped).to.throw("local scripts");
			expect(runService.IsClient()).to.equal(false);
			expect(runService.IsRunning()).to.equal(true);
		});

		it("os.clock after task.wait(t), or in a task.delay(t) callback, reads at least t past the reading before", () => {
			// Threads resumed before the reading put it in a later slice of its frame than the woken thread's
			// (os.clock advances within a frame): the wait is measured from the call, as on Roblox.
			for (let i = 0; i < 5; i++) task.spawn(() => undefined);
			const before = os.clock();
			task.wait(1); // exactly 60 frames
			expect(os.clock() - before >= 1).to.equal(true);
			for (let i = 0; i < 5; i++) task.spawn(() => undefined);
			const scheduled = os.clock();
			let inside = -1;
			task.delay(0.5, () => (inside = os.clock() - scheduled));
			task.wait(1);
			expect(inside >= 0.5).to.equal(true);
		});

		it("a 30-minute virtual wait takes no wall time to speak of", () => {
			const before = os.clock();
			task.wait(30 * 60);
			expect(os.clock() - before >= 1800).to.equal(true);
		});
	});
};
