/// <reference types="@rbxts/testez/globals" />
import { RawSaveData, StoredSession } from "./format";
import { appendRemoteChanges, markForeignWrite, readRemoteChanges, remoteChangesForWrite } from "./remoteChanges";

export = () => {
	describe("markForeignWrite", () => {
		it("records the holder's last write time once, and only on locked keys", () => {
			const value: RawSaveData = { Version: 1, Session: { PlaceId: 1, JobId: "a", LockId: 1, UpdatedAt: 0 } };
			markForeignWrite(value, { UpdatedTime: 1000 });
			expect((value.Session as StoredSession).HolderWriteTime).to.equal(1000);
			markForeignWrite(value, { UpdatedTime: 2000 });
			expect((value.Session as StoredSession).HolderWriteTime).to.equal(1000);
			const unlocked: RawSaveData = { Version: 1 };
			markForeignWrite(unlocked, { UpdatedTime: 1000 });
			expect(unlocked.Session).to.equal(undefined);
		});
	});
	describe("appendRemoteChanges", () => {
		it("gives ids unique among the key's changes and stamps A", () => {
			const value: RawSaveData = { RemoteChanges: [{ K: "x", I: 1, A: 0 }] };
			const ids = [1, 1, 2, 3];
			let n = 0;
			const added = appendRemoteChanges(value, [{ K: "gold" }, { K: "gold" }], () => ids[n++], 77);
			expect(added[0]).to.equal(2);
			expect(added[1]).to.equal(3);
			const list = readRemoteChanges(value);
			expect(list.size()).to.equal(3);
			expect(list[1].A).to.equal(77);
		});
	});
	describe("remoteChangesForWrite", () => {
		it("drops processed ids and returns undefined when empty", () => {
			const value = { RemoteChanges: [{ K: "a", I: 1 }, { K: "b", I: 2 }, "junk"] };
			expect(remoteChangesForWrite(value, new Set([1, 2]))).to.equal(undefined);
			expect(remoteChangesForWrite(value, new Set([1]))!.size()).to.equal(1);
		});
	});
};
