import type { LockerState } from "./LockerState";
import { callUser } from "../util/callUser";
import { reportCallback, strict } from "./reporting";

/** `LockerState.ProductCreditQuery`: the credit stored for a product (0 when none). */
export function productCreditQuery(ls: LockerState, ProductId: number): number {
	const list = ls.SaveData.ProductCredit;
	if (list === undefined) return 0;
	for (const entry of list) if (entry[0] === ProductId) return entry[1];
	return 0;
}

/** `LockerState.ProductCreditGive`, once its arguments are checked. */
export function productCreditGive(ls: LockerState, ProductId: number, Amount: number, UserData?: unknown): void {
	let list = ls.SaveData.ProductCredit;
	if (list === undefined) {
		list = [];
		ls.SaveData.ProductCredit = list;
	}
	let found = false;
	for (const entry of list) {
		if (entry[0] === ProductId) {
			entry[1] += Amount;
			found = true;
			break;
		}
	}
	if (!found) list.push([ProductId, Amount]);
	ls.MarkShouldSave();
	fireCreditChanged(ls, ProductId, Amount, UserData);
}

/** `LockerState.ProductCreditUse`, once its arguments are checked: false (and nothing fires) with too little credit. */
export function productCreditUse(ls: LockerState, ProductId: number, Amount: number, UserData?: unknown): boolean {
	const list = ls.SaveData.ProductCredit;
	if (list === undefined) return false;
	for (let i = 0; i < list.size(); i++) {
		const entry = list[i];
		if (entry[0] !== ProductId) continue;
		if (entry[1] < Amount) return false;
		entry[1] -= Amount;
		if (entry[1] <= 0) list.remove(i);
		ls.MarkShouldSave();
		fireCreditChanged(ls, ProductId, -Amount, UserData);
		return true;
	}
	return false;
}

/** @internal */
export function fireCreditChanged(ls: LockerState, productId: number, delta: number, userData: unknown): void {
	const callback = ls.LockerSpec.ProductCreditChanged;
	if (callback === undefined) return;
	const outcome = callUser(strict(ls), callback, ls, ls.SaveData, productId, delta, userData);
	if (!outcome.Ok) reportCallback(ls, "ProductCreditChanged", outcome.Yielded, outcome.Error);
}
