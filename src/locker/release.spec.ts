/// <reference types="@rbxts/testez/globals" />
import { Kit, KitServer, KitUniverse } from "../../test/kit";
import type { SaveData, StoredSession } from "../protocol/format";
import type { ReceiptInfo } from "../purchases/types";
import type { LockerSpec } from "./LockerSpec";
import type { LockerState } from "./LockerState";

type Lib = typeof import("../index");

interface Data extends SaveData {
	Gold: number;
}

const LIB = "ReplicatedStorage.SessionLocker";
const STORE = "Players";
const HTTP_500 = "502: API Services rejected request with error. HTTP 500 (Internal Server Error)";

type Config = Partial<Pick<LockerSpec<Data>, "SessionExpiry" | "MaintainSessionPeriod" | "VerifyAwaitedSaves">>;

/**
 * One emulated server running the library, its lockers driven from its own Heartbeat. Like a game, it deletes a
 * locker once `SessionUpdate` reports it idle and nothing holds it (`autoDelete`).
 */
class Node {
	readonly lib: Lib;
	readonly lockers = new Array<LockerState<Data>>();
	readonly errors = new Array<string>();
	autoDelete = false;
	constructor(
		readonly server: KitServer,
		readonly config: Config = {},
	) {
		this.lib = server.require<Lib>(LIB);
		server.game.GetService("RunService").Heartbeat.Connect(() => {
			for (const ls of this.lockers) {
				if (ls.IsDeleted) continue;
				if (ls.SessionUpdate(os.clock()) && this.autoDelete && ls.InUse.size() === 0) ls.MarkDeleted();
			}
		});
	}
	locker(key: string): LockerState<Data> {
		const store = this.server.game.GetService("DataStoreService").GetDataStore(STORE);
		const spec: LockerSpec<Data> = {
			DataStore: store,
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
			ReportDataStoreError: (_ls, _op, message) => {
				this.errors.push(message);
			},
		};
		for (const [k, v] of pairs(this.config)) (spec as unknown as Record<string, unknown>)[k] = v;
		const ls = this.lib.LockerCreate<Data>(spec, key, [1]);
		this.lockers.push(ls);
		return ls;
	}
}

function stored(u: KitUniverse, key = "1"): Data | undefined {
	return u.dataStores.read(STORE, key)?.value as Data | undefined;
}

function acquireLoaded(ls: LockerState<Data>, timeout = 10): boolean {
	ls.MarkShouldAcquire();
	return Kit.waitUntil(() => ls.LoadStatus === "loaded", timeout);
}

function updates(u: KitUniverse, key = "1"): number {
	return u.dataStores.requestCount({ key, method: "UpdateAsync" });
}

export = () => {
	beforeEach(() => Kit.setFrameStep(0.1));

	describe("release confirmation", () => {
		it("a release reported OK but dropped is read back and rewritten; idle only once the key is free with the final data", () => {
			const u = Kit.createUniverse({ seed: 21 });
			const a = new Node(u.startServer());
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 5;
			la.MarkShouldSave();
			let storedAtIdle: Data | undefined;
			(la.LockerSpec as { Lifecycle?: (ls: unknown, status: string) => void }).Lifecycle = (_ls, status) => {
				if (status === "idling") storedAtIdle = stored(u);
			};
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "drop-then-ok" });
			la.MarkShouldRelease();
			expect(Kit.waitUntil(() => la.IsIdling, 60)).to.equal(true);
			expect(storedAtIdle).to.be.ok();
			expect(storedAtIdle!.Gold).to.equal(5);
			expect(storedAtIdle!.Session).to.equal(undefined);
			expect(stored(u)!.Session).to.equal(undefined);
			u.destroy();
		});

		it("a release that always lands costs exactly one read-back per session", () => {
			const u = Kit.createUniverse({ seed: 22 });
			const a = new Node(u.startServer());
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 1;
			la.MarkShouldRelease();
			expect(Kit.waitUntil(() => la.IsIdling, 20)).to.equal(true);
			expect(updates(u)).to.equal(3); // load, release, read-back
			u.destroy();
		});

		it("a player who comes back after a dropped release gets this server's orphaned lock back without waiting for expiry", () => {
			const u = Kit.createUniverse({ seed: 23 });
			const a = new Node(u.startServer());
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 6;
			la.MarkShouldSave();
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "drop-then-ok", count: 3 });
			la.MarkShouldRelease();
			// The release is dropped and read back: the key still holds our lock with the old data.
			expect(Kit.waitUntil(() => la.LastError !== undefined, 20)).to.equal(true);
			expect(la.LastError!.Kind).to.equal("write_unconfirmed");
			expect(la.IsIdling).to.equal(false);
			u.dataStores.clearFaults();
			la.MarkShouldAcquire(); // the player is back
			expect(Kit.waitUntil(() => la.IsAvailable(), 30)).to.equal(true);
			expect(la.SaveData.Gold).to.equal(6);
			la.MarkForceSave();
			expect(Kit.waitUntil(() => stored(u)!.Gold === 6, 30)).to.equal(true);
			expect((stored(u)!.Session as StoredSession).JobId).to.equal(a.server.jobId);
			u.destroy();
		});
	});

	describe("reuse while a release is in flight", () => {
		it("a rejoin after the release transform ran is neither available nor loaded until the write resolves, and its edits are never reported saved unless stored", () => {
			const u = Kit.createUniverse({ seed: 24, latency: { min: 1, max: 1 } });
			const a = new Node(u.startServer());
			const la = a.locker("1");
			expect(acquireLoaded(la, 20)).to.equal(true);
			la.SaveData.Gold = 2;
			la.MarkShouldSave();
			la.MarkShouldRelease();
			Kit.advance(0.3); // the release transform ran from the cache; its write is in flight
			expect(la.State).to.equal("releasing");
			la.MarkShouldAcquire(); // the player rejoins this server
			let sawAvailable = false;
			let sawLoaded = false;
			Kit.waitUntil(() => {
				if (la.IsAvailable()) sawAvailable = true;
				if (la.LoadStatus === "loaded") sawLoaded = true;
				return la.State !== "releasing";
			}, 10);
			expect(sawAvailable).to.equal(false);
			expect(sawLoaded).to.equal(false);
			expect(Kit.waitUntil(() => la.IsAvailable(), 30)).to.equal(true);
			expect(la.SaveData.Gold).to.equal(2);
			la.SaveData.Gold = 3;
			la.MarkForceSave();
			let saved: boolean | undefined;
			la.WhenChangesSaved(s => (saved = s));
			expect(Kit.waitUntil(() => saved !== undefined, 30)).to.equal(true);
			expect(saved).to.equal(true);
			expect(stored(u)!.Gold).to.equal(3);
			u.destroy();
		});

		it("a release that committed but reported an error, reused after another server took the key: at most one server is ever available", () => {
			const u = Kit.createUniverse({ seed: 25 });
			const a = new Node(u.startServer());
			const b = new Node(u.startServer());
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 4;
			la.MarkShouldSave();
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "commit-then-error", message: HTTP_500 });
			la.MarkShouldRelease();
			expect(Kit.waitUntil(() => la.LastError !== undefined, 10)).to.equal(true);
			const lb = b.locker("1");
			expect(acquireLoaded(lb, 10)).to.equal(true);
			expect(lb.SaveData.Gold).to.equal(4);
			la.MarkShouldAcquire(); // the player rejoins A before its retry
			let both = 0;
			Kit.waitUntil(() => {
				if (la.IsAvailable() && lb.IsAvailable()) both += 1;
				return false;
			}, 60);
			expect(both).to.equal(0);
			expect(la.LoadStatus).never.to.equal("loaded");
			expect(lb.IsAvailable()).to.equal(true);
			u.destroy();
		});
	});

	describe("a purchase for a player who left while loading", () => {
		it("never loops loads and releases: it completes once or is left for redelivery, in a handful of requests", () => {
			const u = Kit.createUniverse({ seed: 26, latency: { min: 0.5, max: 0.5 } });
			const a = new Node(u.startServer());
			a.autoDelete = true;
			const purchaser = a.lib.ProductPurchaserCreate();
			a.server.game.GetService("RunService").Heartbeat.Connect(() => purchaser.Update());
			const la = a.locker("1");
			la.MarkShouldAcquire();
			let applied = 0;
			let result: boolean | undefined;
			const receipt: ReceiptInfo = {
				PurchaseId: "p1",
				PlayerId: 1,
				ProductId: 7,
				PlaceIdWherePurchased: 1,
				CurrencySpent: 5,
			};
			purchaser.CallWhenProductIsProcessedAndSaved(
				la,
				(op, _ud, _id, _r, ls) => {
					if (op === "apply") {
						applied += 1;
						ls.SaveData.Gold += 10;
					}
					return $tuple(true);
				},
				receipt,
				granted => (result = granted),
			);
			Kit.advance(0.1);
			la.MarkShouldRelease(); // the player leaves while the data is still loading
			expect(Kit.waitUntil(() => result !== undefined, 60)).to.equal(true);
			Kit.advance(10);
			// load, release and its read-back; then, held for the purchase: load, save and its read-back, release
			// and its read-back
			print(`purchase after leaving while loading: ${updates(u)} UpdateAsync, granted ${result}`);
			expect(updates(u) <= 8).to.equal(true);
			const value = stored(u)!;
			expect(value.Session).to.equal(undefined);
			expect(result).to.equal(true);
			expect(value.Gold).to.equal(10);
			expect(applied).to.equal(1);
			expect(la.IsDeleted).to.equal(true);
			u.destroy();
		});
	});

	describe("acknowledgements in the default configuration", () => {
		it("a change acknowledged through a dropped release is in the key the next server reads", () => {
			const u = Kit.createUniverse({ seed: 27 });
			const a = new Node(u.startServer());
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			la.SaveData.Gold = 1;
			la.MarkForceSave();
			expect(Kit.waitUntil(() => stored(u)!.Gold === 1, 10)).to.equal(true);
			Kit.advance(1);
			la.SaveData.Gold = 2;
			la.MarkShouldSave();
			let saved: boolean | undefined;
			let storedWhenSaved: number | undefined;
			la.WhenChangesSaved(s => {
				saved = s;
				storedWhenSaved = stored(u)!.Gold;
			});
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "drop-then-ok" });
			la.MarkShouldRelease();
			expect(Kit.waitUntil(() => saved !== undefined, 60)).to.equal(true);
			if (saved) expect(storedWhenSaved).to.equal(2);
			expect(saved).to.equal(true);
			u.destroy();
		});

		it("an awaited save reported OK but dropped is acknowledged only once stored, so a crash right after loses nothing", () => {
			const u = Kit.createUniverse({ seed: 28 });
			const a = new Node(u.startServer(), { SessionExpiry: 120 });
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "drop-then-ok" });
			la.SaveData.Gold = 2;
			la.MarkForceSave();
			let saved: boolean | undefined;
			la.WhenChangesSaved(s => (saved = s));
			expect(Kit.waitUntil(() => saved !== undefined, 60)).to.equal(true);
			expect(saved).to.equal(true);
			a.server.crash();
			const b = new Node(u.startServer(), { SessionExpiry: 120 });
			const lb = b.locker("1");
			expect(acquireLoaded(lb, 400)).to.equal(true);
			expect(lb.SaveData.Gold).to.equal(2);
			u.destroy();
		});

		it("with VerifyAwaitedSaves, a waiter registered after an unverified save returned is told 'saved' only once the write is stored", () => {
			const u = Kit.createUniverse({ seed: 29 });
			const a = new Node(u.startServer(), { VerifyAwaitedSaves: true });
			const la = a.locker("1");
			expect(acquireLoaded(la)).to.equal(true);
			u.dataStores.addFault({ method: "UpdateAsync", key: "1", mode: "drop-then-ok" });
			la.SaveData.Gold = 9;
			la.MarkForceSave();
			// The save is reported done (and dropped) before anyone waits on it.
			expect(Kit.waitUntil(() => la.ChangeId_Saved === la.ChangeId_Pending && la.job === undefined, 10)).to.equal(
				true,
			);
			expect(stored(u)!.Gold).to.equal(0);
			let saved: boolean | undefined;
			let storedWhenSaved: number | undefined;
			la.WhenChangesSaved(s => {
				saved = s;
				storedWhenSaved = stored(u)!.Gold;
			});
			Kit.flush();
			expect(Kit.waitUntil(() => saved !== undefined, 60)).to.equal(true);
			expect(saved).to.equal(true);
			expect(storedWhenSaved).to.equal(9);
			u.destroy();
		});
	});
};
