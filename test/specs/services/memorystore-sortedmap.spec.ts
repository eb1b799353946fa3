/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { errorOf, runWithoutYield } from "./helpers";
import { memoryUniverse, sortedMap } from "./memorystore-helpers";

// MemoryStoreSortedMap, as https://create.roblox.com/docs/cloud-services/memory-stores/sorted-map and the
// MemoryStoreSortedMap engine reference page describe it.
export = () => {
	describe("MemoryStoreSortedMap (create.roblox.com/docs/cloud-services/memory-stores/sorted-map)", () => {
		it("SetAsync returns true for a new item and false when it overwrites; GetAsync returns value and sort key", () => {
			const universe = memoryUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			expect(sortedMap(a).SetAsync("p1", { score: 3 }, 60, 3.5)).to.equal(true);
			expect(sortedMap(a).SetAsync("p1", { score: 4 }, 60, 4)).to.equal(false);
			const [value, sortKey] = sortedMap(b).GetAsync("p1");
			expect((value as { score: number }).score).to.equal(4);
			expect(sortKey).to.equal(4);
			const [missing, missingSort] = sortedMap(b).GetAsync("nobody");
			expect(missing).to.equal(undefined);
			expect(missingSort).to.equal(undefined);
			universe.destroy();
		});

		it("GetRangeAsync orders numeric sort keys, then string sort keys, then no sort key; ties by key", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const map = sortedMap(server);
			map.SetAsync("player7", 8, 60);
			map.SetAsync("player6", 6, 60, "someString");
			map.SetAsync("player3", 5, 60, 3.14);
			map.SetAsync("player5", 4, 60, 1);
			map.SetAsync("player4", 3, 60, 1);
			map.SetAsync("player2", 2, 60, 0);
			map.SetAsync("player1", 1, 60, -1);
			map.SetAsync("player0", 7, 60);
			const keys = map.GetRangeAsync(Enum.SortDirection.Ascending, 200).map(item => item.key);
			expect(keys.join(",")).to.equal("player1,player2,player4,player5,player3,player6,player0,player7");
			const down = map.GetRangeAsync(Enum.SortDirection.Descending, 3).map(item => item.key);
			expect(down.join(",")).to.equal("player7,player0,player6");
			universe.destroy();
		});

		it("GetRangeAsync bounds are exclusive; a bound with only a sort key keeps every key of that sort key", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const map = sortedMap(server);
			for (let i = 1; i <= 6; i++) map.SetAsync(`k${i}`, i, 60, i * 100);
			map.SetAsync("k3b", 0, 60, 300);
			const between = map.GetRangeAsync(Enum.SortDirection.Ascending, 200, { sortKey: 300 }, { sortKey: 500 });
			expect(between.map(item => item.key).join(",")).to.equal("k3,k3b,k4,k5");
			const after = map.GetRangeAsync(Enum.SortDirection.Ascending, 2, { key: "k3", sortKey: 300 });
			expect(after.map(item => item.key).join(",")).to.equal("k3b,k4");
			expect(after[0].sortKey).to.equal(300);
			expect(after[0].value).to.equal(0);
			universe.destroy();
		});

		it("sort keys must be a number or a string of at most 128 characters (InvalidRequest, before yielding)", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const bad = runWithoutYield(() => sortedMap(server).SetAsync("k", 1, 60, string.rep("s", 129)));
			expect(bad.finished).to.equal(true);
			expect(bad.error).to.equal("InvalidRequest: Unable to convert sortKey to a valid number or string.");
			expect(errorOf(() => sortedMap(server).SetAsync("k", 1, 60, true as never))).to.equal(bad.error);
			expect(errorOf(() => sortedMap(server).SetAsync("k", 1, 60, string.rep("s", 128)))).to.equal(undefined);
			expect(errorOf(() => sortedMap(server).GetRangeAsync(Enum.SortDirection.Ascending, 201))).never.to.equal(
				undefined,
			);
			universe.destroy();
		});

		it("UpdateAsync transforms (value, sortKey) into (value, sortKey) and returns both", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const map = sortedMap(server);
			map.SetAsync("p", { kills: 1 }, 60, 1);
			let seenSort: unknown;
			const [value, sortKey] = map.UpdateAsync(
				"p",
				(old: unknown, oldSort?: number) => {
					seenSort = oldSort;
					const stats = old as { kills: number };
					return $tuple({ kills: stats.kills + 1 }, stats.kills + 1);
				},
				60,
			) as unknown as LuaTuple<[{ kills: number }, number]>;
			expect(seenSort).to.equal(1);
			expect(value.kills).to.equal(2);
			expect(sortKey).to.equal(2);
			expect(universe.memoryStore.read("sorted", "Sorted", "p")!.sortKey).to.equal(2);
			universe.destroy();
		});

		it("RemoveAsync removes the item; an expired item leaves every range", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const map = sortedMap(server);
			map.SetAsync("short", 1, 5, 1);
			map.SetAsync("long", 2, 60, 2);
			map.SetAsync("gone", 3, 60, 3);
			map.RemoveAsync("gone");
			Kit.advance(6);
			const keys = map.GetRangeAsync(Enum.SortDirection.Ascending, 10).map(item => item.key);
			expect(keys.join(",")).to.equal("long");
			universe.destroy();
		});
	});
};
