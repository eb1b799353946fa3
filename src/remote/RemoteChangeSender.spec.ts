/// <reference types="@rbxts/testez/globals" />
import { fullKeySenderWorld, senderWorld } from "../../test/helpers/world";
import type { LockerError } from "../errors";

function hasKind(errors: Array<LockerError>, kind: string): boolean {
	for (const e of errors) if (e.Kind === kind) return true;
	return false;
}

export = () => {
	describe("RemoteChangeSender (on an in-memory backend)", () => {
		it("a key that does not exist, without CreateIfMissing: the send fails and is reported, nothing is created", () => {
			const { store, sender, errors, run } = senderWorld(false);
			let callback: boolean | undefined;
			const send = sender.Send("k", [{ K: "give_gold" }], sent => (callback = sent));
			run(4);
			expect(send.Status).to.equal("failed");
			expect(callback).to.equal(false);
			expect(send.Error!.Kind).to.equal("remote_change_invalid");
			expect(hasKind(errors, "remote_change_invalid")).to.equal(true);
			const [value] = store.Read("k");
			expect(value).to.equal(undefined);
			expect(sender.IsSending()).to.equal(false);
		});

		it("a full key is an error that keeps the changes queued; they are stored once there is room", () => {
			const { store, sender, errors, run } = fullKeySenderWorld();
			const send = sender.Send("k", [{ K: "give_gold", IK: "mine" }]);
			run(4);
			expect(hasKind(errors, "remote_change_key_full")).to.equal(true);
			expect(send.Status).to.equal("queued");
			expect(sender.IsSending()).to.equal(true);
			// The holder consumes the stored changes.
			store.Write("k", { Version: 1, VersionPatch: 0, Gold: 0 });
			run(40);
			expect(send.Status).to.equal("sent");
			const [value] = store.Read("k");
			const list = (value as { RemoteChanges: Array<{ IK: string }> }).RemoteChanges;
			expect(list.size()).to.equal(1);
			expect(list[0].IK).to.equal("mine");
		});

		it("an ambiguous failure (committed, then an error) is retried without a second copy", () => {
			const { store, sender, errors, run } = senderWorld(true);
			store.FailNext(
				"502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
				1,
				"commit-then-error",
			);
			const send = sender.Send("k", [{ K: "give_gold", IK: "once" }]);
			run(20);
			expect(send.Status).to.equal("sent");
			expect(hasKind(errors, "request_failed")).to.equal(true);
			const [value] = store.Read("k");
			expect((value as { RemoteChanges: Array<unknown> }).RemoteChanges.size()).to.equal(1);
		});

		it("a fatal request error fails the send instead of retrying forever", () => {
			const { store, sender, errors, run } = senderWorld(true);
			store.FailNext("105: Serialized value exceeds 4MB limit.", 1, "error");
			const send = sender.Send("k", [{ K: "give_gold" }]);
			run(6);
			expect(send.Status).to.equal("failed");
			expect(hasKind(errors, "request_fatal")).to.equal(true);
			expect(sender.IsSending()).to.equal(false);
		});
	});
};
