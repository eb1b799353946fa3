/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";
import {
	FakeDataStore,
	LockerError,
	LockerSpec,
	RemoteChangeSenderCreate,
	RequestGatewayCreate,
	SaveData,
} from "../../../src";

interface Data extends SaveData {
	Gold: number;
}

function fullKeyWorld() {
	const clock = { now: 10 };
	const store = new FakeDataStore({ Clock: () => clock.now * 1000 });
	const errors = new Array<LockerError>();
	const spec: LockerSpec<Data> = {
		DataStore: store,
		Gateway: RequestGatewayCreate({ Clock: () => clock.now, PlaceId: 1, JobId: "S", Random: new Random(2) }),
		SaveDataVersion: 1,
		SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
	};
	const sender = RemoteChangeSenderCreate(spec, true, undefined, undefined, {
		Nudge: false,
		MaxStored: 2,
		Clock: () => clock.now,
		ReportDataStoreError: (_rcs, _key, _op, _message, err) => errors.push(err),
	});
	store.Write("k", {
		Version: 1,
		VersionPatch: 0,
		Gold: 0,
		RemoteChanges: [
			{ K: "a", I: 1, IK: "a" },
			{ K: "b", I: 2, IK: "b" },
		],
	});
	const run = (seconds: number) => {
		for (let i = 0; i < seconds * 4; i++) {
			sender.Update();
			Kit.flush();
			clock.now += 0.25;
		}
	};
	const count = (kind: string) => errors.filter(e => e.Kind === kind).size();
	return { store, sender, run, count };
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
