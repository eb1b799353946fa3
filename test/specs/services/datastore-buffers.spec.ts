/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { CoinsData, CoinsProfile, startWithStore, stored } from "../easy/helpers";
import { errorOf, noCache, storeOf, universeWith } from "./helpers";

// Checklist item D3: buffers are one of the types DataStores serialize (creator docs page
// cloud-services/data-stores/versioning-listing-and-caching, "Serialization"), and HttpService:JSONEncode writes one
// as a tagged base64 object (reference/engine/classes/HttpService, JSONEncode).
const HttpService = game.GetService("HttpService");

function bytes(text: string): buffer {
	return buffer.fromstring(text);
}

export = () => {
	describe("buffers (item D3)", () => {
		it("item D3: JSONEncode writes a buffer as {m, t = 'buffer', base64} and JSONDecode gives a buffer back (HttpService JSONEncode)", () => {
			expect(HttpService.JSONEncode(bytes("hello"))).to.equal('{"m":null,"t":"buffer","base64":"aGVsbG8="}');
			expect(HttpService.JSONEncode(bytes(""))).to.equal('{"m":null,"t":"buffer","base64":""}');
			expect(HttpService.JSONEncode([bytes("ab")])).to.equal('[{"m":null,"t":"buffer","base64":"YWI="}]');
			const back = HttpService.JSONDecode('{"m":null,"t":"buffer","base64":"aGVsbG8="}') as buffer;
			expect(typeOf(back)).to.equal("buffer");
			expect(buffer.tostring(back)).to.equal("hello");
			// Every byte value survives the round trip.
			const all = buffer.create(256);
			for (let i = 0; i < 256; i++) buffer.writeu8(all, i, i);
			const again = HttpService.JSONDecode(HttpService.JSONEncode(all)) as buffer;
			expect(buffer.tostring(again)).to.equal(buffer.tostring(all));
		});

		it("item D3: a buffer in save data is stored, read back as a fresh copy, and not the caller's object (versioning-listing-and-caching, Serialization)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const blob = buffer.create(4);
			[0, 1, 128, 255].forEach((byte, i) => buffer.writeu8(blob, i, byte));
			expect(errorOf(() => store.SetAsync("k", { blob, n: 1 }))).to.equal(undefined);
			buffer.writeu8(blob, 0, 42);
			const [value] = store.GetAsync<{ blob: buffer; n: number }>("k", noCache());
			expect(typeOf(value!.blob)).to.equal("buffer");
			expect(buffer.len(value!.blob)).to.equal(4);
			expect([0, 1, 2, 3].map(i => buffer.readu8(value!.blob, i)).join(",")).to.equal("0,1,128,255");
			expect(value!.blob).never.to.equal(blob);
			const [other] = store.GetAsync<{ blob: buffer }>("k", noCache());
			expect(other!.blob).never.to.equal(value!.blob);
			const [updated] = store.UpdateAsync("k", (old: { blob: buffer; n: number } | undefined) => {
				buffer.writeu8(old!.blob, 0, 7);
				return $tuple(old!);
			});
			expect(buffer.readu8((updated as { blob: buffer }).blob, 0)).to.equal(7);
			expect(buffer.readu8((universe.dataStores.read("Store", "k")!.value as { blob: buffer }).blob, 0)).to.equal(
				7,
			);
			universe.destroy();
		});

		it("item D3: the 4 MB limit counts a buffer as its JSON encoding (error-codes-and-limits, Data limits)", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const blob = buffer.create(3000);
			const encoded = HttpService.JSONEncode({ blob }).size();
			// 3,000 bytes are 4,000 base64 characters inside the tagged object.
			expect(encoded).to.equal(4000 + '{"blob":{"m":null,"t":"buffer","base64":""}}'.size());
			universe.dataStores.setOptions({ valueLimit: encoded });
			expect(errorOf(() => store.SetAsync("fits", { blob }))).to.equal(undefined);
			universe.dataStores.setOptions({ valueLimit: encoded - 1 });
			expect(errorOf(() => store.SetAsync("over", { blob }))).to.equal(
				"105: Serialized value exceeds 4MB limit.",
			);
			universe.destroy();
		});

		it("item D3 (deviation): a compressed 'zbase64' buffer cannot be decoded by the emulator and says so", () => {
			const err = errorOf(() => HttpService.JSONDecode('{"m":null,"t":"buffer","zbase64":"KLUv/QBYAQAA"}'));
			expect(err!.find("zbase64", 1, true)[0]).never.to.equal(undefined);
		});

		it("item D3: the library keeps a buffer in save data across a save and a load on another server (versioning-listing-and-caching, Serialization)", () => {
			const universe = universeWith();
			const a = startWithStore(universe);
			const players = a.lib.PlayerProfilesCreate(a.store);
			const player = a.server.addPlayer({ userId: 9 });
			expect(Kit.waitUntil(() => players.GetLoaded(9) !== undefined, 20)).to.equal(true);
			const blob = buffer.create(3);
			buffer.writeu8(blob, 2, 200);
			const data = (players.Get(9) as CoinsProfile).GetSaveData() as CoinsData & { Blob?: buffer };
			data.Blob = blob;
			data.Coins = 4;
			a.server.removePlayer(player);
			expect(
				Kit.waitUntil(() => (stored(universe, "9") as { Coins?: number } | undefined)?.Coins === 4, 30),
			).to.equal(true);
			const b = startWithStore(universe);
			const playersB = b.lib.PlayerProfilesCreate(b.store);
			b.server.addPlayer({ userId: 9 });
			expect(Kit.waitUntil(() => playersB.GetLoaded(9) !== undefined, 30)).to.equal(true);
			const loaded = (playersB.Get(9) as CoinsProfile).GetSaveData() as CoinsData & { Blob?: buffer };
			expect(typeOf(loaded.Blob)).to.equal("buffer");
			expect(buffer.readu8(loaded.Blob!, 2)).to.equal(200);
			universe.destroy();
		});
	});
};
