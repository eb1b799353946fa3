/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";

type Clocks = typeof import("./fixtures/Clocks");
const CLOCKS = "ReplicatedStorage.Specs.specs.runtime.fixtures.Clocks";

export = () => {
	describe("clocks (item 56)", () => {
		it("every clock advances with virtual time; os.time is an integer and DateTime has integer milliseconds", () => {
			const server = Kit.createUniverse().startServer();
			const clocks = server.require<Clocks>(CLOCKS);
			const before = clocks.readClocks();
			Kit.advance(90);
			const after = clocks.readClocks();
			expect(after.osTime - before.osTime >= 89 && after.osTime - before.osTime <= 91).to.equal(true);
			expect(after.osTime % 1).to.equal(0);
			expect(after.osClock - before.osClock).to.be.near(90, 0.1);
			expect(after.gameTime - before.gameTime).to.be.near(90, 0.1);
			expect(after.tick - before.tick).to.be.near(90, 0.1);
			expect(after.serverTimeNow - before.serverTimeNow).to.be.near(90, 0.1);
			expect(after.dateTimeMillis % 1).to.equal(0);
			expect(after.dateTimeMillis / 1000).to.be.near(after.tick, 1);
		});

		it("skew moves the wall clocks of one server only; os.clock has its own baseline per server", () => {
			const universe = Kit.createUniverse();
			const plain = universe.startServer().require<Clocks>(CLOCKS);
			const skewedServer = universe.startServer({ clockSkew: -600 });
			const skewed = skewedServer.require<Clocks>(CLOCKS);
			const a = plain.readClocks();
			const b = skewed.readClocks();
			expect(b.osTime - a.osTime).to.equal(-600);
			expect(b.dateTimeMillis - a.dateTimeMillis).to.be.near(-600000, 1);
			expect(b.serverTimeNow - a.serverTimeNow).to.be.near(-600, 0.01);
			// os.clock counts from an arbitrary baseline (creator-docs os.clock), which differs per server.
			expect(b.osClock).never.to.be.near(a.osClock, 1);
			skewedServer.setClockSkew(-1200);
			expect(skewed.readClocks().osTime - plain.readClocks().osTime).to.equal(-1200);
			universe.destroy();
		});

		it("os.clock advances within a frame, on each call, and stays monotonic (creator-docs os.clock)", () => {
			const universe = Kit.createUniverse();
			const clocks = universe.startServer().require<Clocks>(CLOCKS);
			const readings = clocks.osClockReadings(5);
			for (let i = 1; i < readings.size(); i++) expect(readings[i] > readings[i - 1]).to.equal(true);
			// Each call costs a nanosecond by default; the frame's virtual time is not used up.
			expect(readings[4] - readings[0]).to.be.near(4e-9, 2e-9);
			const before = clocks.readClocks().osClock;
			Kit.advance(10);
			expect(clocks.readClocks().osClock - before).to.be.near(10, 0.05);
			universe.destroy();
		});

		it("os.clock readings of one thread do not move those of another: observing the clock never changes a run", () => {
			const universe = Kit.createUniverse();
			const clocks = universe.startServer().require<Clocks>(CLOCKS);
			const elapsed = new Array<number>();
			for (const neighbourReads of [0, 500]) {
				clocks.clockAfterNeighbour(neighbourReads, value => elapsed.push(value));
				Kit.advance(1);
			}
			expect(elapsed.size()).to.equal(2);
			expect(elapsed[0] > 0).to.equal(true);
			// The same elapsed time whether the neighbour read the clock 500 times or never.
			expect(elapsed[1]).to.be.near(elapsed[0], 1e-10);
			universe.destroy();
		});

		it("os.clock follows the time since its server started: a seeded server reads the same whenever it starts", () => {
			Kit.setFrameStep(0.25);
			const readings = new Array<number>();
			for (const before of [0, 1000]) {
				Kit.advance(before);
				const universe = Kit.createUniverse({ seed: 5 });
				const clocks = universe.startServer().require<Clocks>(CLOCKS);
				Kit.advance(30);
				readings.push(clocks.osClockReadings(1)[0]);
				universe.destroy();
			}
			expect(readings[1]).to.equal(readings[0]);
		});

		it("os.clock can be frame-quantised instead (a documented deviation), or advance by a chosen step", () => {
			const universe = Kit.createUniverse();
			const frame = universe.startServer({ osClock: "frame" }).require<Clocks>(CLOCKS).osClockReadings(3);
			expect(frame[0]).to.equal(frame[2]);
			const stepped = universe.startServer({ osClockStep: 0.001 }).require<Clocks>(CLOCKS).osClockReadings(3);
			expect(stepped[2] - stepped[0]).to.be.near(0.002, 1e-9);
			universe.destroy();
		});
	});

	describe("globals", () => {
		it("_G and shared are writable and separate per server", () => {
			const universe = Kit.createUniverse();
			const a = universe.startServer().require<Clocks>(CLOCKS);
			const b = universe.startServer().require<Clocks>(CLOCKS);
			a.writeShared(5);
			expect(a.readShared()).to.equal(5);
			expect(b.readShared()).to.equal(undefined);
			(_G as Map<string, number>).set("hostOnly", 1);
			expect((_G as Map<string, number>).get("hostOnly")).to.equal(1);
			universe.destroy();
		});

		it("GenerateGUID gives uppercase v4 GUIDs, 38 characters with braces and 36 without (item 57)", () => {
			const server = Kit.createUniverse().startServer();
			const clocks = server.require<Clocks>(CLOCKS);
			const wrapped = clocks.guid(true);
			const bare = clocks.guid(false);
			expect(wrapped.size()).to.equal(38);
			expect(bare.size()).to.equal(36);
			expect(bare.match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89AB]%x%x%x%-%x+$")[0]).to.be.ok();
			expect(bare.upper()).to.equal(bare);
			expect(wrapped.sub(1, 1) + wrapped.sub(38, 38)).to.equal("{}");
			expect(wrapped.sub(2, 37) === bare).to.equal(false); // every call draws a new GUID
		});

		it("the same seed gives the same random sequence and the same GUIDs", () => {
			const first = Kit.createUniverse({ seed: 7 }).startServer().require<Clocks>(CLOCKS);
			const second = Kit.createUniverse({ seed: 7 }).startServer().require<Clocks>(CLOCKS);
			expect(first.guid(false)).to.equal(second.guid(false));
			expect(first.randomSequence(5).join(",")).to.equal(second.randomSequence(5).join(","));
		});

		it("RunService:IsStudio follows the server's mode", () => {
			const universe = Kit.createUniverse();
			expect(universe.startServer({ studio: true }).require<Clocks>(CLOCKS).isStudio()).to.equal(true);
			expect(universe.startServer().require<Clocks>(CLOCKS).isStudio()).to.equal(false);
			universe.destroy();
		});
	});
};
