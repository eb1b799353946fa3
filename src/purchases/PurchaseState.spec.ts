import { RequestGateway } from "../gateway/RequestGateway";
import { AnyLocker, PurchaseState } from "./PurchaseState";

function purchaseOn(gateway: RequestGateway): PurchaseState {
	const locker = { gateway } as unknown as AnyLocker;
	return new PurchaseState(locker, () => false, {} as never, {});
}

export = () => {
	describe("PurchaseState.retryDelay", () => {
		it("backs off through the gateway's one retry policy: longer after each failure, capped", () => {
			const ppp = purchaseOn(new RequestGateway({ Random: new Random(1), Clock: () => 0 }));
			const delays = new Array<number>();
			for (let i = 0; i < 6; i++) delays.push(ppp.retryDelay());
			expect(ppp.Failures).to.equal(6);
			// Base 2 s with ±20% jitter, doubling, capped at six times the base.
			expect(delays[0] >= 1.6 && delays[0] <= 2.4).to.equal(true);
			expect(delays[2] >= 6.4 && delays[2] <= 9.6).to.equal(true);
			for (const delay of delays) expect(delay <= 12 * 1.2).to.equal(true);
		});

		it("retries within the closing window once the server is closing, instead of backing off past it", () => {
			let now = 0;
			const gateway = new RequestGateway({ Random: new Random(2), Clock: () => now });
			const ppp = purchaseOn(gateway);
			for (let i = 0; i < 3; i++) ppp.retryDelay();
			now = 100;
			gateway.BeginClosing(now + 27);
			const delay = ppp.retryDelay();
			// The fourth failure would wait about 12 s normally; closing, it waits a few seconds at most.
			expect(delay <= 5).to.equal(true);
			expect(delay >= 0).to.equal(true);
		});
	});
};
