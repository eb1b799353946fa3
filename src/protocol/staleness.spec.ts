/// <reference types="@rbxts/testez/globals" />
import { holderWriteTimeMs, isSessionStale } from "./staleness";

export = () => {
	describe("isSessionStale", () => {
		it("is strict: exactly the expiry is still live", () => {
			expect(isSessionStale(1000 * 1000, 1000 + 1800, 1800)).to.equal(false);
			expect(isSessionStale(1000 * 1000, 1000 + 1800.5, 1800)).to.equal(true);
		});
		it("property: with a lower-bound estimate it never steals a live lock", () => {
			const rng = new Random(7);
			for (let i = 0; i < 500; i++) {
				const write = rng.NextInteger(1_700_000_000, 1_800_000_000);
				const age = rng.NextNumber(0, 4000);
				const trueNow = write + age;
				const estimate = trueNow - rng.NextNumber(0, 30); // the estimate errs early
				const stale = isSessionStale(write * 1000, estimate, 1800);
				if (age <= 1800) expect(stale).to.equal(false);
				if (stale) expect(age > 1800).to.equal(true);
			}
		});
		it("property: a dead lock becomes stale once the estimate passes the expiry", () => {
			const rng = new Random(8);
			for (let i = 0; i < 200; i++) {
				const write = rng.NextInteger(1_700_000_000, 1_800_000_000);
				const lag = rng.NextNumber(0, 30);
				expect(isSessionStale(write * 1000, write + 1800 + lag + 0.001, 1800)).to.equal(true);
			}
		});
	});
	describe("holderWriteTimeMs", () => {
		it("prefers HolderWriteTime over the key's UpdatedTime", () => {
			const s = { PlaceId: 1, JobId: "a", LockId: 1, UpdatedAt: 0 };
			expect(holderWriteTimeMs(s, { UpdatedTime: 5 })).to.equal(5);
			expect(holderWriteTimeMs({ ...s, HolderWriteTime: 3 }, { UpdatedTime: 5 })).to.equal(3);
			expect(holderWriteTimeMs(s, undefined)).to.equal(undefined);
		});
	});
};
