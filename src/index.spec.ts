/// <reference types="@rbxts/testez/globals" />
import { hello } from "./index";
export = () => {
	it("doubles", () => {
		expect(hello(2)).to.equal(4);
	});
};
