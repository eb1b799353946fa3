/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../test/kit";
import {
	classifyRequestError,
	ErrorMessages,
	formatErrorMessage,
	GetRequestErrorKind,
	LockerErrorCreate,
} from "./errors";
import { FakeDataStore } from "./gateway/FakeDataStore";
import { LockerCreate } from "./locker/LockerCreate";

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

	// ---- registry closed: begin ----------------------------------------------------------------------------------
	// Every LockerErrorKind, with the spec module that raises it ("src/…" or "test/…", without ".ts"). A kind added
	// to src/errors.ts without a line here, or a line naming a spec module that does not exist, fails the check below.
	const RAISED_BY: { [kind: string]: string } = {
		request_failed: "src/locker/LockerState.errors.spec",
		request_fatal: "src/locker/LockerState.errors.spec",
		value_too_large: "src/locker/LockerState.errors.spec",
		value_not_serializable: "src/locker/LockerState.errors.spec",
		invalid_key: "src/errors.spec",
		invalid_save_data: "src/locker/LockerState.errors.spec",
		invalid_stored_data: "src/locker/LockerState.errors.spec",
		invalid_version: "src/locker/LockerState.errors.spec",
		invalid_credit_amount: "test/specs/purchases/credit-amounts.spec",
		migration_failed: "src/locker/LockerState.errors.spec",
		callback_failed: "src/locker/LockerState.errors.spec",
		callback_yielded: "src/locker/LockerState.errors.spec",
		transform_failed: "src/locker/LockerState.errors.spec",
		lock_lost: "src/locker/multiserver.spec",
		write_unconfirmed: "src/locker/multiserver.spec",
		job_crashed: "src/locker/LockerState.errors.spec",
		not_idle: "src/locker/LockerState.errors.spec",
		used_after_delete: "src/locker/LockerState.errors.spec",
		unknown_request_error: "src/errors.spec",
		purchase_invalid_receipt: "src/purchases/ProductPurchaser.spec",
		process_function_failed: "src/purchases/ProductPurchaser.spec",
		gift_recipient_unavailable: "src/purchases/ProductPurchaser.spec",
		gift_recipient_not_validated: "src/purchases/ProductPurchaser.spec",
		purchase_save_not_found: "test/specs/purchases/purchases.spec",
		remote_change_invalid: "src/remote/RemoteChangeSender.spec",
		remote_change_queue_full: "test/specs/remote/remote.spec",
		remote_change_key_full: "src/remote/RemoteChangeSender.spec",
		remote_change_sender_destroyed: "test/specs/remote/remote.spec",
		remote_change_shutdown: "test/specs/edges/shutdown.spec",
	};

	// The compiled spec module of a "src/…" or "test/…" path in the test place, or undefined.
	function specModule(path: string): Instance | undefined {
		const parts = path.split("/");
		const root = parts.shift() === "src" ? "SessionLocker" : "Specs";
		let current: Instance | undefined = game.GetService("ReplicatedStorage").FindFirstChild(root);
		for (const part of parts) current = current?.FindFirstChild(part);
		return current;
	}

	describe("error registry, closed", () => {
		it("every error kind has a spec that raises it, and every listed kind is in the registry", () => {
			const missing = new Array<string>();
			for (const [kind] of pairs(ErrorMessages)) {
				const path = RAISED_BY[kind];
				if (path === undefined) missing.push(`${kind}: no spec listed`);
				else if (specModule(path) === undefined) missing.push(`${kind}: ${path} not found`);
			}
			for (const [kind] of pairs(RAISED_BY)) {
				if (ErrorMessages[kind as keyof typeof ErrorMessages] === undefined)
					missing.push(`${kind}: not a kind`);
			}
			missing.sort();
			expect(missing.join("; ")).to.equal("");
		});

		it("invalid_key: LockerCreate refuses an empty key and one over 50 bytes", () => {
			const spec = {
				DataStore: new FakeDataStore(),
				SaveDataVersion: 1,
				SaveDataCreator: () => ({ Version: 1, VersionPatch: 0 }),
			};
			const expected = formatErrorMessage("invalid_key", { key: "", detail: "" }).split(" ")[0];
			for (const key of ["", string.rep("k", 51)]) {
				const [ok, err] = pcall(() => LockerCreate(spec, key));
				expect(ok).to.equal(false);
				expect(tostring(err).find(expected, 1, true)[0]).to.be.ok();
				expect(tostring(err).find("is invalid", 1, true)[0]).to.be.ok();
			}
			expect(pcall(() => LockerCreate(spec, string.rep("k", 50)))[0]).to.equal(true);
		});

		it("unknown_request_error: an unrecognised DataStore error is reported with its text and treated as misc", () => {
			const host = Kit.host();
			const before = host.outputOf("warn").size();
			expect(GetRequestErrorKind("ConnectFail: socket closed")).to.equal("misc");
			const warnings = host.outputOf("warn");
			expect(warnings.size()).to.equal(before + 1);
			const last = warnings[warnings.size() - 1];
			expect(last.find("Unknown DataStore error", 1, true)[0]).to.be.ok();
			expect(last.find("ConnectFail: socket closed", 1, true)[0]).to.be.ok();
		});
	});
	// ---- registry closed: end ------------------------------------------------------------------------------------
};
