/// <reference types="@rbxts/testez/globals" />
import type { RawSaveData, StoredSession } from "../protocol/format";
import {
	isRemoteChangeApplied,
	QueuedRemoteChange,
	recordRemoteChangeApplied,
	SendContext,
	sendResultCreate,
	sendTransform,
} from "./protocol";
import { RemoteChangeProcessorCreate } from "./RemoteChangeReceiver";

function context(changes: Array<QueuedRemoteChange>, extra?: Partial<SendContext>): SendContext {
	let id = 0;
	const ctx: SendContext = {
		Changes: changes,
		CheckOnly: false,
		CreateIfMissing: false,
		CreateSaveData: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
		Version: 1,
		NextId: () => {
			id += 1;
			return id;
		},
		TimeLabel: 123,
		StoredLimit: 10,
	};
	if (extra) for (const [k, v] of pairs(extra)) (ctx as unknown as Record<string, unknown>)[k] = v;
	return ctx;
}

const keyInfo = { UpdatedTime: 5000, GetUserIds: () => [42] };

function change(ik: string, amount = 1): QueuedRemoteChange {
	return { K: "give_gold", IK: ik, Amount: amount } as unknown as QueuedRemoteChange;
}

export = () => {
	describe("remote change protocol", () => {
		it("adds only changes whose idempotency key the key does not know, preserving the lock and its age", () => {
			const session: StoredSession = { PlaceId: 1, JobId: "A", LockId: 9, UpdatedAt: 1 };
			const current: RawSaveData = {
				Version: 1,
				Session: session,
				RemoteChanges: [{ K: "give_gold", I: 77, A: 1, IK: "pending" }],
				RemoteChangesApplied: [["done", 100]],
			};
			const out = sendResultCreate();
			const written = sendTransform(
				current,
				keyInfo,
				context([change("pending"), change("done"), change("new"), change("new")]),
				out,
			)!;
			expect(out.Status).to.equal("written");
			expect(out.Missing.size()).to.equal(1);
			expect(out.Missing[0]).to.equal("new");
			expect(out.UserIds[0]).to.equal(42);
			const list = written.RemoteChanges as Array<{ IK: string; I: number; A: number }>;
			expect(list.size()).to.equal(2);
			expect(list[1].IK).to.equal("new");
			expect(list[1].I !== 77).to.equal(true);
			expect(list[1].A).to.equal(123);
			const lock = written.Session as StoredSession;
			expect(lock.LockId).to.equal(9);
			expect(lock.HolderWriteTime).to.equal(5000);
		});

		it("writes nothing when every change is already known, and in check-only mode", () => {
			const current: RawSaveData = { Version: 1, RemoteChangesApplied: [["a", 1]] };
			const out = sendResultCreate();
			expect(sendTransform(current, keyInfo, context([change("a")]), out)).to.equal(undefined);
			expect(out.Status).to.equal("nothing_new");
			expect(sendTransform(current, keyInfo, context([change("b")], { CheckOnly: true }), out)).to.equal(
				undefined,
			);
			expect(out.Status).to.equal("nothing_new");
			expect(out.Missing[0]).to.equal("b");
		});

		it("a missing key: refused without CreateIfMissing, created without a lock with it (B5)", () => {
			const out = sendResultCreate();
			expect(sendTransform(undefined, undefined, context([change("a")]), out)).to.equal(undefined);
			expect(out.Status).to.equal("missing");
			const written = sendTransform(
				undefined,
				undefined,
				context([change("a")], { CreateIfMissing: true }),
				out,
			)!;
			expect(out.Status).to.equal("written");
			expect(written.Session).to.equal(undefined);
			expect((written.RemoteChanges as Array<unknown>).size()).to.equal(1);
			expect(out.UserIds.size()).to.equal(0);
		});

		it("refuses to overfill a key and to touch a value that is not save data", () => {
			const out = sendResultCreate();
			const current: RawSaveData = { Version: 1, RemoteChanges: [{ K: "x", I: 1, IK: "x" }] };
			expect(
				sendTransform(current, keyInfo, context([change("a"), change("b")], { StoredLimit: 2 }), out),
			).to.equal(undefined);
			expect(out.Status).to.equal("full");
			expect(out.StoredCount).to.equal(1);
			expect(sendTransform("legacy", keyInfo, context([change("a")]), out)).to.equal(undefined);
			expect(out.Status).to.equal("invalid");
		});

		it("the applied ledger forgets entries by age first, then by count", () => {
			const data: RawSaveData = {};
			recordRemoteChangeApplied(data, "old", 0, 10, 100);
			recordRemoteChangeApplied(data, "a", 150, 10, 100);
			expect(isRemoteChangeApplied(data, "old")).to.equal(false);
			expect(isRemoteChangeApplied(data, "a")).to.equal(true);
			recordRemoteChangeApplied(data, "b", 151, 2, 100);
			recordRemoteChangeApplied(data, "c", 152, 2, 100);
			expect(isRemoteChangeApplied(data, "a")).to.equal(false);
			expect(isRemoteChangeApplied(data, "c")).to.equal(true);
		});

		it("the processor applies a change once per idempotency key and keeps unknown kinds", () => {
			let applied = 0;
			const process = RemoteChangeProcessorCreate<{ Version: number; VersionPatch: number; Gold: number }>({
				give_gold: (data, c) => {
					data.Gold += c.Amount as number;
					applied += 1;
					return true;
				},
			});
			const data = { Version: 1, VersionPatch: 0, Gold: 0 };
			expect(process(data, change("x", 5))).to.equal(true);
			expect(process(data, change("x", 5))).to.equal(true);
			expect(data.Gold).to.equal(5);
			expect(applied).to.equal(1);
			expect(process(data, { K: "give_gold_v2", IK: "y" } as never)).to.equal(false);
			const declining = RemoteChangeProcessorCreate(() => false);
			expect(declining(data, change("z"))).to.equal(false);
			expect(isRemoteChangeApplied(data as unknown as RawSaveData, "z")).to.equal(false);
		});
	});
};
