/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer } from "../../kit";

type LockWriter = typeof import("./fixtures/LockWriter");
const WRITER = "ReplicatedStorage.Specs.specs.runtime.fixtures.LockWriter";

function count(text: string, pattern: string): number {
	let n = 0;
	let from = 1;
	for (;;) {
		const [start, stop] = text.find(pattern, from, true);
		if (start === undefined || stop === undefined) return n;
		n += 1;
		from = stop + 1;
	}
}

// Runs fn in a thread of `server`, as game code would; true once it returned.
function on(server: KitServer, fn: (writer: LockWriter) => void): boolean {
	let done = false;
	const writer = server.require<LockWriter>(WRITER);
	const thread = server.require<typeof import("./fixtures/Spawner")>(
		"ReplicatedStorage.Specs.specs.runtime.fixtures.Spawner",
	);
	thread.run(() => {
		fn(writer);
		done = true;
	});
	return Kit.waitUntil(() => done, 30);
}

export = () => {
	describe("Kit.writeTimeline: a universe as a picture", () => {
		it("draws one lane per server, lock bars from Session.JobId, joins, leaves, refusals, notes, a crash and a shutdown", () => {
			const universe = Kit.createUniverse({ seed: 5 });
			// Server 1 stays up after Ada hops away, so the picture shows its explicit shutdown later.
			const a = universe.startServer({ stayOpenWhenEmpty: true });
			const b = universe.startServer();
			const player = a.addPlayer({ userId: 7, name: "Ada" });
			expect(on(a, writer => writer.write("7", true))).to.equal(true);
			Kit.advance(5);
			expect(on(b, writer => writer.refuse("7"))).to.equal(true);
			Kit.timelineNote("Ada hops", universe);
			a.removePlayer(player);
			expect(on(a, writer => writer.write("7", false))).to.equal(true);
			b.addPlayer({ userId: 7, name: "Ada" });
			expect(on(b, writer => writer.write("7", true))).to.equal(true);
			Kit.advance(5);
			b.crash();
			a.shutdown();
			Kit.advance(40);

			const svg = Kit.timelineSvg(universe, "spec");
			expect(svg.sub(1, 4)).to.equal("<svg");
			expect(svg.sub(-6)).to.equal("</svg>");
			expect(count(svg, ">server 1<")).to.equal(1);
			expect(count(svg, ">server 2<")).to.equal(1);
			expect(count(svg, ">Ada (key 7)<")).to.equal(2);
			// Two holds: server 1, then server 2, whose lock outlives its crash (hatched).
			expect(count(svg, "holds the lock")).to.equal(2);
			expect(count(svg, "lock left by a dead server")).to.equal(1);
			expect(count(svg, ">CRASH<")).to.equal(1);
			expect(count(svg, ">Ada hops<")).to.equal(1);
			expect(count(svg, ">shutdown<")).to.equal(1);
			expect(count(svg, "Ada joins")).to.equal(2);
			expect(count(svg, "Ada leaves")).to.equal(1);
			expect(count(svg, "UpdateAsync refused")).to.equal(1);
			expect(count(svg, "UpdateAsync load")).to.equal(2);
			expect(count(svg, "UpdateAsync release")).to.equal(1);
			universe.destroy();
		});

		it("by default draws the last universe created, and writeTimeline writes it to a file", () => {
			const first = Kit.createUniverse({ seed: 6 });
			first.startServer();
			first.startServer();
			const second = Kit.createUniverse({ seed: 7 });
			second.startServer();
			Kit.advance(1);
			const svg = Kit.timelineSvg();
			expect(count(svg, ">server 1<")).to.equal(1);
			expect(count(svg, ">server 2<")).to.equal(0);
			expect(count(Kit.timelineSvg(first), ">server 2<")).to.equal(1);
			const [ok] = pcall(() => Kit.writeTimeline("out-test/timeline-spec.svg", first));
			expect(ok).to.equal(true);
			first.destroy();
			second.destroy();
		});
	});
};
