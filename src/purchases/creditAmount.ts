import { LockerErrorCreate } from "../errors";

function isPositiveWhole(value: unknown): boolean {
	// NaN fails `value >= 1`, infinities fail `value % 1 === 0` (inf % 1 is NaN).
	return typeIs(value, "number") && value >= 1 && value % 1 === 0;
}

function isWhole(value: unknown): boolean {
	return typeIs(value, "number") && value % 1 === 0;
}

/**
 * Raises `invalid_credit_amount` unless `productId` is a whole number and `amount` a positive whole number. Checked
 * before anything changes: a negative amount would mint credit through `ProductCreditUse`, and NaN or infinity would
 * be saved into the key.
 *
 * @example
 * checkCreditArguments("ProductCreditGive", productId, amount, 3);
 */
export function checkCreditArguments(operation: string, productId: unknown, amount: unknown, level: number): void {
	let detail: string | undefined;
	if (!isWhole(productId)) detail = `product id ${tostring(productId)}`;
	else if (!isPositiveWhole(amount)) detail = `amount ${tostring(amount)}`;
	if (detail === undefined) return;
	error(LockerErrorCreate("invalid_credit_amount", operation, { detail }).Message, level + 1);
}
