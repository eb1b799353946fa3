/// <reference types="@rbxts/testez/globals" />
import { FakeDataStore } from "./FakeDataStore";
import { CLOCK_PROBE_KEY, RequestGatewayCreate } from "./RequestGateway";

export = () => {
	describe("RequestGateway", () => {
		let clock = 50;
		let backendMs = 1_000_000_000;
		const store = new FakeDataStore({ Clock: () => backendMs });
		const gateway = RequestGatewayCreate({ Clock: () => clock, PlaceId: 3, JobId: "J", Random: new Random(1) });

		it("keeps the key's metadata and, without user ids of its own, the key's user ids", () => {
			store.Write("u", { a: 1 }, [5, 6], { M: "x" });
			const result = gateway.Update(store, "u", v => v, undefined, "Test");
			expect(result.Outcome).to.equal("written");
			const [, ids, metadata] = store.Read("u");
			expect(ids![1]).to.equal(6);
			expect((metadata as { M: string }).M).to.equal("x");
			gateway.Update(store, "u", v => v, [9], "Test");
			expect(store.Read("u")[1]![0]).to.equal(9);
			gateway.Update(store, "new-key", () => ({ b: 1 }), undefined, "Test");
			expect(store.Read("new-key")[1]!.size()).to.equal(0);
		});

		it("estimates the backend clock as a lower bound from write responses", () => {
			expect(RequestGatewayCreate({ Clock: () => clock }).BackendNow()).to.equal(undefined);
			gateway.Update(store, "u", v => v, undefined, "Test");
			expect(gateway.BackendNow()).to.equal(backendMs / 1000);
			clock += 10;
			backendMs += 10_000;
			expect(gateway.BackendNow()).to.equal(backendMs / 1000);
			// An older observation never lowers the estimate.
			gateway.ObserveKeyInfo(
				{
					CreatedTime: 0,
					UpdatedTime: 0,
					Version: "",
					GetUserIds(this: unknown) {
						return [];
					},
					GetMetadata(this: unknown) {
						return {};
					},
				},
				clock,
			);
			expect(gateway.BackendNow()).to.equal(backendMs / 1000);
		});

		it("probes the clock with one write to the reserved key", () => {
			const fresh = RequestGatewayCreate({ Clock: () => clock });
			fresh.ProbeClock(store);
			expect(fresh.BackendNow()).to.equal(backendMs / 1000);
			expect(store.Read(CLOCK_PROBE_KEY)[0]).to.be.ok();
			expect(fresh.RequestCountByOperation.get("UpdateAsync_ClockProbe")).to.equal(1);
		});

		it("catches a throwing transform and reports it as such, writing nothing", () => {
			const before = store.Read("u")[0];
			const result = gateway.Update(store, "u", () => error("inside"), [1], "Test");
			expect(result.Outcome).to.equal("transform_threw");
			expect(result.ErrorMessage.find("inside", 1, true)[0]).to.be.ok();
			expect((store.Read("u")[0] as { a: number }).a).to.equal((before as { a: number }).a);
		});

		it("refuses oversized values inside the transform, reporting the size", () => {
			const small = RequestGatewayCreate({ Clock: () => clock, SizeLimit: 20 });
			const result = small.Update(store, "u", () => ({ text: string.rep("y", 30) }), [1], "Test");
			expect(result.Outcome).to.equal("too_large");
			expect(result.Size > 30).to.equal(true);
			expect((store.Read("u")[0] as { text?: string }).text).to.equal(undefined);
		});

		it("classifies request errors and counts requests", () => {
			store.FailNext("502: API Services rejected request with error. HTTP 429 (Too Many Requests)");
			const count = gateway.RequestCount;
			const result = gateway.Update(store, "u", v => v, [1], "Test");
			expect(result.Outcome).to.equal("request_error");
			expect(result.Class!.Retry).to.equal("retry");
			expect(result.Class!.Kind).to.equal("backend");
			expect(gateway.RequestCount).to.equal(count + 1);
		});

		it("backs off exponentially with bounded jitter", () => {
			for (let i = 0; i < 50; i++) {
				const first = gateway.RetryDelay(10, 1);
				expect(first >= 8 && first <= 12).to.equal(true);
				const third = gateway.RetryDelay(10, 3);
				expect(third >= 32 && third <= 48).to.equal(true);
				const capped = gateway.RetryDelay(10, 20);
				expect(capped <= 72).to.equal(true);
			}
		});
	});
};
