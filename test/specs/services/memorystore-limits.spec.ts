/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { errorOf } from "./helpers";
import { ProbeResult } from "./fixtures/MemoryStoreProbe";
import { hashMap, memoryUniverse, sortedMap } from "./memorystore-helpers";

const PROBE = "ReplicatedStorage.Specs.specs.services.fixtures.MemoryStoreProbe";

// Quotas, faults, outages and the shared backend of MemoryStoreService, following
// https://create.roblox.com/docs/cloud-services/memory-stores ("Limits and quotas", "Observability").
export = () => {
	describe("MemoryStoreService limits and quotas (create.roblox.com/docs/cloud-services/memory-stores)", () => {
		it("request units: 1000 + 120 per concurrent user per minute for the whole experience; over it, RequestThrottled", () => {
			const universe = memoryUniverse({ memoryStoreLatency: { min: 0.01, max: 0.01 } });
			const a = universe.startServer();
			const b = universe.startServer();
			expect(universe.memoryStore.usage().requestUnitQuota).to.equal(1000);
			const player = b.addPlayer();
			expect(universe.memoryStore.usage().requestUnitQuota).to.equal(1120);
			b.removePlayer(player);
			for (let i = 1; i <= 500; i++) hashMap(a).GetAsync("k");
			for (let i = 1; i <= 500; i++) hashMap(b).GetAsync("k");
			expect(universe.memoryStore.usage().requestUnits).to.equal(1000);
			expect(errorOf(() => hashMap(a).GetAsync("k"))).to.equal(
				"RequestThrottled: Recent MemoryStores requests hit one or more limits.",
			);
			expect(universe.memoryStore.requestCount({ outcome: "error" })).to.equal(1);
			Kit.advance(60);
			expect(errorOf(() => hashMap(a).GetAsync("k"))).to.equal(undefined);
			universe.destroy();
		});

		it("request units per call: GetRangeAsync by items returned (one when empty), ListItemsAsync partitions + items, hash UpdateAsync at least two", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			expect(sortedMap(server).GetRangeAsync(Enum.SortDirection.Ascending, 50).size()).to.equal(0);
			for (let i = 1; i <= 10; i++) universe.memoryStore.write("sorted", "Sorted", `k${i}`, i);
			for (let i = 1; i <= 4; i++) universe.memoryStore.write("hash", "Map", `k${i}`, i);
			sortedMap(server).GetRangeAsync(Enum.SortDirection.Ascending, 50);
			hashMap(server).ListItemsAsync(10);
			hashMap(server).UpdateAsync("k1", (old: number) => old + 1, 60);
			hashMap(server).SetAsync("k9", 1, 60);
			const units = universe.memoryStore.requests().map(r => `${r.method}:${r.units}`);
			expect(units.join(",")).to.equal(
				"GetRangeAsync:1,GetRangeAsync:10,ListItemsAsync:5,UpdateAsync:2,SetAsync:1",
			);
			universe.destroy();
		});

		it("memory quota: 64 KB + 1.2 KB per user; writes that grow memory fail at the quota, others succeed", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			const chunk = string.rep("x", 30 * 1024);
			expect(universe.memoryStore.usage().memoryQuota).to.equal(64 * 1024);
			hashMap(server).SetAsync("a", chunk, 600);
			hashMap(server).SetAsync("b", chunk, 600);
			expect(errorOf(() => hashMap(server).SetAsync("c", chunk, 600))).to.equal(
				"TotalMemoryOverLimit: Exceeds universe-level memory quota.",
			);
			// Same size or smaller, and removals, still succeed.
			expect(errorOf(() => hashMap(server).SetAsync("b", string.rep("y", 30 * 1024), 600))).to.equal(undefined);
			expect(errorOf(() => hashMap(server).SetAsync("a", "small", 600))).to.equal(undefined);
			expect(errorOf(() => hashMap(server).SetAsync("c", chunk, 600))).to.equal(undefined);
			const player = server.addPlayer();
			expect(universe.memoryStore.usage().memoryQuota).to.equal(math.floor(64 * 1024 + 1.2 * 1024));
			// A leave does not lower the quota at once (eight-day traceback).
			server.removePlayer(player);
			expect(universe.memoryStore.usage().memoryQuota).to.equal(math.floor(64 * 1024 + 1.2 * 1024));
			universe.destroy();
		});

		it("one backend per universe: another universe does not see the items", () => {
			const one = memoryUniverse();
			const two = memoryUniverse();
			const a = one.startServer();
			const b = one.startServer();
			const c = two.startServer();
			hashMap(a).SetAsync("shared", "yes", 60);
			expect(hashMap(b).GetAsync("shared")).to.equal("yes");
			expect(hashMap(c).GetAsync("shared")).to.equal(undefined);
			one.destroy();
			two.destroy();
		});

		it("fault rules fail matching requests after the round trip; commit-then-error acts first; the log counts per server and method", () => {
			const universe = memoryUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			universe.memoryStore.addFault({ method: "SetAsync", server: a, count: 1 });
			expect(errorOf(() => hashMap(a).SetAsync("k", 1, 60))).to.equal("InternalError: Internal error.");
			expect(universe.memoryStore.read("hash", "Map", "k")).to.equal(undefined);
			expect(errorOf(() => hashMap(a).SetAsync("k", 2, 60))).to.equal(undefined);
			universe.memoryStore.addFault({ key: "k", mode: "commit-then-error", message: "InternalError: boom" });
			expect(errorOf(() => hashMap(b).SetAsync("k", 3, 60))).to.equal("InternalError: boom");
			expect(universe.memoryStore.read("hash", "Map", "k")!.value).to.equal(3);
			const remove = universe.memoryStore.addFault({ method: "GetAsync", count: math.huge, after: 1 });
			expect(errorOf(() => hashMap(b).GetAsync("k"))).to.equal(undefined);
			expect(errorOf(() => hashMap(b).GetAsync("k"))).never.to.equal(undefined);
			remove();
			expect(errorOf(() => hashMap(b).GetAsync("k"))).to.equal(undefined);
			expect(universe.memoryStore.requestCount({ server: a, method: "SetAsync" })).to.equal(2);
			expect(universe.memoryStore.requestCount({ server: b, method: "GetAsync" })).to.equal(3);
			expect(universe.memoryStore.requestCount({ server: b, outcome: "error" })).to.equal(2);
			universe.destroy();
		});

		it("an outage fails every request of every server until it ends", () => {
			const universe = memoryUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			hashMap(a).SetAsync("k", 1, 60);
			universe.memoryStore.setOutage(true);
			expect(errorOf(() => hashMap(a).GetAsync("k"))).to.equal("InternalError: Internal error.");
			expect(errorOf(() => sortedMap(b).SetAsync("k", 1, 60))).to.equal("InternalError: Internal error.");
			universe.memoryStore.setOutage(false);
			expect(hashMap(b).GetAsync("k")).to.equal(1);
			universe.destroy();
		});

		it("a paused server's request completes only after it resumes, while items keep expiring on the backend clock", () => {
			const universe = memoryUniverse();
			const server = universe.startServer();
			universe.memoryStore.write("hash", "Map", "k", "v", 3);
			const probe = server.require<typeof import("./fixtures/MemoryStoreProbe")>(PROBE);
			const result: ProbeResult = { done: false };
			probe.spawnGet("Map", "k", result);
			server.pause();
			Kit.advance(5);
			expect(result.done).to.equal(false);
			server.resume();
			Kit.advance(0.1);
			expect(result.done).to.equal(true);
			expect(result.value).to.equal(undefined);
			universe.destroy();
		});

		it("the same seed gives the same latencies", () => {
			const timings = new Array<number>();
			for (let run = 0; run < 2; run++) {
				const universe = Kit.createUniverse({ seed: 7 });
				const server = universe.startServer();
				const t0 = Kit.now();
				hashMap(server).SetAsync("k", 1, 60);
				hashMap(server).GetAsync("k");
				timings.push(Kit.now() - t0);
				universe.destroy();
			}
			expect(timings[0]).to.equal(timings[1]);
			expect(timings[0] >= 0.04 && timings[0] <= 0.2).to.equal(true);
		});
	});
};
