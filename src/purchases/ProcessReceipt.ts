import type { LockerState } from "../locker/LockerState";
import type { SaveData } from "../protocol/format";
import type { ProductPurchaser } from "./ProductPurchaser";
import type { PendingProductPurchase, ProductProcessFunction, ReceiptInfo } from "./types";

export interface ProcessReceiptOptions<T extends SaveData = SaveData> {
	/** The buyer's LockerState, or undefined while there is none (not joined yet, or left). */
	GetLockerState: (PlayerId: number) => LockerState<T> | undefined;
	ProcessFunction: ProductProcessFunction<T>;
	/** Passed to the process function. Default `{}`. */
	UserData?: object;
	/** Seconds to wait for `GetLockerState` to return a locker. Default 10. */
	LockerWaitTimeout?: number;
	/**
	 * Seconds to wait for the purchase to be applied (the buyer's data loaded here) before answering
	 * NotProcessedYet. Default 60. Once applied, the handler waits for the save however long it takes: the effect
	 * is in the save data and will be saved.
	 */
	ApplyTimeout?: number;
	/** Monotonic clock in seconds. Default os.clock. */
	Clock?: () => number;
	/** Yields one step. Default task.wait(). */
	Wait?: () => void;
}

export interface ProcessReceiptBindOptions<T extends SaveData = SaveData> extends ProcessReceiptOptions<T> {
	/** The MarketplaceService to set ProcessReceipt on. Default the game's. */
	MarketplaceService?: MarketplaceService;
	/** Register a BindToClose callback that waits for purchases in progress. Default true. */
	BindToClose?: boolean;
	/** Seconds the BindToClose callback waits at most. Default 25 (Roblox stops the server at 30). */
	DrainTimeout?: number;
	/** Call `purchaser.Update()` on RunService.Heartbeat. Default false (you call it in your own loop). */
	ConnectHeartbeat?: boolean;
}

/**
 * Builds a ProcessReceipt handler for the common case: find the buyer's locker, run the purchase through the
 * purchaser, answer PurchaseGranted only after it was applied and saved. It answers NotProcessedYet when the
 * buyer has no locker within `LockerWaitTimeout` or their data does not load here within `ApplyTimeout` (for
 * example because another server holds it); Roblox then delivers the receipt again later. **Yields.**
 *
 * @example
 * MarketplaceService.ProcessReceipt = ProcessReceiptCreate(purchaser, {
 * 	GetLockerState: (userId) => lockers.get(userId),
 * 	ProcessFunction: grantProduct,
 * });
 */
export function ProcessReceiptCreate<T extends SaveData>(
	Purchaser: ProductPurchaser,
	Options: ProcessReceiptOptions<T>,
): (receipt: ReceiptInfo) => Enum.ProductPurchaseDecision {
	const clock = Options.Clock ?? os.clock;
	const yieldStep = Options.Wait ?? (() => task.wait());
	const lockerWait = Options.LockerWaitTimeout ?? 10;
	const applyTimeout = Options.ApplyTimeout ?? 60;
	return receipt => {
		const start = clock();
		let ls = Options.GetLockerState(receipt.PlayerId);
		while (ls === undefined && clock() - start < lockerWait) {
			yieldStep();
			ls = Options.GetLockerState(receipt.PlayerId);
		}
		if (ls === undefined) return Enum.ProductPurchaseDecision.NotProcessedYet;
		let result: boolean | undefined;
		const ppp = Purchaser.CallWhenProductIsProcessedAndSaved(
			ls,
			Options.ProcessFunction,
			receipt,
			granted => (result = granted),
			Options.UserData,
		);
		while (result === undefined) {
			if (
				!ppp.Applied &&
				clock() - start >= applyTimeout &&
				Purchaser.Abandon(ppp as unknown as PendingProductPurchase)
			) {
				return Enum.ProductPurchaseDecision.NotProcessedYet;
			}
			yieldStep();
		}
		return result ? Enum.ProductPurchaseDecision.PurchaseGranted : Enum.ProductPurchaseDecision.NotProcessedYet;
	};
}

/**
 * Sets `MarketplaceService.ProcessReceipt` to a `ProcessReceiptCreate` handler and, by default, registers a
 * BindToClose callback that waits (up to `DrainTimeout`) until no purchase is in progress.
 * **ProcessReceipt has a single handler per server: this replaces any other.**
 *
 * @example
 * ProcessReceiptBind(purchaser, {
 * 	GetLockerState: (userId) => lockers.get(userId),
 * 	ProcessFunction: grantProduct,
 * 	ConnectHeartbeat: true,
 * });
 */
export function ProcessReceiptBind<T extends SaveData>(
	Purchaser: ProductPurchaser,
	Options: ProcessReceiptBindOptions<T>,
): void {
	const handler = ProcessReceiptCreate(Purchaser, Options);
	const marketplace = Options.MarketplaceService ?? game.GetService("MarketplaceService");
	// Our ReceiptInfo names only the fields we use; the engine passes the full table.
	marketplace.ProcessReceipt = handler as never;
	if (Options.ConnectHeartbeat === true) {
		game.GetService("RunService").Heartbeat.Connect(() => Purchaser.Update());
	}
	if (Options.BindToClose !== false) {
		const clock = Options.Clock ?? os.clock;
		const yieldStep = Options.Wait ?? (() => task.wait());
		const drain = Options.DrainTimeout ?? 25;
		game.BindToClose(() => {
			const deadline = clock() + drain;
			while (Purchaser.HasIncompletePurchases() && clock() < deadline) yieldStep();
		});
	}
}
