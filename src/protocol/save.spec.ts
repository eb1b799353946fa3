/// <reference types="@rbxts/testez/globals" />
import { RawSaveData, StoredSession } from "./format";
import { saveResultCreate, saveTransform, SaveContext } from "./save";

const ours: StoredSession = { PlaceId: 1, JobId: "job-a", LockId: 42, UpdatedAt: 100 };

function ctx(overrides?: Partial<SaveContext>): SaveContext {
	return {
		Session: ours,
		Version: 2,
		Release: false,
		Snapshot: { Version: 2, VersionPatch: 0, Gold: 50, Session: { ...ours } },
		ProcessedRemoteIds: new Set<number>(),
		UpdatedAtLabel: 500,
		...overrides,
	};
}

function stored(session?: Partial<StoredSession>, extra?: RawSaveData): RawSaveData {
	const value: RawSaveData = { Version: 2, VersionPatch: 0, Gold: 10, Session: { ...ours, ...session } };
	if (extra) for (const [k, v] of pairs(extra)) value[k] = v;
	return value;
}

export = () => {
	describe("saveTransform", () => {
		it("writes the snapshot with a refreshed lock and no HolderWriteTime", () => {
			const out = saveResultCreate();
			const written = saveTransform(stored({ HolderWriteTime: 5 }), ctx(), out) as RawSaveData;
			expect(out.Status).to.equal("saved");
			expect(written.Gold).to.equal(50);
			const session = written.Session as StoredSession;
			expect(session.LockId).to.equal(42);
			expect(session.UpdatedAt).to.equal(500);
			expect(session.HolderWriteTime).to.equal(undefined);
		});
		it("releases by writing Session = nil", () => {
			const out = saveResultCreate();
			const written = saveTransform(stored(), ctx({ Release: true }), out) as RawSaveData;
			expect(out.Status).to.equal("saved");
			expect(out.Release).to.equal(true);
			expect(written.Session).to.equal(undefined);
		});
		it("is fenced out when the lock is not ours any more", () => {
			const cases: Array<[unknown, string]> = [
				[undefined, "missing"],
				["text", "not_table"],
				[{ Version: 2, VersionPatch: 0 }, "no_session"],
				[stored({ LockId: 43 }), "foreign_session"],
				[stored({ JobId: "job-b" }), "foreign_session"],
				[stored({ PlaceId: 2 }), "foreign_session"],
				[{ ...stored(), Version: 3 }, "version_changed"],
			];
			for (const [value, reason] of cases) {
				const out = saveResultCreate();
				expect(saveTransform(value, ctx(), out)).to.equal(undefined);
				expect(out.Status).to.equal("lost");
				expect(out.LostReason).to.equal(reason);
			}
		});
		it("writes the stored remote changes minus the processed ones, keeping new arrivals", () => {
			const out = saveResultCreate();
			const value = stored(undefined, {
				RemoteChanges: [
					{ K: "gold", I: 1, A: 0 },
					{ K: "gold", I: 2, A: 0 },
				],
			});
			const written = saveTransform(value, ctx({ ProcessedRemoteIds: new Set([1]) }), out) as RawSaveData;
			const list = written.RemoteChanges as Array<{ I: number }>;
			expect(list.size()).to.equal(1);
			expect(list[0].I).to.equal(2);
			const out2 = saveResultCreate();
			const written2 = saveTransform(
				stored(undefined, { RemoteChanges: [{ K: "gold", I: 1, A: 0 }] }),
				ctx({ ProcessedRemoteIds: new Set([1]) }),
				out2,
			) as RawSaveData;
			expect(written2.RemoteChanges).to.equal(undefined);
		});
		it("resets its result record on every invocation", () => {
			const out = saveResultCreate();
			saveTransform(undefined, ctx(), out);
			expect(out.Status).to.equal("lost");
			saveTransform(stored(), ctx(), out);
			expect(out.Status).to.equal("saved");
			expect(out.LostReason).to.equal(undefined);
		});
	});
};
