/// <reference types="@rbxts/testez/globals" />
import { TimerQueue } from "../../../src/easy/TimerQueue";

function drain(queue: TimerQueue<string>, now: number): string {
	const out = new Array<string>();
	for (let item = queue.popDue(now); item !== undefined; item = queue.popDue(now)) out.push(item);
	return out.join(",");
}

export = () => {
	describe("TimerQueue", () => {
		it("pops only due items, earliest first", () => {
			const queue = new TimerQueue<string>();
			queue.set("c", 30);
			queue.set("a", 10);
			queue.set("d", 40);
			queue.set("b", 20);
			expect(drain(queue, 5)).to.equal("");
			expect(drain(queue, 25)).to.equal("a,b");
			expect(queue.size()).to.equal(2);
			expect(drain(queue, 100)).to.equal("c,d");
		});

		it("holds an item once: set moves it earlier or later, remove takes it out", () => {
			const queue = new TimerQueue<string>();
			for (const [name, at] of [
				["a", 10],
				["b", 20],
				["c", 30],
				["d", 40],
				["e", 50],
			] as Array<[string, number]>) {
				queue.set(name, at);
			}
			queue.set("e", 5);
			queue.set("a", 45);
			queue.set("a", 45);
			queue.remove("c");
			queue.remove("zz");
			expect(queue.size()).to.equal(4);
			expect(queue.dueOf("a")).to.equal(45);
			expect(queue.dueOf("c")).to.equal(undefined);
			expect(drain(queue, 100)).to.equal("e,b,d,a");
		});

		it("stays ordered through many random moves (a seeded property check)", () => {
			const random = new Random(13);
			const queue = new TimerQueue<number>();
			const due = new Map<number, number>();
			for (let step = 0; step < 2000; step++) {
				const item = random.NextInteger(1, 60);
				if (random.NextNumber() < 0.2) {
					queue.remove(item);
					due.delete(item);
				} else {
					const at = random.NextInteger(0, 1000);
					queue.set(item, at);
					due.set(item, at);
				}
			}
			expect(queue.size()).to.equal(due.size());
			let last = -1;
			let count = 0;
			for (let item = queue.popDue(math.huge); item !== undefined; item = queue.popDue(math.huge)) {
				const at = due.get(item)!;
				expect(at >= last).to.equal(true);
				last = at;
				count += 1;
			}
			expect(count).to.equal(due.size());
		});
	});
};
