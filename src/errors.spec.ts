/// <reference types="@rbxts/testez/globals" />
import {
	classifyRequestError,
	ErrorMessages,
	formatErrorMessage,
	GetRequestErrorKind,
	LockerErrorCreate,
} from "./errors";

export = () => {
	describe("GetRequestErrorKind", () => {
		it("keeps v13's table of kinds", () => {
			const cases: Array<[string, string]> = [
				["101: Key name can't be empty.", "script"],
				["104: Cannot store Instance in data store.", "script"],
				["304: UpdateAsync request dropped. Request was throttled.", "backend"],
				["403: Cannot write to DataStore from studio if API access is not enabled.", "script"],
				["401: DataModel is being torn down", "misc"],
				["501: Can't parse response", "misc"],
				["502: API Services rejected request with error. HTTP 500 (Internal Server Error)", "backend"],
				["502: API Services rejected request with error. HTTP 403 (Forbidden)", "script"],
				["503: key not found", "misc"],
				["511: Metadata attribute size exceeds 300 limit", "script"],
				["513: bad user id", "script"],
				["something odd", "misc"],
			];
			for (const [message, kind] of cases) expect(GetRequestErrorKind(message)).to.equal(kind);
		});
	});

	describe("classifyRequestError", () => {
		it("marks value, key, metadata and Studio errors fatal and throttles retryable", () => {
			for (const code of [101, 102, 103, 104, 105, 511, 512, 513, 401, 402, 403]) {
				const c = classifyRequestError(`${code}: text`);
				expect(c.Code).to.equal(code);
				expect(c.Retry).to.equal("fatal");
			}
			for (const message of [
				"301: GetAsync request dropped. Request was throttled.",
				"304: UpdateAsync request dropped.",
				"502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
				"502: API Services rejected request with error. HTTP 429 (Too Many Requests)",
				"503: InternalError",
				"ConnectFail",
			]) {
				expect(classifyRequestError(message).Retry).to.equal("retry");
			}
			expect(
				classifyRequestError("502: API Services rejected request with error. HTTP 400 (Bad Request)").Retry,
			).to.equal("fatal");
		});
	});

	describe("message registry", () => {
		it("fills every placeholder it is given and marks missing ones", () => {
			const text = formatErrorMessage("value_too_large", { key: "k1", size: 5000000, limit: 4194304 });
			expect(text.find("5000000", 1, true)[0]).to.be.ok();
			expect(text.find("k1", 1, true)[0]).to.be.ok();
			expect(text.find("{", 1, true)[0]).never.to.be.ok();
			expect(formatErrorMessage("invalid_key", {}).find("?", 1, true)[0]).to.be.ok();
		});
		it("has a template for every kind and LockerErrorCreate uses it", () => {
			let count = 0;
			for (const [kind, template] of pairs(ErrorMessages)) {
				count += 1;
				expect(template.size() > 10).to.equal(true);
				const e = LockerErrorCreate(kind, "Op", {});
				expect(e.Kind).to.equal(kind);
				expect(e.Operation).to.equal("Op");
			}
			expect(count >= 17).to.equal(true);
		});
	});
};
