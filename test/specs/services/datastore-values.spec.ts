/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { dss, errorOf, noCache, runWithoutYield, storeOf, universeWith } from "./helpers";

const UTF8_TAIL = " in data store. Data stores can only accept valid UTF-8 characters.";

// Platform checklist items 1–18: stores, keys, values and per-method contracts of DataStoreService.
export = () => {
	describe("stores and keys (items 1–4)", () => {
		it("item 1: GetDataStore returns the same object for the same name and scope, another for another scope", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const service = dss(server);
			const a = service.GetDataStore("Players");
			expect(service.GetDataStore("Players")).to.equal(a);
			expect(service.GetDataStore("Players", "global")).to.equal(a);
			expect(service.GetDataStore("Players", "other") === a).to.equal(false);
			universe.destroy();
		});

		it("item 1: keys are limited to 50 bytes (string.len), empty keys fail with 101", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			expect(errorOf(() => store.SetAsync(string.rep("k", 50), 1))).to.equal(undefined);
			expect(errorOf(() => store.GetAsync(string.rep("k", 51)))).to.equal(
				"102: Key name exceeds the 50 character limit.",
			);
			// 26 two-byte characters are 52 bytes: over the limit although only 26 characters.
			expect(errorOf(() => store.GetAsync(string.rep("é", 26)))).to.equal(
				"102: Key name exceeds the 50 character limit.",
			);
			expect(errorOf(() => store.GetAsync(""))).to.equal("101: Key name can't be empty.");
			universe.destroy();
		});

		it("item 1: store names and scopes over 50 bytes and empty names are errors", () => {
			const universe = universeWith();
			const service = dss(universe.startServer());
			expect(errorOf(() => service.GetDataStore(string.rep("n", 51)))).never.to.equal(undefined);
			expect(errorOf(() => service.GetDataStore("ok", string.rep("s", 51)))).never.to.equal(undefined);
			expect(errorOf(() => service.GetDataStore(""))).never.to.equal(undefined);
			expect(errorOf(() => service.GetDataStore(string.rep("n", 50), string.rep("s", 50)))).to.equal(undefined);
			universe.destroy();
		});

		it('item 1: an AllScopes store needs scope "" and addresses keys as scope/key', () => {
			const universe = universeWith();
			const server = universe.startServer();
			universe.dataStores.write("Inventory", "k", 42, { scope: "season1" });
			const options = new Instance("DataStoreOptions");
			options.AllScopes = true;
			expect(errorOf(() => dss(server).GetDataStore("Inventory", "season1", options))).never.to.equal(undefined);
			const all = dss(server).GetDataStore("Inventory", "", options);
			const [value] = all.GetAsync<number>("season1/k");
			expect(value).to.equal(42);
			expect(errorOf(() => all.GetAsync("k"))).never.to.equal(undefined);
			universe.destroy();
		});

		it("item 2: an unpublished place (PlaceId 0) cannot get a DataStore", () => {
			const universe = universeWith();
			const server = universe.startServer({ placeId: 0 });
			expect(errorOf(() => dss(server).GetDataStore("Players"))).to.equal(
				"You must publish this place to the web to access DataStore.",
			);
			universe.destroy();
		});

		it("item 3: validation errors come before any yield and before spending budget", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			const before = dss(server).GetRequestBudgetForRequestType(Enum.DataStoreRequestType.SetIncrementAsync);
			const cases: Array<() => void> = [
				() => store.SetAsync("", 1),
				() => store.SetAsync("k", () => 1),
				() => store.SetAsync("k", 1, [1, 2, 3, 4, 5]),
				() => store.UpdateAsync(string.rep("x", 60), v => $tuple(v)),
				() => store.IncrementAsync(""),
				() => store.RemoveAsync(""),
			];
			for (const fn of cases) {
				const outcome = runWithoutYield(fn);
				expect(outcome.finished).to.equal(true);
				expect(outcome.error).never.to.equal(undefined);
			}
			expect(dss(server).GetRequestBudgetForRequestType(Enum.DataStoreRequestType.SetIncrementAsync)).to.equal(
				before,
			);
			expect(universe.dataStores.requestCount()).to.equal(0);
			universe.destroy();
		});

		it('item 4: errors read "NNN: text" with no script position prefix', () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const err = errorOf(() => store.GetAsync(""))!;
			expect(err.match("^%d%d%d: ")[0]).never.to.equal(undefined);
			expect(err.find(":%d+:")[0]).to.equal(undefined);
			universe.destroy();
		});
	});

	describe("values (items 5–11)", () => {
		it("item 5: every read is a fresh copy; inputs are copied on write; metatables are lost", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const input = setmetatable({ coins: 1 }, { __index: () => "meta" }) as { coins: number };
			store.SetAsync("k", input);
			input.coins = 999;
			const [first] = store.GetAsync<{ coins: number }>("k", noCache());
			const [second] = store.GetAsync<{ coins: number }>("k", noCache());
			expect(first!.coins).to.equal(1);
			expect(first === second).to.equal(false);
			expect(getmetatable(first!)).to.equal(undefined);
			first!.coins = 5;
			expect(store.GetAsync<{ coins: number }>("k")[0]!.coins).to.equal(1);
			universe.destroy();
		});

		it("item 6: 4,194,304 encoded characters are accepted, 4,194,305 fail with 105", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			// 4092 strings of 1022 characters encode to 4092 × 1024 + 4091 commas + 2 brackets = 4,194,301
			// characters; one longer last element sets the exact total. Sharing one string keeps memory small.
			const chunk = string.rep("x", 1022);
			const build = (extra: number) => {
				const list = new Array<string>();
				for (let i = 0; i < 4091; i++) list.push(chunk);
				list.push(string.rep("x", 1022 + extra));
				return list;
			};
			expect(errorOf(() => store.SetAsync("big", build(4)))).to.equal("105: Serialized value exceeds 4MB limit.");
			expect(universe.dataStores.read("Store", "big")).to.equal(undefined);
			expect(errorOf(() => store.SetAsync("big", build(3)))).to.equal(undefined);
			const stored = universe.dataStores.read("Store", "big")!.value as Array<string>;
			expect(stored.size()).to.equal(4092);
			expect(stored[4091].size()).to.equal(1025);
			universe.dataStores.remove("Store", "big");
			universe.destroy();
		});

		it("item 6: the size cap is configurable", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			universe.dataStores.setOptions({ valueLimit: 100 });
			expect(errorOf(() => store.SetAsync("k", string.rep("x", 98)))).to.equal(undefined);
			expect(errorOf(() => store.SetAsync("k", string.rep("x", 99)))).to.equal(
				"105: Serialized value exceeds 4MB limit.",
			);
			universe.destroy();
		});

		it("item 7: invalid UTF-8 in a string value or a dictionary key fails with 104", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const bad = string.char(255);
			expect(errorOf(() => store.SetAsync("k", bad))).to.equal("104: Cannot store string" + UTF8_TAIL);
			const dict = new Map<string, number>();
			dict.set("ok" + bad, 1);
			expect(errorOf(() => store.SetAsync("k", dict))).to.equal("104: Cannot store Dictionary" + UTF8_TAIL);
			expect(errorOf(() => store.SetAsync("k", "héllo"))).to.equal(undefined);
			universe.destroy();
		});

		it("item 8: Instances, functions and threads fail with 104; nested ones name Array or Dictionary", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			expect(errorOf(() => store.SetAsync("k", server.game))).to.equal("104: Cannot store Instance" + UTF8_TAIL);
			expect(errorOf(() => store.SetAsync("k", () => 1))).to.equal("104: Cannot store function" + UTF8_TAIL);
			expect(
				errorOf(() =>
					store.SetAsync(
						"k",
						coroutine.create(() => 1),
					),
				),
			).to.equal("104: Cannot store thread" + UTF8_TAIL);
			expect(errorOf(() => store.SetAsync("k", [1, () => 1]))).to.equal("104: Cannot store Array" + UTF8_TAIL);
			expect(errorOf(() => store.SetAsync("k", { a: { b: server.game } }))).to.equal(
				"104: Cannot store Dictionary" + UTF8_TAIL,
			);
			universe.destroy();
		});

		it("item 9: a cyclic table is refused", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const cyclic: { self?: unknown } = {};
			cyclic.self = cyclic;
			const err = errorOf(() => store.SetAsync("k", cyclic));
			expect(err).never.to.equal(undefined);
			expect(err!.sub(1, 4)).to.equal("104:");
			universe.destroy();
		});

		it("item 10: a mixed table keeps its array part; a sparse numeric table gets string keys", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const mixed = [1, 2] as unknown as Record<string, unknown>;
			mixed.extra = 3;
			store.SetAsync("mixed", mixed);
			const stored = universe.dataStores.read("Store", "mixed")!.value as Record<string, unknown>;
			expect((stored as unknown as Array<number>).size()).to.equal(2);
			expect(stored.extra).to.equal(undefined);
			const sparse = new Map<number, boolean>();
			sparse.set(5, true);
			store.SetAsync("sparse", sparse);
			const back = universe.dataStores.read("Store", "sparse")!.value as Map<unknown, unknown>;
			expect(back.get("5")).to.equal(true);
			expect(back.get(5)).to.equal(undefined);
			// Strict mode (item 10's pre-2016 behaviour) refuses the mixed table instead.
			universe.dataStores.setOptions({ strictMixedTables: true });
			expect(errorOf(() => store.SetAsync("mixed", mixed))).never.to.equal(undefined);
			universe.destroy();
		});

		it("item 11: inf, -inf and nan are accepted and round-trip", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			store.SetAsync("k", [math.huge, -math.huge, 0 / 0]);
			const [value] = store.GetAsync<Array<number>>("k", noCache());
			expect(value![0]).to.equal(math.huge);
			expect(value![1]).to.equal(-math.huge);
			expect(value![2] !== value![2]).to.equal(true);
			universe.destroy();
		});

		it("item 11: the optional warning for inf and nan", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const store = storeOf(server);
			store.SetAsync("quiet", 0 / 0);
			expect(server.outputOf("warn").size()).to.equal(0);
			universe.dataStores.setOptions({ warnNonFinite: true });
			store.SetAsync("loud", [1, math.huge]);
			expect(server.outputOf("warn").size()).to.equal(1);
			universe.destroy();
		});
	});

	describe("ordered stores (item 12)", () => {
		it("item 12: an OrderedDataStore accepts only integers (103) and has no keyInfo", () => {
			const universe = universeWith();
			const service = dss(universe.startServer());
			const ordered = service.GetOrderedDataStore("Top");
			expect(service.GetOrderedDataStore("Top")).to.equal(ordered);
			expect(errorOf(() => ordered.SetAsync("a", 1.5))).to.equal("103: double is not allowed in data stores.");
			expect(errorOf(() => ordered.SetAsync("a", [1]))).to.equal("103: Array is not allowed in data stores.");
			expect(errorOf(() => ordered.SetAsync("a", { x: 1 }))).to.equal(
				"103: Dictionary is not allowed in data stores.",
			);
			ordered.SetAsync("a", 5);
			expect(ordered.GetAsync("a")).to.equal(5);
			expect(ordered.IncrementAsync("a", 2)).to.equal(7);
			expect(ordered.UpdateAsync("a", v => v! * 2)).to.equal(14);
			expect(ordered.RemoveAsync("a")).to.equal(14);
			expect(ordered.GetAsync("a")).to.equal(undefined);
			// Ordered and standard stores of the same name are separate.
			expect(service.GetDataStore("Top").GetAsync("a")[0]).to.equal(undefined);
			universe.destroy();
		});

		it("item 12: GetSortedAsync pages by value, honours bounds, and checks its arguments (106, 107)", () => {
			const universe = universeWith();
			const ordered = dss(universe.startServer()).GetOrderedDataStore("Top");
			ordered.SetAsync("a", 5);
			ordered.SetAsync("b", 10);
			ordered.SetAsync("c", 1);
			const pages = ordered.GetSortedAsync(false, 2);
			const rows = new Array<string>();
			for (;;) {
				for (const row of pages.GetCurrentPage()) rows.push(`${row.key}=${row.value}`);
				if (pages.IsFinished) break;
				pages.AdvanceToNextPageAsync();
			}
			expect(rows.join(",")).to.equal("b=10,a=5,c=1");
			expect(ordered.GetSortedAsync(true, 10, 2, 10).GetCurrentPage().size()).to.equal(2);
			expect(errorOf(() => ordered.GetSortedAsync(true, 101))!.sub(1, 4)).to.equal("106:");
			expect(errorOf(() => ordered.GetSortedAsync(true, 10, 5, 1))!.sub(1, 4)).to.equal("107:");
			universe.destroy();
		});
	});

	describe("method contracts (items 13–18)", () => {
		it("item 13: GetAsync of a missing or removed key gives nil, nil", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const [value, info] = store.GetAsync("missing");
			expect(value).to.equal(undefined);
			expect(info).to.equal(undefined);
			store.SetAsync("k", 1);
			store.RemoveAsync("k");
			const [after, afterInfo] = store.GetAsync("k", noCache());
			expect(after).to.equal(undefined);
			expect(afterInfo).to.equal(undefined);
			universe.destroy();
		});

		it("item 14: SetAsync returns a version string and clears userIds and metadata not passed", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const options = new Instance("DataStoreSetOptions");
			options.SetMetadata({ lock: "abc" });
			const v1 = store.SetAsync("k", 1, [7], options);
			expect(typeIs(v1, "string")).to.equal(true);
			expect(universe.dataStores.read("Store", "k")!.userIds[0]).to.equal(7);
			expect(universe.dataStores.read("Store", "k")!.metadata.lock).to.equal("abc");
			const v2 = store.SetAsync("k", 2);
			expect(v2 === v1).to.equal(false);
			const entry = universe.dataStores.read("Store", "k")!;
			expect(entry.userIds.size()).to.equal(0);
			expect(entry.metadata.lock).to.equal(undefined);
			expect(entry.version).to.equal(v2);
			universe.destroy();
		});

		it("item 15: IncrementAsync treats a missing key as 0, returns the value and keyInfo, refuses non-numbers", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const [first, info] = store.IncrementAsync("n", 3);
			expect(first).to.equal(3);
			expect(info.Version).to.equal(universe.dataStores.read("Store", "n")!.version);
			expect(store.IncrementAsync("n")[0]).to.equal(4);
			store.SetAsync("s", "text");
			expect(errorOf(() => store.IncrementAsync("s", 1))).to.equal(
				"502: API Services rejected request with error. Error code: 24 Reason: Key value is not numeric.",
			);
			expect(errorOf(() => store.IncrementAsync("n", 1.5))).never.to.equal(undefined);
			expect(universe.dataStores.read("Store", "n")!.value).to.equal(4);
			universe.destroy();
		});

		it("item 16: RemoveAsync returns the old value and keyInfo, leaves a tombstone, then gives nil, nil", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			store.SetAsync("k", { a: 1 }, [9]);
			const [old, info] = store.RemoveAsync<{ a: number }>("k");
			expect(old!.a).to.equal(1);
			expect(info!.GetUserIds()[0]).to.equal(9);
			expect(universe.dataStores.read("Store", "k")).to.equal(undefined);
			const [again, againInfo] = store.RemoveAsync("k");
			expect(again).to.equal(undefined);
			expect(againInfo).to.equal(undefined);
			universe.destroy();
		});

		it("item 17: keyInfo times are ms on the backend clock, unaffected by server skew; getters return copies", () => {
			const universe = universeWith({ epoch: 1_780_000_000 });
			const server = universe.startServer({ clockSkew: 5000 });
			const store = storeOf(server);
			const writeAt = Kit.now();
			store.SetAsync("k", 1, [1, 2]);
			const [, info] = store.GetAsync<number>("k", noCache());
			const expected = (1_780_000_000 + writeAt) * 1000;
			expect(math.abs(info.CreatedTime - expected) < 1000).to.equal(true);
			expect(info.CreatedTime % 1).to.equal(0);
			universe.dataStores.advanceBackendClock(3600);
			store.SetAsync("k", 2);
			const [, later] = store.GetAsync<number>("k", noCache());
			expect(later.CreatedTime).to.equal(info.CreatedTime);
			expect(later.UpdatedTime - info.UpdatedTime >= 3_600_000).to.equal(true);
			expect(later.Version === info.Version).to.equal(false);
			const ids = info.GetUserIds();
			ids.push(99);
			expect(info.GetUserIds().size()).to.equal(2);
			universe.destroy();
		});

		it("item 18: metadata key > 50, value > 250 or total > 300 fail with 511; > 4 userIds 512; bad formats 513", () => {
			const universe = universeWith();
			const store = storeOf(universe.startServer());
			const withMeta = (meta: object) => () => {
				const options = new Instance("DataStoreSetOptions");
				options.SetMetadata(meta);
				store.SetAsync("k", 1, undefined, options);
			};
			const over = "511: Metadata attribute size exceeds 300 limit.";
			const key51 = string.rep("m", 51);
			const keyed = new Map<string, number>();
			keyed.set(key51, 1);
			expect(errorOf(withMeta(keyed))).to.equal(over);
			expect(errorOf(withMeta({ v: string.rep("x", 251) }))).to.equal(over);
			expect(errorOf(withMeta({ a: string.rep("x", 145), b: string.rep("y", 145) }))).to.equal(over);
			expect(errorOf(withMeta({ a: string.rep("x", 100) }))).to.equal(undefined);
			expect(errorOf(() => store.SetAsync("k", 1, [1, 2, 3, 4, 5]))).to.equal(
				"512: UserID size exceeds limit of 4.",
			);
			expect(errorOf(() => store.SetAsync("k", 1, ["x" as unknown as number]))).to.equal(
				"513: Attribute userId format is invalid.",
			);
			expect(errorOf(withMeta("text" as unknown as object))).to.equal(
				"513: Attribute metadata format is invalid.",
			);
			universe.destroy();
		});
	});

	describe("HttpService JSON (item 57)", () => {
		it("item 57: array wins over string keys, {} is [], cycles error, inf/nan tokens, invalid JSON throws", () => {
			const http = Kit.host().game.GetService("HttpService");
			const mixed = [1, 2] as unknown as Record<string, unknown>;
			mixed.x = 3;
			expect(http.JSONEncode(mixed)).to.equal("[1,2]");
			expect(http.JSONEncode({})).to.equal("[]");
			expect(http.JSONEncode([math.huge, -math.huge])).to.equal("[inf,-inf]");
			const cyclic: { self?: unknown } = {};
			cyclic.self = cyclic;
			expect(errorOf(() => http.JSONEncode(cyclic))).never.to.equal(undefined);
			expect(errorOf(() => http.JSONDecode("{bad"))).never.to.equal(undefined);
			const decoded = http.JSONDecode('{"a":[1,2,{"b":"\\u00e9"}]}') as { a: [number, number, { b: string }] };
			expect(decoded.a[2].b).to.equal("é");
		});
	});
};
