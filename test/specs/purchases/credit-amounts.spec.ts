/// <reference types="@rbxts/testez/globals" />
import { FakeDataStore, LockerCreate, LockerSpec, LockerState, RequestGatewayCreate, SaveData } from "../../../src";

interface Data extends SaveData {
	Gold: number;
}

function loadedLocker(): LockerState<Data> {
	const spec: LockerSpec<Data> = {
		DataStore: new FakeDataStore(),
		Gateway: RequestGatewayCreate({ Clock: () => 0, PlaceId: 1, JobId: "A" }),
		SaveDataVersion: 1,
		SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
		ReportDataStoreError: () => {},
	};
	const ls = LockerCreate(spec, "k");
	ls.MarkShouldAcquire();
	for (let i = 0; i < 3; i++) ls.SessionUpdate(i);
	assert(ls.LoadStatus === "loaded");
	return ls;
}

const BAD_AMOUNTS: Array<number> = [-5, 0, 0.5, 0 / 0, math.huge, -math.huge];

export = () => {
	describe("product credit amounts", () => {
		it("ProductCreditGive with a negative, zero, fractional, NaN or infinite amount errors and changes nothing", () => {
			const ls = loadedLocker();
			ls.ProductCreditGive(9, 2);
			const pending = ls.ChangeId_Pending;
			for (const amount of BAD_AMOUNTS) {
				const [ok, err] = pcall(() => ls.ProductCreditGive(9, amount));
				expect(ok).to.equal(false);
				expect(tostring(err).find("positive whole number", 1, true)[0]).to.be.ok();
				expect(ls.ProductCreditQuery(9)).to.equal(2);
			}
			expect(ls.ChangeId_Pending).to.equal(pending);
		});

		it("ProductCreditUse with a negative, zero, fractional, NaN or infinite amount errors and changes nothing", () => {
			const ls = loadedLocker();
			ls.ProductCreditGive(9, 2);
			const pending = ls.ChangeId_Pending;
			for (const amount of BAD_AMOUNTS) {
				const [ok, err] = pcall(() => ls.ProductCreditUse(9, amount));
				expect(ok).to.equal(false);
				expect(tostring(err).find("positive whole number", 1, true)[0]).to.be.ok();
				expect(ls.ProductCreditQuery(9)).to.equal(2);
			}
			expect(ls.ChangeId_Pending).to.equal(pending);
			// A product id that is not a number is refused the same way.
			expect(pcall(() => ls.ProductCreditGive(0 / 0, 1))[0]).to.equal(false);
			expect(ls.ProductCreditUse(9, 2)).to.equal(true);
			expect(ls.ProductCreditQuery(9)).to.equal(0);
		});
	});
};
