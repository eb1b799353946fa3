/// <reference types="@rbxts/testez/globals" />
import { fullKeySenderWorld } from "../../helpers/world";

/** A sender on a key that already holds the most changes it may keep (MaxStored 2). */
function fullKeyWorld() {
	const { store, sender, errors, run } = fullKeySenderWorld();
	const count = (kind: string) => errors.filter(e => e.Kind === kind).size();
	return { store, sender, run: (seconds: number) => run(seconds * 4), count };
}

export = () => {
	describe("RemoteChangeSender reports", () => {
		it("remote_change_key_full is reported once per send, not on every retry", () => {
			const { sender, run, count, store } = fullKeyWorld();
			const first = sender.Send("k", [{ K: "give_gold", IK: "one" }]);
			run(60);
			expect(first.Status).to.equal("queued");
			expect(store.RequestCount > 5).to.equal(true);
			expect(count("remote_change_key_full")).to.equal(1);
			// A new send to the same full key is a new problem to report, once.
			sender.Send("k", [{ K: "give_gold", IK: "two" }]);
			run(60);
			expect(count("remote_change_key_full")).to.equal(2);
		});
	});
};
