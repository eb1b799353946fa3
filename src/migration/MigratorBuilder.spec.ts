/// <reference types="@rbxts/testez/globals" />
import { RawSaveData } from "../protocol/format";
import { MigratorBuilderCreate } from "./MigratorBuilder";

export = () => {
	describe("MigratorBuilder", () => {
		it("builds the tables and registers the optional patcher for the next version", () => {
			const builder = MigratorBuilderCreate();
			builder.AddMigratorFrom(
				1,
				(d: RawSaveData) => {
					d.Diamonds = 0;
					return 0;
				},
				() => 1,
			);
			const [migrators, patchers] = builder.Build();
			expect(migrators[1]).to.be.ok();
			expect(patchers[2]).to.be.ok();
		});
		it("errors on duplicates", () => {
			const builder = MigratorBuilderCreate().AddMigratorFrom(1, () => 0);
			expect(pcall(() => builder.AddMigratorFrom(1, () => 0))[0]).to.equal(false);
			builder.AddPatcherFor(1, () => 0);
			expect(pcall(() => builder.AddPatcherFor(1, () => 0))[0]).to.equal(false);
		});
		it("CheckVersion tests Migrators[current], not current+1 (B8)", () => {
			const builder = MigratorBuilderCreate()
				.AddMigratorFrom(1, () => 0)
				.AddMigratorFrom(2, () => 0);
			// Version 3 is right: migrators from 1 and 2 exist, none from 3.
			expect(pcall(() => builder.CheckVersion(3))[0]).to.equal(true);
			// Version 2 is behind its own migrators (there is one from 2); v13 only looked for one from 3.
			expect(pcall(() => builder.CheckVersion(2))[0]).to.equal(false);
			// Version 4 lacks the migrator from 3.
			expect(pcall(() => builder.CheckVersion(4))[0]).to.equal(false);
			expect(pcall(() => builder.CheckVersion(0))[0]).to.equal(false);
			expect(pcall(() => builder.CheckVersion(2.5))[0]).to.equal(false);
			expect(pcall(() => MigratorBuilderCreate().CheckVersion(1))[0]).to.equal(true);
		});
		it("fills holes with no-op migrators and returns copies", () => {
			const builder = MigratorBuilderCreate().AddMigratorFrom(3, () => 5);
			const [migrators] = builder.Build();
			expect(migrators[1]!({})).to.equal(0);
			expect(migrators[2]!({})).to.equal(0);
			expect(migrators[3]!({})).to.equal(5);
			migrators[3] = undefined;
			const [again] = builder.Build();
			expect(again[3]).to.be.ok();
		});
	});
};
