/// <reference types="@rbxts/testez/globals" />
import Signal from "@rbxts/signal";
import { Kit } from "../../kit";
import type { EasyProfile } from "../../../src";
import { countingRunService } from "./countingRunService";
import { CoinsData, CoinsProfile, startWithStore, stored, universeWith, waitLoaded } from "./helpers";

/** The lazy signal behind a public `Signal` field: `inner` is its BindableEvent wrapper, once created. */
interface Lazy {
	inner: unknown;
}

const SIGNALS = [
	"Lifecycle",
	"Finished",
	"Destroyed",
	"Saved",
	"Replaced",
	"Loaded",
	"Reset",
	"Released",
	"Lost",
	"ProductCreditChanged",
] as const;

/** The names of a profile's signals that have created their BindableEvent. */
function createdSignals(profile: EasyProfile<CoinsData>): Array<string> {
	const created = new Array<string>();
	for (const name of SIGNALS) if ((profile[name] as unknown as Lazy).inner !== undefined) created.push(name);
	return created;
}

export = () => {
	describe("Easy API idle cost (docs/cpu.md)", () => {
		it("a loaded player's profile creates a BindableEvent only for the signals something listens to", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			server.addPlayer({ userId: 5 });
			expect(Kit.waitUntil(() => players.GetLoaded(5) !== undefined, 10)).to.equal(true);
			const profile = players.GetLoaded(5)!;
			// Nothing listens, although Loaded, Replaced and Lifecycle have fired: PlayerProfiles hears the profile
			// without a signal.
			expect(createdSignals(profile).join(",")).to.equal("");
			expect((players.Reconnected as unknown as Lazy).inner).to.equal(undefined);
			expect((players.DuplicateLogin as unknown as Lazy).inner).to.equal(undefined);
			// The game's handler works the same when it connects late: it hears the next save.
			let saves = 0;
			profile.Saved.Connect(() => (saves += 1));
			profile.GetSaveData().Coins = 4;
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			Kit.flush();
			expect(saves).to.equal(1);
			expect(createdSignals(profile).join(",")).to.equal("Saved");
			universe.destroy();
		});

		it("with KickOnLost and KickOnLoadFailure, a loaded player has no BindableEvent and no thread of the helper", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store, { KickOnLost: true, KickOnLoadFailure: true });
			const helper = players as unknown as { entries: Map<number, object>; loadTimers: Map<object, thread> };
			server.addPlayer({ userId: 5 });
			expect(Kit.waitUntil(() => helper.entries.get(5) !== undefined, 1)).to.equal(true);
			// While the data loads, one thread waits for LoadTimeout; nothing polls.
			const entry = helper.entries.get(5)!;
			const timer = helper.loadTimers.get(entry);
			expect(timer).to.be.ok();
			expect(coroutine.status(timer!)).to.equal("suspended");
			expect(Kit.waitUntil(() => players.GetLoaded(5) !== undefined, 10)).to.equal(true);
			expect(createdSignals(players.GetLoaded(5)!).join(",")).to.equal("");
			expect(helper.loadTimers.size()).to.equal(0);
			expect(coroutine.status(timer!)).to.equal("dead");
			universe.destroy();
		});

		it("Wait and Once work on a signal nobody had used; one destroyed before first use acts as a destroyed Signal", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const profile = store.StartSessionReusable("7", [7]) as CoinsProfile;
			const order = new Array<string>();
			profile.Loaded.Once(() => order.push("once"));
			task.spawn(() => {
				profile.Replaced.Wait();
				order.push("waited");
			});
			expect(waitLoaded(profile)).to.equal(true);
			Kit.flush();
			expect(order.join(",")).to.equal("once,waited");
			profile.EndSession();
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 30)).to.equal(true);
			Kit.flush();
			// Finished destroyed every signal; Saved was never connected, so it is created destroyed on first use and
			// then behaves as a @rbxts/signal Signal connected after its Destroy.
			const plain = new Signal<() => void>();
			plain.Destroy();
			let plainCalls = 0;
			plain.Connect(() => (plainCalls += 1));
			plain.Fire();
			let late = 0;
			profile.Saved.Connect(() => (late += 1));
			profile.Saved.Fire();
			Kit.flush();
			expect((profile.Saved as unknown as Lazy).inner).to.be.ok();
			expect(late).to.equal(plainCalls);
			universe.destroy();
		});

		it("an idle frame checks the remote sends inline, and a send started on the sender itself goes out next frame", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const profile = store.StartSessionReusable("8", [8]) as CoinsProfile;
			expect(waitLoaded(profile)).to.equal(true);
			Kit.advance(1);
			// IsSending from inside the frame check would nest a C call (next) deep enough to grow the frame thread's
			// stack: garbage on every frame of every idle server.
			let calls = 0;
			const sender = store.RemoteChangeSender as unknown as { IsSending: (owner: unknown) => boolean };
			const original = sender.IsSending;
			sender.IsSending = owner => {
				calls += 1;
				return original(owner);
			};
			Kit.advance(3); // 180 frames of an idle server
			expect(calls).to.equal(0);
			store.RemoteChangeSender.Send("9", [{ K: "gift" }]);
			Kit.advance(1);
			const gift = stored(universe, "9");
			expect(gift).to.be.ok();
			expect((gift!.RemoteChanges as Array<unknown>).size()).to.equal(1);
			universe.destroy();
		});

		it("an idle server runs the driver on few frames: it leaves Heartbeat until something is due", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const { run: countingRun, counts } = countingRunService(server);
			const { store } = startWithStore(universe, undefined, { Services: { RunService: countingRun } });
			const profiles = new Array<CoinsProfile>();
			for (let userId = 1; userId <= 20; userId++) {
				profiles.push(store.StartSessionReusable(`${userId}`, [userId]) as CoinsProfile);
			}
			expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 30)).to.equal(true);
			Kit.advance(5);
			counts.frames = 0;
			Kit.advance(60); // 3,600 frames
			// Two 30-second full passes, a frame or two each; no autosave is due within 65 s of loading.
			expect(counts.frames >= 1).to.equal(true);
			expect(counts.frames <= 10).to.equal(true);
			expect(counts.live).to.equal(0);
			// Work that does not come from the clock wakes it: a change forced on a profile is saved within a second.
			const before = counts.frames;
			profiles[3].GetSaveData().Coins = 9;
			profiles[3].MarkForceSave();
			Kit.advance(1);
			expect(stored(universe, "4")!.Coins).to.equal(9);
			expect(counts.frames > before).to.equal(true);
			Kit.advance(2);
			expect(counts.live).to.equal(0);
			universe.destroy();
		});
	});
};
