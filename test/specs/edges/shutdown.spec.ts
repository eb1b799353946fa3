/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { RequestGatewayCreate } from "../../../src";
import type { CoinsProfile } from "../easy/helpers";
import { CoinsData, startWithStore, stored, STORE, universeWith } from "../easy/helpers";

const OUTAGE = "502: API Services rejected request with error. HTTP 500 (Internal Server Error)";

export = () => {
	describe("shutdown during a DataStore outage", () => {
		it("saves and releases all 100 players within 30 s when the DataStore fails for the first 10 s of shutdown", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			const count = 100;
			for (let i = 1; i <= count; i++) server.addPlayer({ userId: 3000 + i });
			const profiles = new Array<CoinsProfile>();
			expect(Kit.waitUntil(() => store.GetLockerCount() === count, 10)).to.equal(true);
			for (let i = 1; i <= count; i++) profiles.push(players.Get(3000 + i) as CoinsProfile);
			expect(Kit.waitUntil(() => profiles.every(p => p.IsLoaded), 120)).to.equal(true);
			for (let i = 1; i <= count; i++) {
				profiles[i - 1].GetSaveData().Coins = i;
				profiles[i - 1].MarkShouldSave();
			}
			// A minute of play: the request budget refills from the 100 loads.
			Kit.advance(60);
			const removeFault = universe.dataStores.addFault({
				method: "UpdateAsync",
				count: math.huge,
				message: OUTAGE,
			});
			const start = Kit.now();
			server.shutdown();
			Kit.advance(10);
			removeFault();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(Kit.now() - start <= 30).to.equal(true);
			let saved = 0;
			for (let i = 1; i <= count; i++) {
				const value = stored(universe, tostring(3000 + i)) as CoinsData;
				if (value.Coins === i && value.Session === undefined) saved += 1;
			}
			expect(saved).to.equal(count);
			universe.destroy();
		});
	});

	describe("the gateway while closing", () => {
		it("retries are short and never planned past the deadline; jitter is reproducible from a seeded Random", () => {
			let now = 100;
			const gateway = RequestGatewayCreate({ Clock: () => now, Random: new Random(11), PlaceId: 1, JobId: "A" });
			const same = RequestGatewayCreate({ Clock: () => now, Random: new Random(11), PlaceId: 1, JobId: "B" });
			for (let failures = 1; failures <= 4; failures++) {
				expect(gateway.RetryDelay(10, failures)).to.equal(same.RetryDelay(10, failures));
			}
			expect(gateway.RetryDelay(10, 2) >= 16).to.equal(true);
			gateway.BeginClosing(now + 27);
			expect(gateway.IsClosing()).to.equal(true);
			for (let failures = 1; failures <= 6; failures++) {
				const delay = gateway.RetryDelay(10, failures);
				expect(delay > 0 && delay <= 3.6).to.equal(true);
			}
			now += 24;
			// 3 s before the deadline: the next attempt is at once, leaving its request time to complete.
			expect(gateway.RetryDelay(10, 5) <= 1).to.equal(true);
			now += 5;
			expect(gateway.RetryDelay(10, 6)).to.equal(0);
		});
	});

	describe("remote changes at shutdown", () => {
		it("a send queued behind a full key fails loudly at shutdown (callback false, status failed) and does not hold the shutdown", () => {
			const universe = universeWith();
			const changes = new Array<object>();
			for (let i = 1; i <= 200; i++) changes.push({ K: "gift", I: i, IK: `old-${i}`, Amount: 1 });
			universe.dataStores.write(STORE, "42", {
				Version: 1,
				VersionPatch: 0,
				Coins: 0,
				Gifts: 0,
				RemoteChanges: changes,
			});
			const { server, store } = startWithStore(universe);
			let callback: boolean | undefined;
			const send = store.SendRemoteChanges("42", [{ K: "gift", Amount: 5 } as never], sent => (callback = sent));
			Kit.advance(5);
			expect(send.Status).to.equal("queued");
			const start = Kit.now();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(Kit.now() - start < 10).to.equal(true);
			expect(send.Status).to.equal("failed");
			expect(callback).to.equal(false);
			expect(send.Error!.Kind).to.equal("remote_change_shutdown");
			expect(send.Error!.Message.find("42", 1, true)[0]).to.be.ok();
			universe.destroy();
		});

		it("a send still unconfirmed at the shutdown deadline fails loudly instead of being dropped silently", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			// Every write of key 43 hangs: the send can never be confirmed.
			universe.dataStores.hold("43");
			let callback: boolean | undefined;
			const send = store.SendRemoteChanges("43", [{ K: "gift", Amount: 5 } as never], sent => (callback = sent));
			Kit.advance(1);
			// What a shutdown warning can name: the key and that its change is in flight.
			expect(store.describePending().find("key 43: 0 queued, 1 in flight", 1, true)[0]).to.be.ok();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 60)).to.equal(true);
			expect(send.Status).to.equal("failed");
			expect(callback).to.equal(false);
			expect(send.Error!.Kind).to.equal("remote_change_shutdown");
			universe.destroy();
		});
	});
};
