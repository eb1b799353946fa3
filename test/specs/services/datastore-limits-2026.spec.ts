/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { dss, noCache, start, storeOf, universeWith } from "./helpers";

// Checklist items 33 and 36 in the 2026 profile, as the creator docs page
// cloud-services/data-stores/error-codes-and-limits describes them ("Experience limits", "Server limits" and the
// named …ExperienceThrottled / …GameServerThrottled errors).
const WRITE_EXPERIENCE = "StandardWriteExperienceThrottled: StandardWrite request was throttled by experience limits.";
const READ_SERVER =
	"StandardReadGameServerThrottled: StandardRead request was throttled by game server limits or the request queue was full.";
const LIST_SERVER =
	"StandardListGameServerThrottled: StandardList request was throttled by game server limits or the request queue was full.";

type Job = ReturnType<typeof start>;

function allDone(jobs: Array<Job>, timeout = 30): boolean {
	return Kit.waitUntil(() => jobs.every(j => j.done), timeout);
}

export = () => {
	describe("2026 limits (error-codes-and-limits)", () => {
		it("item 33: UpdateAsync 'consumes from both the read and write request budgets' of the experience (error-codes-and-limits, Experience limits)", () => {
			// No players: the experience Write limit is 300 a minute, and each server starts with 100 StandardRead
			// and 100 StandardWrite, so four servers can make 300 UpdateAsync calls at once.
			const universe = universeWith({ budgetProfile: "2026" });
			const servers = [
				universe.startServer(),
				universe.startServer(),
				universe.startServer(),
				universe.startServer(),
			];
			const jobs = new Array<Job>();
			for (const server of servers) {
				const store = storeOf(server);
				for (let i = 0; i < 75; i++) jobs.push(start(() => store.UpdateAsync(`u${i}`, () => $tuple(i))));
			}
			const fifth = storeOf(universe.startServer());
			// Same instant: nothing has refilled. Only the write half of UpdateAsync can have emptied Write.
			const write = start(() => fifth.SetAsync("w", 1));
			const read = start(() => fifth.GetAsync("r", noCache()));
			expect(allDone([...jobs, write, read])).to.equal(true);
			expect(jobs.every(j => j.error === undefined)).to.equal(true);
			expect(write.error).to.equal(WRITE_EXPERIENCE);
			expect(read.error!.find("StandardReadExperienceThrottled", 1, true)[0]).never.to.equal(undefined);
			expect(universe.dataStores.read("Store", "w")).to.equal(undefined);
			const refused = universe.dataStores.requests({ outcome: "throttled" });
			expect(refused.size()).to.equal(2);
			expect(refused[0].method).to.equal("SetAsync");
			expect(refused[0].error).to.equal(WRITE_EXPERIENCE);
			universe.destroy();
		});

		it("item 33: standard and ordered stores have separate experience budgets (error-codes-and-limits, Experience limits)", () => {
			const universe = universeWith({ budgetProfile: "2026" });
			const servers = [universe.startServer(), universe.startServer(), universe.startServer()];
			const jobs = new Array<Job>();
			for (const server of servers) {
				const store = storeOf(server);
				for (let i = 0; i < 100; i++) jobs.push(start(() => store.GetAsync(`k${i}`, noCache())));
			}
			const ordered = dss(universe.startServer()).GetOrderedDataStore("Board");
			const orderedRead = start(() => ordered.GetAsync("k"));
			const standardRead = start(() => storeOf(universe.startServer()).GetAsync("x", noCache()));
			expect(allDone([...jobs, orderedRead, standardRead])).to.equal(true);
			expect(orderedRead.error).to.equal(undefined);
			expect(standardRead.error!.find("StandardReadExperienceThrottled", 1, true)[0]).never.to.equal(undefined);
			universe.destroy();
		});

		it("item 36: in the 2026 profile a full queue gives StandardReadGameServerThrottled, not 301 (error-codes-and-limits, error code reference)", () => {
			const universe = universeWith({ budgetProfile: "2026" });
			const server = universe.startServer();
			const store = storeOf(server);
			// 100 requests spend the startup budget, 30 wait in the queue, the 131st is refused at once.
			const jobs = new Array<Job>();
			for (let i = 0; i < 130; i++) jobs.push(start(() => store.GetAsync(`k${i}`, noCache())));
			const dropped = start(() => store.GetAsync("last", noCache()));
			expect(dropped.done).to.equal(true);
			expect(dropped.error).to.equal(READ_SERVER);
			const refused = universe.dataStores.requests({ outcome: "throttled", key: "last" });
			expect(refused.size()).to.equal(1);
			expect(refused[0].error).to.equal(READ_SERVER);
			allDone(jobs, 120);
			universe.destroy();
		});

		it("item 36: version and list calls with an empty server budget give the named …GameServerThrottled error (error-codes-and-limits)", () => {
			const universe = universeWith({ budgetProfile: "2026" });
			const store = storeOf(universe.startServer());
			// StandardList starts at 10.
			const jobs = new Array<Job>();
			for (let i = 0; i < 10; i++) jobs.push(start(() => store.ListKeysAsync()));
			const eleventh = start(() => store.ListKeysAsync());
			expect(eleventh.done).to.equal(true);
			expect(eleventh.error).to.equal(LIST_SERVER);
			expect(allDone(jobs)).to.equal(true);
			expect(jobs.every(j => j.error === undefined)).to.equal(true);
			expect(universe.dataStores.requestCount({ method: "ListKeysAsync", outcome: "throttled" })).to.equal(1);
			universe.destroy();
		});
	});
};
