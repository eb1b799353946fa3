/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import { Lib, LIB, STORE, universeWith } from "./helpers";

interface Data {
	Version: number;
	VersionPatch: number;
	Coins: number;
	Diamonds: number;
	Gifts: number;
}

/** The message EasyStoreCreate raised, or "" when it returned. */
function errorOf(call: () => unknown): string {
	const [ok, err] = pcall(call);
	return ok ? "" : tostring(err);
}

function contains(text: string, part: string): boolean {
	return text.find(part, 1, true)[0] !== undefined;
}

export = () => {
	describe("EasyStoreCreate options object", () => {
		it("takes version, patch, migrators, patchers and the remote-change processor from one table", () => {
			const universe = universeWith();
			universe.dataStores.write(STORE, "1", { Version: 1, VersionPatch: 0, Coins: 7 });
			universe.dataStores.write(STORE, "3", { Version: 2, VersionPatch: 0, Coins: 1, Diamonds: 1000, Gifts: 0 });
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const builder = lib.MigratorBuilderCreate();
			builder.AddMigratorFrom(1, data => {
				data.Diamonds = 3;
				data.Gifts = 0;
				return 1;
			});
			builder.AddPatcherFor(2, (data, patch) => {
				if (patch === 0) data.Diamonds = math.max((data.Diamonds as number) - 1000, 0);
				return 1;
			});
			const [migrators, patchers] = builder.Build();
			const store = lib.EasyStoreCreate(
				server.game.GetService("DataStoreService").GetDataStore(STORE),
				() => ({ Coins: 0, Diamonds: 0, Gifts: 0 }),
				{
					SaveDataVersion: 2,
					SaveDataVersionPatch: 1,
					Migrators: migrators,
					Patchers: patchers,
					ProcessRemoteChange: (data, change) => {
						if (change.K !== "gift") return false;
						(data as unknown as Data).Gifts += 1;
						return true;
					},
				},
			);
			const migrated = store.StartSession("1", [1]);
			const fresh = store.StartSession("2", [2]);
			const patched = store.StartSession("3", [3]);
			expect(Kit.waitUntil(() => migrated.IsLoaded && fresh.IsLoaded && patched.IsLoaded, 10)).to.equal(true);
			const old = migrated.GetSaveData() as unknown as Data;
			expect(old.Coins).to.equal(7);
			expect(old.Version).to.equal(2);
			expect(old.Diamonds).to.equal(3);
			expect(old.VersionPatch).to.equal(1);
			expect(old.Gifts).to.equal(0);
			const created = fresh.GetSaveData() as unknown as Data;
			expect(created.Version).to.equal(2);
			expect(created.VersionPatch).to.equal(1);
			const repaired = patched.GetSaveData() as unknown as Data;
			expect(repaired.Diamonds).to.equal(0);
			expect(repaired.VersionPatch).to.equal(1);
			store.SendRemoteChanges("1", [{ K: "gift" }]);
			expect(Kit.waitUntil(() => (migrated.GetSaveData() as unknown as Data).Gifts === 1, 30)).to.equal(true);
			universe.destroy();
		});

		it("DataStoreTestData in the table runs sessions on an in-memory copy", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const store = lib.EasyStoreCreate(
				server.game.GetService("DataStoreService").GetDataStore(STORE),
				() => ({ Coins: 0 }),
				{ DataStoreTestData: { Version: 1, VersionPatch: 0, Coins: 55 } },
			);
			const profile = store.StartSession("9", [9]);
			expect(Kit.waitUntil(() => profile.IsLoaded, 10)).to.equal(true);
			expect((profile.GetSaveData() as unknown as { Coins: number }).Coins).to.equal(55);
			profile.MarkForceSave();
			expect(profile.YieldUntilChangesSaved()).to.equal(true);
			expect(universe.dataStores.read(STORE, "9")).to.equal(undefined);
			universe.destroy();
		});

		it("the v13 positional form still takes its settings as the last argument", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const store = lib.EasyStoreCreate(
				server.game.GetService("DataStoreService").GetDataStore(STORE),
				() => ({ Coins: 0 }),
				4,
				2,
				undefined,
				undefined,
				undefined,
				undefined,
				{ Config: { VerifyAwaitedSaves: true } },
			);
			expect(store.LockerSpec.SaveDataVersion).to.equal(4);
			expect(store.LockerSpec.VerifyAwaitedSaves).to.equal(true);
			const profile = store.StartSession("3", [3]);
			expect(Kit.waitUntil(() => profile.IsLoaded, 10)).to.equal(true);
			expect((profile.GetSaveData() as unknown as Data).VersionPatch).to.equal(2);
			universe.destroy();
		});

		it("errors clearly on a bad third argument, an unknown or mistyped option, or a mix of both forms", () => {
			const universe = universeWith();
			const server = universe.startServer();
			const lib = server.require<Lib>(LIB);
			const dss = server.game.GetService("DataStoreService");
			const create = lib.EasyStoreCreate as unknown as (...args: Array<unknown>) => unknown;
			const make = () => ({ Coins: 0 });
			const cases: Array<[string, Array<unknown>, string]> = [
				["a string third argument", [dss.GetDataStore("E1"), make, "2"], "must be an options table"],
				["a misspelt option", [dss.GetDataStore("E2"), make, { Migrator: {} }], 'unknown option "Migrator"'],
				["a mistyped option", [dss.GetDataStore("E3"), make, { SaveDataVersion: "2" }], "must be a number"],
				["a number then a bad patch", [dss.GetDataStore("E4"), make, 2, "0"], "must be a number or nil"],
				["a table then more arguments", [dss.GetDataStore("E5"), make, {}, 0], "takes no further arguments"],
				[
					"positional settings setting a positional field",
					[dss.GetDataStore("E6"), make, 1, 0, undefined, undefined, undefined, undefined, { Migrators: {} }],
					'unknown option "Migrators"',
				],
			];
			for (const [label, args, expected] of cases) {
				const message = errorOf(() => create(...args));
				expect(`${label}: ${message}`).to.equal(
					`${label}: ${contains(message, expected) ? message : expected}`,
				);
				expect(contains(message, "[SessionLocker] EasyStoreCreate")).to.equal(true);
			}
			// None of the rejected calls registered a store: a valid call on the same DataStore makes a new one.
			const store = lib.EasyStoreCreate(dss.GetDataStore("E2"), make, {});
			expect(
				server
					.outputOf("warn")
					.filter(line => contains(line, "already has an EasyStore"))
					.size(),
			).to.equal(0);
			expect(store.LockerSpec.SaveDataVersion).to.equal(1);
			universe.destroy();
		});
	});
};
