import { DataStoreService } from "@rbxts/services";

/** What the gateway reads request budgets from; `DataStoreService` satisfies it. */
export interface BudgetSource {
	GetRequestBudgetForRequestType(requestType: Enum.DataStoreRequestType): number;
}

/**
 * @internal
 * The request types the library's requests spend. UpdateAsync is the one it sends; its budget is the smaller of
 * the read and write budgets it draws on. The 2026 budget model names those StandardRead and StandardWrite, so
 * both are read too (an engine that does not know a type is skipped).
 */
const SPENT_TYPES = ["UpdateAsync", "StandardRead", "StandardWrite"];

/**
 * @internal
 * Reads how many requests of the types the library sends this server could make now (`math.huge` when nothing can
 * be read, for example in Studio without API access: then nothing is held back).
 */
export class RequestBudget {
	/** @internal */ readonly source: BudgetSource | undefined;
	/** @internal */ readonly types = new Array<Enum.DataStoreRequestType>();

	constructor(source: BudgetSource | undefined) {
		this.source = source;
		const items = Enum.DataStoreRequestType.GetEnumItems();
		for (const name of SPENT_TYPES) {
			const item = items.find(candidate => candidate.Name === name);
			if (item !== undefined) this.types.push(item);
		}
	}

	/** The smallest budget over the request types the library spends. Never yields. */
	Available(): number {
		const source = this.source;
		if (source === undefined) return math.huge;
		let least = math.huge;
		for (const requestType of this.types) {
			const [ok, value] = pcall(() => source.GetRequestBudgetForRequestType(requestType));
			if (ok && typeIs(value, "number") && value < least) least = value;
		}
		return least;
	}
}

/** @internal the default budget source: this server's DataStoreService, or none where it cannot be had. */
export function defaultBudgetSource(): BudgetSource | undefined {
	const [ok, service] = pcall(() => DataStoreService);
	return ok ? (service as BudgetSource) : undefined;
}
