/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { errorOf, runWithoutYield, start } from "./helpers";
import { hashMap, memoryUniverse } from "./memorystore-helpers";

// MemoryStoreHashMap, as https://create.roblox.com/docs/cloud-services/memory-stores/hash-map and the
// MemoryStoreHashMap engine reference page describe it.
export = () => {
	describe("MemoryStoreHashMap (create.roblox.com/docs/cloud-services/memory-stores/hash-map)", () => {
		it("SetAsync then GetAsync on another server of the universe returns a copy; GetAsync of a missing key is nil", () => {
			const universe = memoryUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			const value = { coins: 5, tags: ["x"] };
			expect(hashMap(a).SetAsync("User_1", value, 30)).to.equal(true);
			const read = hashMap(b).GetAsync("User_1") as typeof value;
			expect(read.coins).to.equal(5);
			expect(read.tags[0]).to.equal("x");
			expect(read === value).to.equal(false);
			expect(hashMap(b).GetAsync("User_2")).to.equal(undefined);
			expect(hashMap(b, "Other").GetAsync("User_1")).to.equal(undefined);
			universe.destroy();
		});

		it("every request yields for the seeded virtual latency", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const t0 = Kit.now();
			hashMap(server).SetAsync("k", 1, 30);
			const elapsed = Kit.now() - t0;
			// Virtual time is a float: allow rounding below the 0.05 s latency, and a frame above it.
			expect(elapsed > 0.049 && elapsed < 0.1).to.equal(true);
			universe.destroy();
		});

		it("an item expires after its expiration on the backend clock (SetAsync expiration, max 45 days)", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			hashMap(server).SetAsync("k", "v", 30);
			Kit.advance(29);
			expect(hashMap(server).GetAsync("k")).to.equal("v");
			Kit.advance(1.5);
			expect(hashMap(server).GetAsync("k")).to.equal(undefined);
			hashMap(server).SetAsync("j", "v", 100);
			universe.dataStores.advanceBackendClock(101);
			expect(universe.memoryStore.read("hash", "Map", "j")).to.equal(undefined);
			universe.destroy();
		});

		it("refuses expirations outside 0..3,888,000 and unencodable values before yielding (InvalidExpirationTime, InvalidRequest)", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const tooLong = runWithoutYield(() => hashMap(server).SetAsync("k", 1, 3_888_001));
			expect(tooLong.finished).to.equal(true);
			expect(tooLong.error).to.equal(
				"InvalidExpirationTime: The field 'expiration' time must be between 0 and 3,888,000.",
			);
			expect(errorOf(() => hashMap(server).SetAsync("k", 1, -1))).to.equal(tooLong.error);
			const unencodable = runWithoutYield(() => hashMap(server).SetAsync("k", new Instance("Folder"), 30));
			expect(unencodable.finished).to.equal(true);
			expect(unencodable.error).to.equal("InvalidRequest: Unable to convert value to json.");
			expect(errorOf(() => hashMap(server).SetAsync("k", 1, 3_888_000))).to.equal(undefined);
			universe.destroy();
		});

		it("keys are limited to 128 characters and values to 32 KB (ItemValueSizeTooLarge)", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			expect(errorOf(() => hashMap(server).SetAsync(string.rep("k", 129), 1, 30))).to.equal(
				"InvalidRequest: Key name exceeds the 128 character limit.",
			);
			expect(errorOf(() => hashMap(server).SetAsync(string.rep("k", 128), 1, 30))).to.equal(undefined);
			expect(errorOf(() => hashMap(server).SetAsync("big", string.rep("x", 33 * 1024), 30))).to.equal(
				"ItemValueSizeTooLarge: Value size exceeds limit (32KB).",
			);
			expect(universe.memoryStore.read("hash", "Map", "big")).to.equal(undefined);
			expect(errorOf(() => hashMap(server).SetAsync("ok", string.rep("x", 30 * 1024), 30))).to.equal(undefined);
			universe.destroy();
		});

		it("UpdateAsync passes the current value (nil when missing), stores and returns the transform's result", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const seen = new Array<defined>();
			const first = hashMap(server).UpdateAsync(
				"count",
				(old: number | undefined) => {
					seen.push(old ?? "nil");
					return (old ?? 0) + 1;
				},
				60,
			);
			const second = hashMap(server).UpdateAsync("count", (old: number | undefined) => (old ?? 0) + 1, 60);
			expect(first).to.equal(1);
			expect(second).to.equal(2);
			expect(seen[0]).to.equal("nil");
			expect(hashMap(server).GetAsync("count")).to.equal(2);
			universe.destroy();
		});

		it("UpdateAsync: a nil result cancels; an erroring transform fails with TransformCallbackFailed", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			hashMap(server).SetAsync("k", 7, 60);
			expect(hashMap(server).UpdateAsync("k", () => undefined, 60)).to.equal(undefined);
			expect(hashMap(server).GetAsync("k")).to.equal(7);
			expect(
				errorOf(() =>
					hashMap(server).UpdateAsync(
						"k",
						() => {
							throw "boom";
						},
						60,
					),
				),
			).to.equal("TransformCallbackFailed: Failed to invoke transformation callback function.");
			expect(hashMap(server).GetAsync("k")).to.equal(7);
			universe.destroy();
		});

		it("UpdateAsync re-runs the transform when another server changed the item between read and write", () => {
			const universe = memoryUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			hashMap(a).SetAsync("n", 0, 60);
			let runsA = 0;
			const taskA = start(() =>
				hashMap(a).UpdateAsync(
					"n",
					(old: number) => {
						runsA += 1;
						return old + 10;
					},
					60,
				),
			);
			let runsB = 0;
			const taskB = start(() =>
				hashMap(b).UpdateAsync(
					"n",
					(old: number) => {
						runsB += 1;
						return old + 1;
					},
					60,
				),
			);
			Kit.waitUntil(() => taskA.done && taskB.done, 5);
			// Both increments survive: the later writer found the item changed and ran its transform again.
			expect(hashMap(a).GetAsync("n")).to.equal(11);
			expect(runsA + runsB).to.equal(3);
			universe.memoryStore.forceConflicts("hash", "Map", "n", 2);
			let runs = 0;
			hashMap(a).UpdateAsync(
				"n",
				(old: number) => {
					runs += 1;
					return old + 1;
				},
				60,
			);
			expect(runs).to.equal(3);
			expect(hashMap(a).GetAsync("n")).to.equal(12);
			universe.memoryStore.forceConflicts("hash", "Map", "n", 20);
			expect(errorOf(() => hashMap(a).UpdateAsync("n", (old: number) => old + 1, 60))).to.equal(
				"UpdateConflict: Exceeded max number of retries.",
			);
			universe.destroy();
		});

		it("RemoveAsync removes the key for every server", () => {
			const universe = memoryUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			hashMap(a).SetAsync("k", 1, 60);
			hashMap(b).RemoveAsync("k");
			expect(hashMap(a).GetAsync("k")).to.equal(undefined);
			expect(universe.memoryStore.read("hash", "Map", "k")).to.equal(undefined);
			universe.destroy();
		});

		it("ListItemsAsync pages through every live item, count 1 to 200, each page a request", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			for (let i = 1; i <= 5; i++) universe.memoryStore.write("hash", "Map", `k${i}`, i, 60);
			universe.memoryStore.write("hash", "Map", "gone", 0, 1);
			Kit.advance(2);
			const pages = hashMap(server).ListItemsAsync(2);
			const keys = new Array<string>();
			let sum = 0;
			let pageCount = 0;
			for (;;) {
				pageCount += 1;
				for (const entry of pages.GetCurrentPage() as Array<{ key: string; value: number }>) {
					keys.push(entry.key);
					sum += entry.value;
				}
				if (pages.IsFinished) break;
				pages.AdvanceToNextPageAsync();
			}
			expect(keys.join(",")).to.equal("k1,k2,k3,k4,k5");
			expect(sum).to.equal(15);
			expect(pageCount).to.equal(3);
			expect(universe.memoryStore.requestCount({ method: "ListItemsAsync" })).to.equal(3);
			expect(errorOf(() => hashMap(server).ListItemsAsync(0))).never.to.equal(undefined);
			expect(errorOf(() => hashMap(server).ListItemsAsync(201))).never.to.equal(undefined);
			universe.destroy();
		});
	});
};
