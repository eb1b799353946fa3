/// <reference types="@rbxts/testez/globals" />
import { hello } from "../../src";
import Signal from "@rbxts/signal";
export = () => {
	it("doubles", () => {
		const s = new Signal();
		expect(hello(3)).to.equal(6);
	});
};
