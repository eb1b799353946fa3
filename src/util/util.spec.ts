/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../test/kit";
import { Defaults, QueryConfig } from "../config";
import { callUser } from "./callUser";
import { deepFreeze } from "./deepFreeze";
import { LogErrorVariations, LogPrefixCreate } from "./log";
import { replacePlain } from "./replacePlain";
import { TableDeepCopy } from "./TableDeepCopy";
import { TableRestoreBackup } from "./TableRestoreBackup";

export = () => {
	describe("TableDeepCopy", () => {
		it("copies nested tables and shares nothing", () => {
			const source = { a: { b: { c: 1 } }, list: [1, 2, 3], s: "x" };
			const copy = TableDeepCopy(source);
			expect(copy).never.to.equal(source);
			expect(copy.a.b).never.to.equal(source.a.b);
			expect(copy.a.b.c).to.equal(1);
			expect(copy.list[2]).to.equal(3);
			copy.a.b.c = 2;
			expect(source.a.b.c).to.equal(1);
			expect(TableDeepCopy(5)).to.equal(5);
		});

		it("copies buffers, so a backup does not change with the data it backs up", () => {
			const source = { blob: buffer.fromstring("abc") };
			const copy = TableDeepCopy(source);
			expect(copy.blob === source.blob).to.equal(false);
			buffer.writeu8(source.blob, 0, 120);
			expect(buffer.tostring(copy.blob)).to.equal("abc");
		});
	});
	describe("TableRestoreBackup", () => {
		it("overwrites in place, removing keys the backup lacks", () => {
			const target: Record<string, unknown> = { a: 1, gone: true };
			const backup: Record<string, unknown> = { a: 2, b: 3 };
			TableRestoreBackup(target, backup);
			expect(target.a).to.equal(2);
			expect(target.b).to.equal(3);
			expect(target.gone).to.equal(undefined);
		});
	});
	describe("QueryConfig and Defaults", () => {
		it("prefers the override and reads defaults at use time", () => {
			expect(QueryConfig(5, 10)).to.equal(5);
			expect(QueryConfig(undefined, 10)).to.equal(10);
			expect(QueryConfig(false, true)).to.equal(false);
			expect(Defaults.MaintainSessionPeriod).to.equal(300);
			expect(Defaults.SessionExpiry).to.equal(1800);
			expect(Defaults.SessionRetryCooldown).to.equal(10);
			expect(Defaults.PurchaseHistoryLimit).to.equal(100);
			expect(Defaults.VerboseLogs).to.equal(false);
			expect(Defaults.ReadOnlyDataStores).to.equal(false);
			const saved = Defaults.SessionExpiry;
			Defaults.SessionExpiry = 60;
			expect(QueryConfig(undefined, Defaults.SessionExpiry)).to.equal(60);
			Defaults.SessionExpiry = saved;
		});
	});
	describe("logging helpers", () => {
		it("LogPrefixCreate names the ids", () => {
			expect(LogPrefixCreate(false, 5)).to.equal("[SessionLocker]:[5]");
			expect(LogPrefixCreate(false, 5, "Player_5")).to.equal("[SessionLocker]:[5 / Player_5]");
		});
		it("LogErrorVariations warns four variants", () => {
			const host = Kit.host();
			host.clearOutput();
			LogErrorVariations("Thing", "line one\nline two");
			const warnings = host.outputOf("warn");
			expect(warnings.size()).to.equal(4);
			expect(warnings[0]).to.equal("Thing");
			expect(warnings[1]).to.equal("Thing: line one");
		});
		it("replacePlain treats pattern characters literally (B10)", () => {
			expect(replacePlain("key a-b%1 and a-b%1", "a-b%1", "{k}")).to.equal("key {k} and {k}");
		});
	});
	describe("callUser", () => {
		it("catches errors, and in strict mode yields", () => {
			const failed = callUser(false, () => error("bad"));
			expect(failed.Ok).to.equal(false);
			const ok = callUser(true, (x: number) => x + 1, 1);
			expect(ok.Value).to.equal(2);
			const yielded = callUser(true, () => task.wait());
			expect(yielded.Yielded).to.equal(true);
		});
		it("deepFreeze makes nested tables read-only", () => {
			const t = deepFreeze({ a: { b: 1 } });
			expect(pcall(() => ((t.a as { b: number }).b = 2))[0]).to.equal(false);
		});
	});
};
