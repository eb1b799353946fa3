/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../kit";

export = () => {
	describe("Instance tree", () => {
		it("keeps a stable identity usable as a table key, and typeof reports Instance", () => {
			const replicatedStorage = game.GetService("ReplicatedStorage");
			const keyed = new Map<Instance, number>();
			keyed.set(replicatedStorage, 1);
			expect(keyed.get(game.GetService("ReplicatedStorage"))).to.equal(1);
			expect(typeOf(replicatedStorage)).to.equal("Instance");
			expect(typeOf(Enum.CloseReason.Unknown)).to.equal("EnumItem");
		});

		it("type() of Instances, EnumItems, DateTime, connections and other engine objects is userdata; typeof keeps Roblox names (creator-docs RobloxGlobals typeof)", () => {
			const folder = new Instance("Folder");
			const connection = folder.ChildAdded.Connect(() => {});
			const values: Array<[unknown, string]> = [
				[folder, "Instance"],
				[game, "Instance"],
				[Enum.CloseReason.ServerEmpty, "EnumItem"],
				[Enum.CloseReason, "Enum"],
				[Enum, "Enums"],
				[DateTime.now(), "DateTime"],
				[connection, "RBXScriptConnection"],
				[folder.ChildAdded, "RBXScriptSignal"],
				[new Random(1), "Random"],
			];
			for (const [value, name] of values) {
				expect(type(value)).to.equal("userdata");
				expect(typeOf(value)).to.equal(name);
			}
			// DataStoreKeyInfo is an Instance too.
			const universe = Kit.createUniverse();
			const store = universe.startServer().game.GetService("DataStoreService").GetDataStore("TypeCheck");
			store.SetAsync("k", 1);
			const [, keyInfo] = store.GetAsync<number>("k");
			expect(type(keyInfo)).to.equal("userdata");
			expect(typeOf(keyInfo)).to.equal("Instance");
			universe.destroy();
			expect(type({})).to.equal("table");
			expect(type("x")).to.equal("string");
			connection.Disconnect();
		});

		it("Destroy disconnects at once, but handlers of events fired before it still run under Deferred, Destroying included (creator-docs Deferred events, Instance.Destroying)", () => {
			const folder = new Instance("Folder");
			const log = new Array<string>();
			const connection = folder.ChildAdded.Connect(child =>
				log.push(`added ${child.Name} parent=${folder.Parent}`),
			);
			folder.Destroying.Connect(() => log.push(`destroying parent=${folder.Parent}`));
			folder.Parent = game.GetService("ReplicatedStorage");
			const child = new Instance("Folder");
			child.Name = "Kid";
			child.Parent = folder;
			folder.Destroy();
			expect(connection.Connected).to.equal(false);
			// Both events fired before Destroy; their handlers run at the next resumption point, after it.
			Kit.flush();
			expect(log.join(",")).to.equal("added Kid parent=nil,destroying parent=nil");
			// Nothing fires after Destroy.
			new Instance("Folder").Parent = folder;
			Kit.flush();
			expect(log.size()).to.equal(2);
		});

		it("Disconnect, unlike Destroy, drops invocations still queued (creator-docs Deferred events)", () => {
			const folder = new Instance("Folder");
			let calls = 0;
			const connection = folder.ChildAdded.Connect(() => (calls += 1));
			new Instance("Folder").Parent = folder;
			connection.Disconnect();
			Kit.flush();
			expect(calls).to.equal(0);
		});

		it("supports Name, Parent, ClassName, FindFirstChild (recursive), GetChildren, GetDescendants, IsA", () => {
			const root = new Instance("Folder");
			root.Name = "Root";
			const child = new Instance("Folder");
			child.Name = "Child";
			child.Parent = root;
			const leaf = new Instance("ModuleScript");
			leaf.Name = "Leaf";
			leaf.Parent = child;
			expect(root.FindFirstChild("Leaf")).to.equal(undefined);
			expect(root.FindFirstChild("Leaf", true)).to.equal(leaf);
			expect(root.GetChildren().size()).to.equal(1);
			expect(root.GetDescendants().size()).to.equal(2);
			expect(leaf.IsA("LuaSourceContainer")).to.equal(true);
			expect(leaf.IsA("Folder")).to.equal(false);
			expect(leaf.FindFirstAncestor("Root")).to.equal(root);
			expect(leaf.FindFirstAncestorOfClass("Folder")).to.equal(child);
			expect(leaf.FindFirstAncestorWhichIsA("Instance")).to.equal(child);
			root.Parent = game.GetService("ReplicatedStorage");
			expect(leaf.GetFullName()).to.equal("ReplicatedStorage.Root.Child.Leaf");
			root.Destroy();
			expect(leaf.Parent).to.equal(undefined);
			expect(() => {
				root.Parent = game.GetService("ReplicatedStorage");
			}).to.throw("locked");
		});

		it("fires ChildAdded and ChildRemoved", () => {
			const root = new Instance("Folder");
			const log = new Array<string>();
			root.ChildAdded.Connect(c => log.push(`added ${c.Name}`));
			root.ChildRemoved.Connect(c => log.push(`removed ${c.Name}`));
			const child = new Instance("Folder");
			child.Name = "A";
			child.Parent = root;
			child.Parent = undefined;
			Kit.flush();
			expect(log.join(",")).to.equal("added A,removed A");
		});

		it("errors on unknown members with Roblox's message", () => {
			const folder = new Instance("Folder");
			folder.Name = "Box";
			expect(() => (folder as unknown as { Nope: unknown }).Nope).to.throw(
				"Nope is not a valid member of Folder",
			);
		});

		it("WaitForChild yields until the child appears", () => {
			const root = new Instance("Folder");
			task.delay(2, () => {
				const late = new Instance("Folder");
				late.Name = "Late";
				late.Parent = root;
			});
			const start = Kit.now();
			const found = root.WaitForChild("Late");
			expect(found.Name).to.equal("Late");
			expect(Kit.now() - start >= 2).to.equal(true);
		});

		it("WaitForChild warns about a possible infinite yield after 5 seconds, and honours a timeout", () => {
			const root = new Instance("Folder");
			root.Name = "Waiting";
			root.Parent = game.GetService("ReplicatedStorage");
			task.spawn(() => root.WaitForChild("Never"));
			Kit.advance(6);
			const warnings = Kit.host().outputOf("warn");
			expect(
				warnings.includes(`Infinite yield possible on 'ReplicatedStorage.Waiting:WaitForChild("Never")'`),
			).to.equal(true);
			expect(root.WaitForChild("AlsoNever", 1)).to.equal(undefined);
			root.Destroy();
		});
	});
};
