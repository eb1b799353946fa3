/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";

// A Rojo project may name any service at the top of the DataModel (the create-roblox-ts game template names
// HttpService and SoundService); the runner's template fixture covers that path, this spec GetService itself.
export = () => {
	describe("services by name (create.roblox.com/docs/reference/engine/classes/ServiceProvider#GetService)", () => {
		it("GetService creates any Roblox service once, named after its class and parented to the DataModel", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const dataModel = server.game as unknown as {
				GetService(name: string): Instance;
				FindService(name: string): Instance | undefined;
			};
			for (const name of ["HttpService", "SoundService", "AnalyticsService", "TextChatService", "BadgeService"]) {
				expect(dataModel.FindService(name) === undefined || name === "HttpService").to.equal(true);
				const service = dataModel.GetService(name);
				expect(service.ClassName).to.equal(name);
				expect(service.Name).to.equal(name);
				expect(service.Parent).to.equal(server.game);
				expect(dataModel.GetService(name)).to.equal(service);
				expect(dataModel.FindService(name)).to.equal(service);
			}
			universe.destroy();
		});

		it("GetService refuses a class that is not a service, and Instance.new cannot create a service", () => {
			const universe = Kit.createUniverse();
			const server = universe.startServer();
			const dataModel = server.game as unknown as { GetService(name: string): Instance };
			for (const name of ["Folder", "Part", "DataModel", "NoSuchService"]) {
				const [ok, err] = pcall(() => dataModel.GetService(name));
				expect(ok).to.equal(false);
				expect(tostring(err).find(`'${name}' is not a valid Service name`, 1, true)[0] !== undefined).to.equal(
					true,
				);
			}
			const [created] = pcall(() => new Instance("HttpService" as "Folder"));
			expect(created).to.equal(false);
			universe.destroy();
		});
	});
};
