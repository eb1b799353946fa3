/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";

type Ticker = typeof import("./fixtures/Ticker");
const TICKER = "ReplicatedStorage.Specs.specs.runtime.fixtures.Ticker";

// Fixtures in fixtures/scripts, each recording its name in its server's _G.scriptsRun:
// ServerContext (RunContext Server), LegacyInReplicatedStorage (Legacy), ClientContext (RunContext Client) and
// DisabledServer (RunContext Server, Disabled) all live in ReplicatedStorage.
function scriptsRun(server: ReturnType<ReturnType<typeof Kit.createUniverse>["startServer"]>): Array<string> {
	return (server.require<Ticker>(TICKER).getGlobal("scriptsRun") as Array<string> | undefined) ?? [];
}

export = () => {
	describe("a kit server runs the place's Scripts (create.roblox.com/docs/scripting/locations)", () => {
		it("every server started by the kit runs each server Script once, when it starts", () => {
			const universe = Kit.createUniverse();
			const a = universe.startServer();
			const b = universe.startServer();
			expect(scriptsRun(a).join(",")).to.equal("ServerContext");
			expect(scriptsRun(b).join(",")).to.equal("ServerContext");
			Kit.advance(1);
			expect(scriptsRun(a).size()).to.equal(1);
			universe.destroy();
		});

		it("RunContext decides: Legacy runs only in Workspace/ServerScriptService, Client never, Disabled never", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const ran = scriptsRun(server);
			expect(ran.includes("LegacyInReplicatedStorage")).to.equal(false);
			expect(ran.includes("ClientContext")).to.equal(false);
			expect(ran.includes("DisabledServer")).to.equal(false);
			const fixture = server.game.GetService("ReplicatedStorage").FindFirstChild("ServerContext", true) as
				Script | undefined;
			expect(fixture !== undefined && fixture.RunContext === Enum.RunContext.Server).to.equal(true);
			universe.destroy();
		});

		it("the test runner script is not run on kit servers: only the host runs specs", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			Kit.advance(1);
			const report = server.output().filter(line => line.message.find("Test results", 1, true)[0] !== undefined);
			expect(report.size()).to.equal(0);
			expect(server.game.GetService("ServerScriptService").FindFirstChild("RunTests")).to.be.ok();
			universe.destroy();
		});

		it("startServer({ runScripts: false }) starts a server that runs none of them", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer({ runScripts: false });
			expect(scriptsRun(server).size()).to.equal(0);
			universe.destroy();
		});
	});
};
