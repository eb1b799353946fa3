/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { countingRunService } from "./countingRunService";
import { CoinsData, CoinsProfile, Lib, LIB, startWithStore, stored, STORE, universeWith, waitLoaded } from "./helpers";

export = () => {
	describe("EasyStoreCreate", () => {
		it("errors clearly on the client", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const realRun = server.game.GetService("RunService");
			const clientRun = { Heartbeat: realRun.Heartbeat, IsClient: () => true, IsStudio: () => false };
			const store = server.game.GetService("DataStoreService").GetDataStore(STORE);
			let message = "";
			try {
				lib.EasyStoreCreate(store, () => ({ Coins: 0 }), { Services: { RunService: clientRun } });
			} catch (e) {
				message = tostring(e);
			}
			expect(message.find("can only be called on the server", 1, true)[0]).to.be.ok();
			universe.destroy();
		});

		it("one Heartbeat connection at a time serves every store, none while idle, and one store per DataStore object", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			// The driver leaves Heartbeat while nothing is due and connects again when something is.
			const { run: countingRun, counts } = countingRunService(server);
			const dss = server.game.GetService("DataStoreService");
			const options = { Services: { RunService: countingRun } };
			const a = lib.EasyStoreCreate(dss.GetDataStore("A"), () => ({ N: 0 }), options);
			const b = lib.EasyStoreCreate(dss.GetDataStore("B"), () => ({ N: 0 }), options);
			const again = lib.EasyStoreCreate(dss.GetDataStore("A"), () => ({ N: 0 }));
			expect(counts.connections).to.equal(1);
			expect(again).to.equal(a);
			expect(a === b).to.equal(false);
			const warned = server.outputOf("warn").join("\n");
			expect(warned.find("already has an EasyStore", 1, true)[0]).to.be.ok();
			// Both stores are driven by that one connection.
			const pa = a.StartSession("ka");
			const pb = b.StartSession("kb");
			expect(Kit.waitUntil(() => pa.IsLoaded && pb.IsLoaded, 10)).to.equal(true);
			expect(counts.mostLive).to.equal(1);
			// Loaded and idle: the driver sleeps off Heartbeat until the next autosave or full pass.
			expect(Kit.waitUntil(() => counts.live === 0, 5)).to.equal(true);
			const before = counts.connections;
			// A change forced on one session wakes the driver: one connection again, and the save goes out.
			const savesBefore = universe.dataStores.requests({ method: "UpdateAsync", key: "kb" }).size();
			pb.ELS.MarkForceSave();
			expect(counts.live).to.equal(1);
			expect(
				Kit.waitUntil(
					() => universe.dataStores.requests({ method: "UpdateAsync", key: "kb" }).size() > savesBefore,
					5,
				),
			).to.equal(true);
			expect(counts.connections).to.equal(before + 1);
			expect(counts.mostLive).to.equal(1);
			universe.destroy();
		});

		it("warns about reserved fields in CreateSaveData and injects them itself", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const store = lib.EasyStoreCreate(
				server.game.GetService("DataStoreService").GetDataStore("R"),
				() => ({ Version: 9, Gold: 1 }),
				{ SaveDataVersion: 3, SaveDataVersionPatch: 2 },
			);
			const warned = server.outputOf("warn").join("\n");
			expect(warned.find('reserved field "Version"', 1, true)[0]).to.be.ok();
			const profile = store.StartSession("k");
			expect(waitLoaded(profile as never)).to.equal(true);
			const data = profile.GetSaveData() as unknown as { Version: number; VersionPatch: number; Gold: number };
			expect(data.Version).to.equal(3);
			expect(data.VersionPatch).to.equal(2);
			expect(data.Gold).to.equal(1);
			universe.destroy();
		});
	});

	describe("EasyProfile signals", () => {
		for (const behavior of ["Deferred", "Immediate"] as const) {
			it(`fire in the documented order through load, save, end, release and Finished (B4), ${behavior} signals`, () => {
				const universe = universeWith();
				const { store } = startWithStore(universe, { signalBehavior: behavior });
				const profile = store.StartSession("1", [1]);
				const log = new Array<string>();
				profile.Loaded.Connect(() => log.push("Loaded"));
				profile.Saved.Connect(() => log.push("Saved"));
				profile.Replaced.Connect(reason => log.push(`Replaced:${reason}`));
				profile.Reset.Connect(reason => log.push(`Reset:${reason}`));
				profile.Released.Connect(() => log.push("Released"));
				profile.Lost.Connect(() => log.push("Lost"));
				profile.Destroyed.Connect(() => log.push("Destroyed"));
				profile.Finished.Connect(() => log.push("Finished"));
				profile.Lifecycle.Connect((status, reason) => {
					if (status !== "before_save" && status !== "before_save_transform" && status !== "idling") {
						log.push(`Lifecycle:${status}:${reason}`);
					}
				});
				expect(waitLoaded(profile)).to.equal(true);
				Kit.flush();
				profile.GetSaveData().Coins = 5;
				profile.MarkForceSave();
				expect(profile.YieldUntilChangesSaved()).to.equal(true);
				Kit.flush();
				profile.EndSession();
				expect(profile.IsActive).to.equal(false);
				expect(Kit.waitUntil(() => log.includes("Finished"), 30)).to.equal(true);
				Kit.flush();
				expect(log.join(",")).to.equal(
					[
						"Loaded",
						"Replaced:r_loaded",
						"Lifecycle:replaced:r_loaded",
						"Saved",
						"Lifecycle:saved:none",
						"Destroyed",
						"Lifecycle:destroyed:none",
						"Saved",
						"Lifecycle:saved:none",
						"Released",
						"Reset:r_released",
						"Replaced:r_released",
						"Lifecycle:replaced:r_released",
						"Finished",
						"Lifecycle:deleted:none",
					].join(","),
				);
				expect(store.GetLockerCount()).to.equal(0);
				const value = stored(universe, "1") as CoinsData;
				expect(value.Coins).to.equal(5);
				expect(value.Session).to.equal(undefined);
				universe.destroy();
			});
		}

		it("a handler that starts a session while the store updates (Immediate signals) is safe", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe, { signalBehavior: "Immediate" });
			const first = store.StartSession("5", [5]);
			expect(waitLoaded(first)).to.equal(true);
			const started = new Array<CoinsProfile>();
			first.Released.Connect(() => started.push(store.StartSession("6", [6])));
			first.Finished.Connect(() => started.push(store.StartSessionReusable("5", [5])));
			first.EndSession();
			expect(Kit.waitUntil(() => started.size() === 2 && started.every(p => p.IsLoaded), 30)).to.equal(true);
			expect(server.outputOf("error").size()).to.equal(0);
			universe.destroy();
		});

		it("Lost fires before Reset, Replaced and Lifecycle when another server takes the key", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const profile = store.StartSession("2", [2]);
			expect(waitLoaded(profile)).to.equal(true);
			const log = new Array<string>();
			profile.Lost.Connect(() => log.push("Lost"));
			profile.Reset.Connect(reason => log.push(`Reset:${reason}`));
			profile.Replaced.Connect(reason => log.push(`Replaced:${reason}`));
			profile.Lifecycle.Connect((status, reason) => {
				if (status === "replaced") log.push(`Lifecycle:${status}:${reason}`);
			});
			// Another server steals the lock behind our back (an expired-lock takeover, simulated by a raw write).
			const value = stored(universe, "2") as CoinsData;
			(value.Session as { LockId: number }).LockId += 1;
			universe.dataStores.write(STORE, "2", value);
			profile.MarkForceSave();
			expect(Kit.waitUntil(() => log.size() >= 4, 30)).to.equal(true);
			expect(log.join(",")).to.equal("Lost,Reset:r_lost,Replaced:r_lost,Lifecycle:replaced:r_lost");
			expect(profile.IsLoaded).to.equal(false);
			profile.EndSession();
			universe.destroy();
		});

		it("YieldUntilLoaded returns nil, and never hangs, when the session ends before the load", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const hold = universe.dataStores.hold("3");
			const profile = store.StartSession("3", [3]);
			let result: unknown = "pending";
			let whenLoadedCalled = false;
			task.spawn(() => {
				result = profile.YieldUntilLoaded();
			});
			profile.WhenLoaded(() => {
				whenLoadedCalled = true;
			});
			Kit.advance(1);
			expect(result).to.equal("pending");
			profile.EndSession();
			Kit.flush();
			expect(result).to.equal(undefined);
			let finished = false;
			profile.Finished.Connect(() => {
				finished = true;
			});
			hold.release();
			expect(Kit.waitUntil(() => finished, 30)).to.equal(true);
			expect(whenLoadedCalled).to.equal(false);
			expect(profile.YieldUntilLoaded()).to.equal(undefined);
			// The load landed after the end: the lock it took was released again.
			Kit.advance(1);
			expect((stored(universe, "3") as CoinsData).Session).to.equal(undefined);
			universe.destroy();
		});

		it("wrappers report nothing saved once the profile ended", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const profile = store.StartSession("4", [4]);
			expect(waitLoaded(profile)).to.equal(true);
			profile.ProductCreditGive(77, 2);
			expect(profile.ProductCreditQuery(77)).to.equal(2);
			expect(profile.ProductCreditUse(77, 1)).to.equal(true);
			profile.EndSession();
			expect(profile.IsAvailable()).to.equal(false);
			expect(profile.YieldUntilChangesSaved()).to.equal(false);
			expect(profile.ProductCreditQuery(77)).to.equal(0);
			expect(profile.ProductCreditUse(77, 1)).to.equal(false);
			let saved: boolean | undefined;
			profile.WhenChangesSaved(wasSaved => {
				saved = wasSaved;
			});
			Kit.flush();
			expect(saved).to.equal(false);
			universe.destroy();
		});
	});
};
