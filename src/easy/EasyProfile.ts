import type { LifecycleReason, LifecycleStatus, LoadStatus } from "../locker/LockerSpec";
import type { LockerState } from "../locker/LockerState";
import { SavedConnection } from "../locker/SavedConnection";
import type { ProductProcessFunction, ReceiptInfo } from "../purchases/types";
import type { SaveData } from "../protocol/format";
import { easyDriverWake } from "./EasyDriver";
import { easyProfileOnFinished, easyProfileOnLifecycle, easyProfileResumeLoadWaiters } from "./easyProfileEvents";
import type { EasyProfileOwner, EasyProfileWatcher } from "./EasyProfileOwner";
import { EasyProfileSignals } from "./EasyProfileSignals";

// The EasyProfile class: the public API of one session. Next to it:
//   EasyProfileSignals.ts  the ten signals it inherits, created on first use
//   EasyProfileOwner.ts    what a profile is wired to: its store, and the helper that may watch it
//   easyProfileEvents.ts   the locker's events reaching the profile: flags, watcher, signals, load waiters, its end

/**
 * A game's handle on one session: the save data of one DataStore key, held by this server while the profile is
 * active. Made by `EasyStore.StartSession` / `StartSessionReusable`; ended with `EndSession()`.
 *
 * Signals run deferred (the next resumption point of the frame). Within one event the most specific signal fires
 * first: a release fires `Released`, `Reset`, `Replaced`, then `Lifecycle`.
 *
 * @example
 * const profile = store.StartSessionReusable(tostring(player.UserId), [player.UserId]);
 * profile.Lost.Connect(() => player.Kick("Your data was opened on another server."));
 * if (profile.YieldUntilLoaded()) profile.GetSaveData().Coins += 10;
 */
export class EasyProfile<T extends SaveData = SaveData> extends EasyProfileSignals {
	/** True from creation until `EndSession()` (or shutdown) ends it. */
	IsActive = true;
	/** True while the profile's data is the real, locked save data; false before load and after a reset. */
	IsLoaded = false;
	/** The DataStore key. */
	readonly DataStoreKey: string;
	/** The LockerState behind the profile (shared by every profile of a reusable session). */
	readonly ELS: LockerState<T>;

	/** @internal */ readonly owner: EasyProfileOwner;
	// Left unset until needed: every player has a profile, and most never use these.
	/** @internal threads waiting in YieldUntilLoaded */ loadWaiters: Array<thread> | undefined;
	/** @internal Finished was fired */ finished: boolean | undefined;
	/** @internal the helper managing the profile (PlayerProfiles): told of loads, losses and load failures */
	watcher: EasyProfileWatcher | undefined;

	/** @internal EasyStore.StartSession's way in: the constructor is private so that `new EasyProfile()` does not compile. */
	static make<T extends SaveData>(owner: EasyProfileOwner, locker: LockerState<T>): EasyProfile<T> {
		return new EasyProfile<T>(owner, locker);
	}

	/** Use `EasyStore.StartSession`. */
	private constructor(owner: EasyProfileOwner, locker: LockerState<T>) {
		super();
		this.owner = owner;
		this.ELS = locker;
		this.DataStoreKey = locker.DataStoreKey;
		// A new hold on a locker, possibly a new locker: the driver looks at the store on the next frame.
		easyDriverWake(owner);
	}

	/**
	 * The save data: the same table for the profile's whole life, overwritten in place when it is loaded or reset.
	 * **Before `IsLoaded` it holds offline defaults that will be replaced; tables inside it are replaced on load.**
	 *
	 * @example
	 * profile.GetSaveData().Coins += 5;
	 */
	GetSaveData(): T {
		return this.ELS.SaveData;
	}

	/**
	 * The locker's load status: "loaded", or why it is not (yet): "loading", "session_is_locked" (another server,
	 * or this one, still holds the key), "data_store_request_fail", "invalid_version", "invalid_data".
	 *
	 * @example
	 * if (profile.GetLoadStatus() === "invalid_version") player.Kick("Please rejoin to get a newer server.");
	 */
	GetLoadStatus(): LoadStatus {
		return this.ELS.LoadStatus;
	}

	/**
	 * Yields until the data is loaded and returns this profile, or returns undefined once the profile ends first.
	 * Never hangs past `EndSession()` or shutdown. **Yields.**
	 *
	 * @example
	 * const loaded = profile.YieldUntilLoaded();
	 * if (loaded === undefined) return; // ended (player left) before the data arrived
	 */
	YieldUntilLoaded(): EasyProfile<T> | undefined {
		if (!this.IsActive) return undefined;
		if (this.IsLoaded) return this;
		let waiters = this.loadWaiters;
		if (waiters === undefined) {
			waiters = [];
			this.loadWaiters = waiters;
		}
		waiters.push(coroutine.running());
		const [result] = coroutine.yield() as LuaTuple<[EasyProfile<T> | undefined]>;
		return result;
	}

	/**
	 * Calls `Callback(profile)` in a new thread once the data is loaded; never calls it if the profile ends first.
	 *
	 * @example
	 * profile.WhenLoaded((p) => print("coins", p.GetSaveData().Coins));
	 */
	WhenLoaded(Callback: (Profile: EasyProfile<T>) => void): void {
		task.spawn(() => {
			const loaded = this.YieldUntilLoaded();
			if (loaded !== undefined) Callback(loaded);
		});
	}

	/**
	 * Ends the session: the profile becomes inactive at once; the locker saves and releases the key once no other
	 * profile uses it (`Saved`, `Released`, `Reset`, `Replaced`), and then `Finished` fires. Safe to call twice.
	 * **After this, edits to `GetSaveData()` are not saved.**
	 *
	 * @example
	 * Players.PlayerRemoving.Connect((player) => profiles.get(player.UserId)?.EndSession());
	 */
	EndSession(): void {
		if (!this.IsActive) return;
		this.IsActive = false;
		this.owner.endProfile(this as unknown as EasyProfile<never>);
		easyDriverWake(this.owner);
		this.resumeLoadWaiters(undefined);
		this.Destroyed.Fire();
		this.Lifecycle.Fire("destroyed", "none");
	}

	/**
	 * Same as `EndSession()`.
	 *
	 * @example
	 * profile.Destroy();
	 */
	Destroy(): void {
		this.EndSession();
	}

	/**
	 * Records a change that rides along with the next save (autosave every 5 minutes, a forced save, or the release).
	 *
	 * @example
	 * profile.GetSaveData().Coins += 1;
	 * profile.MarkShouldSave();
	 */
	MarkShouldSave(): void {
		if (!this.IsActive) return;
		// After a fatal save error, a new change lifts the block; the locker then wakes the driver itself (onPoke).
		this.ELS.MarkShouldSave();
	}

	/**
	 * Records a change that must be saved as soon as possible: a save starts on the next Heartbeat.
	 *
	 * @example
	 * data.Coins -= 100;
	 * profile.MarkForceSave();
	 * if (profile.YieldUntilChangesSaved()) print("purchase saved");
	 */
	MarkForceSave(): void {
		if (!this.IsActive) return;
		// The locker wakes the driver for itself (onPoke): the save starts on the next frame.
		this.ELS.MarkForceSave();
	}

	/**
	 * Yields until the changes marked so far are saved (true), or discarded by a reset or the end of the profile
	 * (false). **Mark the change (`MarkShouldSave`/`MarkForceSave`) before calling it. Yields.**
	 *
	 * @example
	 * profile.MarkForceSave();
	 * const saved = profile.YieldUntilChangesSaved();
	 */
	YieldUntilChangesSaved(): boolean {
		if (!this.IsActive) return false;
		return this.ELS.YieldUntilChangesSaved();
	}

	/**
	 * Calls `Callback(wasSaved, profile, ...UserData)` once the changes marked so far are saved or discarded.
	 * **Mark the change before calling it, or it resolves true at once.**
	 *
	 * @example
	 * profile.MarkForceSave();
	 * profile.WhenChangesSaved((saved) => print(saved ? "saved" : "discarded"));
	 */
	WhenChangesSaved(
		Callback: (WasSaved: boolean, Profile: EasyProfile<T>, ...UserData: Array<unknown>) => void,
		...UserData: Array<unknown>
	): SavedConnection {
		const wrapped = (wasSaved: boolean, _ls: unknown, ...rest: Array<unknown>) => Callback(wasSaved, this, ...rest);
		if (!this.IsActive) {
			// Nothing made through an ended profile is saved: resolve false without asking the locker.
			const connection = new SavedConnection(this.ELS, this.ELS.ChangeId_Pending, wrapped, UserData);
			connection.Trigger(false);
			return connection;
		}
		return this.ELS.WhenChangesSaved(wrapped, ...UserData);
	}

	/**
	 * True when the session is held and loaded: changes made now are in the next save. False once ended.
	 *
	 * @example
	 * if (profile.IsAvailable()) profile.GetSaveData().Coins += 1;
	 */
	IsAvailable(): boolean {
		return this.IsActive && this.ELS.IsAvailable();
	}

	/**
	 * Credit stored for a developer product (0 when none or when the profile has ended).
	 *
	 * @example
	 * const revives = profile.ProductCreditQuery(REVIVE_PRODUCT);
	 */
	ProductCreditQuery(ProductId: number): number {
		return this.IsActive ? this.ELS.ProductCreditQuery(ProductId) : 0;
	}

	/**
	 * Adds product credit, marks a save and fires `ProductCreditChanged`. Ignored once ended.
	 *
	 * @example
	 * profile.ProductCreditGive(REVIVE_PRODUCT, 1);
	 */
	ProductCreditGive(ProductId: number, Amount: number, UserData?: unknown): void {
		if (this.IsActive) this.ELS.ProductCreditGive(ProductId, Amount, UserData);
	}

	/**
	 * Uses `Amount` credit if that much is stored (true); false when there is too little or the profile ended.
	 *
	 * @example
	 * if (profile.ProductCreditUse(REVIVE_PRODUCT, 1)) revive(player);
	 */
	ProductCreditUse(ProductId: number, Amount: number, UserData?: unknown): boolean {
		return this.IsActive ? this.ELS.ProductCreditUse(ProductId, Amount, UserData) : false;
	}

	/**
	 * Runs a developer-product purchase through the store's ProductPurchaser: `ProcessFunction` applies it to the
	 * save data, and `Callback(true)` runs once a save covering it landed (return PurchaseGranted then).
	 * **Do not grant anything outside the save data before the callback says true.**
	 *
	 * @example
	 * profile.CallWhenProductIsProcessedAndSaved(grantCoins, receipt, (granted) => print(granted));
	 */
	CallWhenProductIsProcessedAndSaved(
		ProcessFunction: ProductProcessFunction<T>,
		ReceiptInfo: ReceiptInfo,
		Callback: (Granted: boolean) => void,
		UserData?: object,
	): void {
		if (!this.IsActive) {
			task.defer(Callback, false);
			return;
		}
		this.owner.purchaseFor(this as unknown as EasyProfile<never>, ProcessFunction, ReceiptInfo, Callback, UserData);
	}

	/**
	 * Yielding form of `CallWhenProductIsProcessedAndSaved`: true once the purchase is applied and saved.
	 * **Yields; call it from ProcessReceipt.**
	 *
	 * @example
	 * MarketplaceService.ProcessReceipt = (receipt) =>
	 * 	profile.YieldUntilProductIsProcessedAndSaved(grantCoins, receipt)
	 * 		? Enum.ProductPurchaseDecision.PurchaseGranted
	 * 		: Enum.ProductPurchaseDecision.NotProcessedYet;
	 */
	YieldUntilProductIsProcessedAndSaved(
		ProcessFunction: ProductProcessFunction<T>,
		ReceiptInfo: ReceiptInfo,
		UserData?: object,
	): boolean {
		if (!this.IsActive) return false;
		const profile = this as unknown as EasyProfile<never>;
		return this.owner.purchaseFor(profile, ProcessFunction, ReceiptInfo, undefined, UserData) === true;
	}

	// ---------------------------------------------------------------- called by EasyStore

	/** @internal */
	resumeLoadWaiters(result: EasyProfile<T> | undefined): void {
		easyProfileResumeLoadWaiters(this, result);
	}

	/** @internal one lifecycle event of the locker, while active */
	onLifecycle(status: LifecycleStatus, reason: LifecycleReason): void {
		easyProfileOnLifecycle(this, status, reason);
	}

	/** @internal the locker was deleted, or a new profile took the session over */
	onFinished(): void {
		easyProfileOnFinished(this);
	}
}
