/// <reference types="@rbxts/testez/globals" />
import { acquireResultCreate, acquireTransform, AcquireContext } from "./acquire";
import { RawSaveData, StoredSession } from "./format";

const EXPIRY = 1800;
const NOW = 1_780_000_000; // backend seconds

function lock(overrides?: Partial<StoredSession>): StoredSession {
	return { PlaceId: 1, JobId: "job-a", LockId: 42, UpdatedAt: 0, ...overrides };
}

function context(overrides?: Partial<AcquireContext>): AcquireContext {
	return {
		NewSession: lock({ JobId: "job-b", LockId: 7 }),
		Version: 1,
		Expiry: EXPIRY,
		BackendNow: NOW,
		CreateSaveData: () => ({ Version: 1, VersionPatch: 0, Gold: 5 }),
		...overrides,
	};
}

function info(updatedSeconds: number) {
	return { UpdatedTime: updatedSeconds * 1000 };
}

export = () => {
	describe("acquireTransform on a missing key", () => {
		it("creates the data and writes our lock in the same value", () => {
			const out = acquireResultCreate();
			const written = acquireTransform(undefined, undefined, context(), out);
			expect(out.Status).to.equal("loaded");
			expect(out.Created).to.equal(true);
			expect(written).to.be.ok();
			const v = written as RawSaveData;
			expect(v.Gold).to.equal(5);
			expect((v.Session as StoredSession).LockId).to.equal(7);
			expect((v.Session as StoredSession).JobId).to.equal("job-b");
			expect(typeIs(v.Purchases, "table")).to.equal(true);
			expect(typeIs(v.ProductCredit, "table")).to.equal(true);
		});
		it("defaults a missing Version to SaveDataVersion, not 1 (B9)", () => {
			const out = acquireResultCreate();
			const written = acquireTransform(
				undefined,
				undefined,
				context({ Version: 3, CreateSaveData: () => ({ Gold: 1 }) }),
				out,
			) as RawSaveData;
			expect(written.Version).to.equal(3);
			expect(written.VersionPatch).to.equal(0);
		});
		it("refuses a creator that returns a non-table or throws, writing nothing", () => {
			const out = acquireResultCreate();
			expect(acquireTransform(undefined, undefined, context({ CreateSaveData: () => 5 }), out)).to.equal(
				undefined,
			);
			expect(out.Status).to.equal("invalid_save_data");
			expect(
				acquireTransform(
					undefined,
					undefined,
					context({
						CreateSaveData: () => {
							error("boom");
						},
					}),
					out,
				),
			).to.equal(undefined);
			expect(out.Status).to.equal("invalid_save_data");
		});
	});

	describe("acquireTransform on stored data", () => {
		it("reports a value that is not a table as invalid_data and never overwrites it", () => {
			for (const stored of ["legacy string", 12, true] as Array<unknown>) {
				const out = acquireResultCreate();
				expect(acquireTransform(stored, info(NOW - 5000), context(), out)).to.equal(undefined);
				expect(out.Status).to.equal("invalid_data");
			}
		});
		it("takes an unlocked key, keeping the user's fields", () => {
			const out = acquireResultCreate();
			const stored = { Version: 1, VersionPatch: 2, Gold: 9 };
			const written = acquireTransform(stored, info(NOW - 10), context(), out) as RawSaveData;
			expect(out.Status).to.equal("loaded");
			expect(written.Gold).to.equal(9);
			expect(written.VersionPatch).to.equal(2);
			expect((written.Session as StoredSession).LockId).to.equal(7);
		});
		it("leaves a live lock alone and writes nothing", () => {
			const out = acquireResultCreate();
			const stored = { Version: 1, VersionPatch: 0, Session: lock() };
			expect(acquireTransform(stored, info(NOW - EXPIRY), context(), out)).to.equal(undefined);
			expect(out.Status).to.equal("locked");
		});
		it("takes a lock whose holder has not written for longer than the expiry", () => {
			const out = acquireResultCreate();
			const stored = { Version: 1, VersionPatch: 0, Session: lock() };
			const written = acquireTransform(stored, info(NOW - EXPIRY - 1), context(), out) as RawSaveData;
			expect(out.Status).to.equal("loaded");
			expect((written.Session as StoredSession).LockId).to.equal(7);
		});
		it("judges age by the DataStore clock, ignoring the os.time label UpdatedAt", () => {
			const out = acquireResultCreate();
			// A holder with a clock 10 minutes behind wrote a far-past label; the backend says it wrote just now.
			const stored = { Version: 1, VersionPatch: 0, Session: lock({ UpdatedAt: NOW - 99999 }) };
			expect(acquireTransform(stored, info(NOW - 1), context(), out)).to.equal(undefined);
			expect(out.Status).to.equal("locked");
		});
		it("uses HolderWriteTime instead of UpdatedTime after a foreign write", () => {
			const out = acquireResultCreate();
			const stored = {
				Version: 1,
				VersionPatch: 0,
				Session: lock({ HolderWriteTime: (NOW - EXPIRY - 60) * 1000 }),
			};
			// The key was written a second ago, but by a non-holder: the holder is dead.
			const written = acquireTransform(stored, info(NOW - 1), context(), out) as RawSaveData;
			expect(out.Status).to.equal("loaded");
			expect((written.Session as StoredSession).HolderWriteTime).to.equal(undefined);
		});
		it("asks for a clock estimate instead of guessing when it has none", () => {
			const out = acquireResultCreate();
			const stored = { Version: 1, VersionPatch: 0, Session: lock() };
			// A spread cannot set a field to nil in Luau, so build the context without an estimate by hand.
			const noClock: AcquireContext = {
				NewSession: lock({ JobId: "job-b", LockId: 7 }),
				Version: 1,
				Expiry: EXPIRY,
				BackendNow: undefined,
				CreateSaveData: () => ({ Version: 1, VersionPatch: 0 }),
			};
			expect(acquireTransform(stored, info(NOW - 99999), noClock, out)).to.equal(undefined);
			expect(out.Status).to.equal("need_clock");
		});
		it("recognises its own lock from an earlier ambiguous write and takes it", () => {
			const out = acquireResultCreate();
			const ctx = context();
			const stored = { Version: 1, VersionPatch: 0, Session: { ...ctx.NewSession } };
			expect(acquireTransform(stored, info(NOW), ctx, out)).to.be.ok();
			expect(out.Status).to.equal("loaded");
		});
		it("resets its result record on every invocation", () => {
			const out = acquireResultCreate();
			acquireTransform({ Version: 1, VersionPatch: 0, Session: lock() }, info(NOW), context(), out);
			expect(out.Status).to.equal("locked");
			acquireTransform({ Version: 1, VersionPatch: 0 }, info(NOW), context(), out);
			expect(out.Status).to.equal("loaded");
			expect(out.Detail).to.equal("");
			acquireTransform("x", info(NOW), context(), out);
			expect(out.Status).to.equal("invalid_data");
			expect(out.Value).to.equal(undefined);
		});
	});

	describe("acquireTransform with migrations", () => {
		const migrators = {
			1: (d: RawSaveData) => {
				d.Diamonds = 0;
				return 0;
			},
			2: (d: RawSaveData) => {
				d.Gems = (d.Diamonds as number) + 1;
				return 4;
			},
		};
		it("migrates inside the transform and writes the migrated data with the lock", () => {
			const out = acquireResultCreate();
			const written = acquireTransform(
				{ Version: 1, VersionPatch: 0, Gold: 1 },
				info(NOW),
				context({ Version: 3, Migrators: migrators }),
				out,
			) as RawSaveData;
			expect(out.Status).to.equal("loaded");
			expect(out.Migrated).to.equal(true);
			expect(written.Version).to.equal(3);
			expect(written.VersionPatch).to.equal(4);
			expect(written.Gems).to.equal(1);
			expect(written.Session).to.be.ok();
		});
		it("runs the patcher of the stored version once", () => {
			let calls = 0;
			const out = acquireResultCreate();
			const written = acquireTransform(
				{ Version: 2, VersionPatch: 0, Gold: 1001 },
				info(NOW),
				context({
					Version: 2,
					Patchers: {
						2: (d: RawSaveData, patch: number) => {
							calls += 1;
							if (patch === 0) d.Gold = (d.Gold as number) - 1000;
							return 1;
						},
					},
				}),
				out,
			) as RawSaveData;
			expect(calls).to.equal(1);
			expect(written.Gold).to.equal(1);
			expect(written.VersionPatch).to.equal(1);
		});
		it("refuses a future version with invalid_version and the minimum server version, writing nothing", () => {
			const out = acquireResultCreate();
			expect(acquireTransform({ Version: 5, VersionPatch: 0 }, info(NOW), context({ Version: 3 }), out)).to.equal(
				undefined,
			);
			expect(out.Status).to.equal("invalid_version");
			expect(out.MinimumServerVersion).to.equal(5);
		});
		it("refuses legacy data without Version when there is no migrator from 0", () => {
			const out = acquireResultCreate();
			expect(acquireTransform({ Coins: 3 }, info(NOW), context(), out)).to.equal(undefined);
			expect(out.Status).to.equal("invalid_version");
			expect(out.MinimumServerVersion).to.equal(0);
		});
		it("reports a throwing migrator and writes nothing", () => {
			const out = acquireResultCreate();
			const stored = { Version: 1, VersionPatch: 0, Gold: 1 };
			const written = acquireTransform(
				stored,
				info(NOW),
				context({
					Version: 2,
					Migrators: {
						1: () => {
							error("migrator bug");
						},
					},
				}),
				out,
			);
			expect(written).to.equal(undefined);
			expect(out.Status).to.equal("migration_failed");
			expect(out.Detail.find("migrator bug", 1, true)[0]).to.be.ok();
		});
		it("refuses a non-number Version", () => {
			const out = acquireResultCreate();
			expect(acquireTransform({ Version: "2" }, info(NOW), context(), out)).to.equal(undefined);
			expect(out.Status).to.equal("invalid_version");
		});
	});

	describe("acquireTransform with TakeDeadHolder (lock protocol v2)", () => {
		const dead = lock({ Heartbeat: 1 });
		function value(session: StoredSession): RawSaveData {
			return { Version: 1, VersionPatch: 0, Gold: 9, Session: session };
		}
		it("takes exactly the lock judged dead before its expiry, keeping the data and our marker", () => {
			const out = acquireResultCreate();
			const ctx = context({
				TakeDeadHolder: dead,
				NewSession: lock({ JobId: "job-b", LockId: 7, Heartbeat: 1 }),
			});
			const written = acquireTransform(value(lock({ Heartbeat: 1 })), info(NOW), ctx, out) as RawSaveData;
			expect(out.Status).to.equal("loaded");
			expect(out.TookDeadHolder).to.equal(true);
			expect(written.Gold).to.equal(9);
			expect((written.Session as StoredSession).LockId).to.equal(7);
			expect((written.Session as StoredSession).Heartbeat).to.equal(1);
		});
		it("does not take another lock of the same server, a lock without the marker, or one of another place", () => {
			for (const stored of [
				lock({ Heartbeat: 1, LockId: 43 }),
				lock({}),
				lock({ Heartbeat: 1, PlaceId: 2 }),
				lock({ Heartbeat: 1, JobId: "job-c" }),
			]) {
				const out = acquireResultCreate();
				expect(acquireTransform(value(stored), info(NOW), context({ TakeDeadHolder: dead }), out)).to.equal(
					undefined,
				);
				expect(out.Status).to.equal("locked");
				expect(out.TookDeadHolder).to.equal(false);
				expect(out.Holder).to.equal(stored);
			}
		});
		it("reports the lock it found, with its marker, when locked", () => {
			const out = acquireResultCreate();
			const stored = lock({ Heartbeat: 1 });
			acquireTransform(value(stored), info(NOW), context(), out);
			expect(out.Status).to.equal("locked");
			expect(out.Holder!.Heartbeat).to.equal(1);
			expect(out.Holder!.LockId).to.equal(42);
		});
	});
};
