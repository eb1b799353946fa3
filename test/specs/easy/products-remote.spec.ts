/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsData, CoinsProfile, startWithStore, stored, STORE, universeWith } from "./helpers";
import type { LockerState } from "../../../src";

const COIN_PACK = 1001;

function grantCoins(op: string, _userData: object, productId: number, _receipt: unknown, ls: LockerState<CoinsData>) {
	if (op === "apply" && productId === COIN_PACK) ls.SaveData.Coins += 100;
	return true;
}

export = () => {
	describe("Easy API products and remote changes", () => {
		it("ProcessReceipts grants a developer product exactly once, after a save covering it", () => {
			const universe = universeWith();
			// The player leaves and rejoins the same server, so it must not close when empty.
			const { server, lib, store } = startWithStore(universe, { stayOpenWhenEmpty: true });
			const players = lib.PlayerProfilesCreate(store);
			players.ProcessReceipts(grantCoins);
			const buyer = server.addPlayer({ userId: 31 });
			expect(Kit.waitUntil(() => players.GetLoaded(31) !== undefined, 10)).to.equal(true);
			const handle = universe.marketplace.purchase(server, buyer, COIN_PACK);
			expect(Kit.waitUntil(() => handle.status() === "granted", 30)).to.equal(true);
			const value = stored(universe, "31") as CoinsData;
			expect(value.Coins).to.equal(100);
			expect((value.Purchases as Array<unknown>).size()).to.equal(1);
			// The receipt delivered again (a rejoin) is recognised, not granted twice.
			server.removePlayer(buyer);
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 10)).to.equal(true);
			server.addPlayer({ userId: 31 });
			expect(Kit.waitUntil(() => players.GetLoaded(31) !== undefined, 20)).to.equal(true);
			Kit.advance(3);
			expect((players.Get(31) as CoinsProfile).GetSaveData().Coins).to.equal(100);
			universe.destroy();
		});

		it("the profile's product wrappers grant through the shared purchaser (yielding and callback forms)", () => {
			const universe = universeWith();
			const { server, store } = startWithStore(universe);
			const profile = store.StartSession("37", [37]);
			expect(Kit.waitUntil(() => profile.IsLoaded, 10)).to.equal(true);
			const receipt = (id: string) => ({
				PurchaseId: id,
				PlayerId: 37,
				ProductId: COIN_PACK,
				PlaceIdWherePurchased: server.placeId,
				CurrencySpent: 10,
			});
			let yielded: boolean | undefined;
			task.spawn(() => {
				yielded = profile.YieldUntilProductIsProcessedAndSaved(grantCoins, receipt("p-1"));
			});
			let called: boolean | undefined;
			profile.CallWhenProductIsProcessedAndSaved(grantCoins, receipt("p-2"), granted => {
				called = granted;
			});
			expect(Kit.waitUntil(() => yielded !== undefined && called !== undefined, 30)).to.equal(true);
			expect(yielded).to.equal(true);
			expect(called).to.equal(true);
			expect((stored(universe, "37") as CoinsData).Coins).to.equal(200);
			// The same receipt again is recognised from the purchase history: granted, not applied twice.
			let again: boolean | undefined;
			task.spawn(() => {
				again = profile.YieldUntilProductIsProcessedAndSaved(grantCoins, receipt("p-1"));
			});
			expect(Kit.waitUntil(() => again !== undefined, 30)).to.equal(true);
			expect(again).to.equal(true);
			expect(profile.GetSaveData().Coins).to.equal(200);
			profile.EndSession();
			expect(profile.YieldUntilProductIsProcessedAndSaved(grantCoins, receipt("p-3"))).to.equal(false);
			universe.destroy();
		});

		it("a purchase waiting on a player who leaves before their data loads resolves, never hangs (B4)", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			universe.dataStores.write(STORE, "41", {
				Version: 1,
				VersionPatch: 0,
				Coins: 0,
				Gifts: 0,
				Session: { PlaceId: 1, JobId: "elsewhere", LockId: 1, UpdatedAt: os.time() },
			});
			const players = lib.PlayerProfilesCreate(store);
			players.ProcessReceipts(grantCoins);
			const buyer = server.addPlayer({ userId: 41 });
			Kit.advance(1);
			const handle = universe.marketplace.purchase(server, buyer, COIN_PACK);
			Kit.advance(3);
			expect(handle.invocations()).to.equal(1);
			server.removePlayer(buyer);
			// The locker is released (it never loaded) and deleted; the purchase waiting on it answers NotProcessedYet.
			expect(Kit.waitUntil(() => store.GetLockerCount() === 0, 30)).to.equal(true);
			const start = Kit.now();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 40)).to.equal(true);
			expect(Kit.now() - start < 5).to.equal(true);
			expect(handle.status()).to.equal("pending");
			universe.destroy();
		});

		it("ProductCreditChanged fires on the profile for credit given and used", () => {
			const universe = universeWith();
			const { store } = startWithStore(universe);
			const profile = store.StartSession("32", [32]);
			expect(Kit.waitUntil(() => profile.IsLoaded, 10)).to.equal(true);
			const log = new Array<string>();
			profile.ProductCreditChanged.Connect((productId, amount) => log.push(`${productId}:${amount}`));
			profile.ProductCreditGive(5, 3);
			expect(profile.ProductCreditUse(5, 2)).to.equal(true);
			expect(profile.ProductCreditUse(5, 2)).to.equal(false);
			Kit.advance(0.1);
			expect(log.join(",")).to.equal("5:3,5:-2");
			universe.destroy();
		});

		it("a gift sent from another server reaches the holder once, applied at once through the nudge", () => {
			const universe = universeWith();
			const a = startWithStore(universe);
			const b = startWithStore(universe);
			const recipient = b.store.StartSessionReusable("33", [33]);
			expect(Kit.waitUntil(() => recipient.IsLoaded, 10)).to.equal(true);
			let sent: boolean | undefined;
			a.store.SendRemoteChanges("33", [{ K: "gift", Amount: 50 }], ok => {
				sent = ok;
			});
			expect(Kit.waitUntil(() => recipient.GetSaveData().Gifts === 50, 20)).to.equal(true);
			expect(sent).to.equal(true);
			Kit.advance(20);
			expect(recipient.GetSaveData().Gifts).to.equal(50);
			recipient.EndSession();
			expect(Kit.waitUntil(() => b.store.GetLockerCount() === 0, 20)).to.equal(true);
			const value = stored(universe, "33") as CoinsData;
			expect(value.Gifts).to.equal(50);
			universe.destroy();
		});

		it("a gift to a player nobody holds creates the key; the next session applies it", () => {
			const universe = universeWith();
			const a = startWithStore(universe);
			a.store.SendRemoteChanges("34", [{ K: "gift", Amount: 7 }]);
			expect(Kit.waitUntil(() => !a.store.RemoteChangeSender.IsSending(), 20)).to.equal(true);
			const b = startWithStore(universe);
			const profile = b.store.StartSession("34", [34]);
			expect(Kit.waitUntil(() => profile.IsLoaded, 20)).to.equal(true);
			expect(profile.GetSaveData().Gifts).to.equal(7);
			universe.destroy();
		});

		it("shutdown drains a purchase and a remote send that are still in progress", () => {
			const universe = universeWith();
			const { server, lib, store } = startWithStore(universe);
			const players = lib.PlayerProfilesCreate(store);
			players.ProcessReceipts(grantCoins);
			const buyer = server.addPlayer({ userId: 35 });
			expect(Kit.waitUntil(() => players.GetLoaded(35) !== undefined, 10)).to.equal(true);
			const handle = universe.marketplace.purchase(server, buyer, COIN_PACK);
			store.SendRemoteChanges("36", [{ K: "gift", Amount: 1 }]);
			const start = Kit.now();
			server.shutdown();
			expect(Kit.waitUntil(() => server.isClosed, 40)).to.equal(true);
			expect(Kit.now() - start < 30).to.equal(true);
			expect(handle.status()).to.equal("granted");
			expect((stored(universe, "35") as CoinsData).Coins).to.equal(100);
			const gift = stored(universe, "36") as CoinsData;
			expect(gift).to.be.ok();
			expect((gift.RemoteChanges as Array<unknown>).size()).to.equal(1);
			universe.destroy();
		});
	});
};
