/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../../test/kit";
import { formatSummary, runDemo } from "./DemoScenario";

export = () => {
	describe("example game demo (short)", () => {
		it("3 servers, purchases, gifts, a hop and a crash: every purchase granted once, data lost 0", () => {
			const summary = runDemo({
				GameModule: "ServerScriptService.Game.ExampleGame",
				PlayersPerServer: 2,
				PlayTime: 30,
				Log: () => {},
			});
			const text = formatSummary(summary).join("\n");
			expect(summary.Players).to.equal(6);
			expect(summary.PurchasesMade).to.equal(3);
			expect(summary.PurchasesGranted).to.equal(3);
			expect(summary.GiftsConfirmed).to.equal(summary.GiftsSent);
			expect(summary.Duplicated).to.equal(0);
			expect(summary.DataLost).to.equal(0);
			// Everyone's first session, the hop, and the crashed server's players coming back once its heartbeat expired.
			expect(summary.Sessions >= 6 + 1 + 2).to.equal(true);
			expect((summary.Requests.get("UpdateAsync") ?? 0) > 0).to.equal(true);
			expect(summary.HopSeconds > 0 && summary.HopSeconds < 15).to.equal(true);
			// Lock protocol v2: seconds, not the 30 minutes of SessionExpiry.
			expect(summary.TakeoverSeconds > 0 && summary.TakeoverSeconds <= 30).to.equal(true);
			expect(text.find("data lost: 0", 1, true)[0]).to.be.ok();
			// The timeline picture of the same run: three lanes, the crash, and the locks the dead server left.
			const svg = Kit.timelineSvg();
			expect(svg.find(">server 3<", 1, true)[0]).to.be.ok();
			expect(svg.find(">CRASH<", 1, true)[0]).to.be.ok();
			expect(svg.find("lock left by a dead server", 1, true)[0]).to.be.ok();
			expect(svg.find("purchase of product 1001, granted", 1, true)[0]).to.be.ok();
		});
	});
};
