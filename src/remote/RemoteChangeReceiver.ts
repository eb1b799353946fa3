import type { LockerSpec } from "../locker/LockerSpec";
import type { LockerState } from "../locker/LockerState";
import type { RawSaveData, SaveData, SD_RemoteChange_Base } from "../protocol/format";
import {
	APPLIED_LEDGER_LIMIT,
	APPLIED_LEDGER_RETENTION,
	isRemoteChangeApplied,
	recordRemoteChangeApplied,
} from "../protocol/remoteChanges";

/** One handler per change kind `K`; true consumes the change, false keeps it for later (or for a newer server). */
export type RemoteChangeHandlers<T extends SaveData = SaveData> = {
	[Kind: string]: (SaveData: T, Change: SD_RemoteChange_Base & { [field: string]: unknown }) => boolean;
};

export interface RemoteChangeProcessorOptions {
	/** Most applied idempotency keys remembered per key. Default 500. */
	LedgerLimit?: number;
	/** Seconds an applied idempotency key is remembered. Default 7 days. */
	LedgerRetention?: number;
}

/**
 * Builds a `LockerSpec.ProcessRemoteChange` that applies each change **exactly once**: it records the change's
 * idempotency key in the save data (`RemoteChangesApplied`) in the same save as its effect, and consumes a change
 * whose key is already recorded without applying it again (a retried send, or a save that was reported but not
 * committed). Kinds without a handler are kept for newer servers.
 * **Use it for every spec that receives remote changes; a bare ProcessRemoteChange is only at-least-once.**
 *
 * @example
 * const spec: LockerSpec<PlayerData> = {
 * 	...,
 * 	ProcessRemoteChange: RemoteChangeProcessorCreate<PlayerData>({
 * 		give_gold: (data, change) => {
 * 			data.Gold += change.Amount as number;
 * 			return true;
 * 		},
 * 	}),
 * };
 */
export function RemoteChangeProcessorCreate<T extends SaveData>(
	Handlers: RemoteChangeHandlers<T> | ((SaveData: T, Change: SD_RemoteChange_Base) => boolean),
	Options?: RemoteChangeProcessorOptions,
): (SaveData: T, Change: SD_RemoteChange_Base) => boolean {
	const limit = Options?.LedgerLimit ?? APPLIED_LEDGER_LIMIT;
	const retention = Options?.LedgerRetention ?? APPLIED_LEDGER_RETENTION;
	return (saveData, change) => {
		const data = saveData as unknown as RawSaveData;
		const ik = (change as { IK?: unknown }).IK;
		if (typeIs(ik, "string") && isRemoteChangeApplied(data, ik)) return true;
		let applied: boolean;
		if (typeIs(Handlers, "function")) {
			applied = Handlers(saveData, change) === true;
		} else {
			const handler = (Handlers as RemoteChangeHandlers<T>)[change.K];
			if (handler === undefined) return false;
			applied = handler(saveData, change as SD_RemoteChange_Base & { [field: string]: unknown }) === true;
		}
		if (applied && typeIs(ik, "string")) recordRemoteChangeApplied(data, ik, os.time(), limit, retention);
		return applied;
	};
}

/** The MessagingService topic on which senders nudge holders of keys of this spec's DataStore. */
export function remoteChangeTopic(spec: LockerSpec<never> | LockerSpec<SaveData>, override?: string): string {
	if (override !== undefined) return override;
	const store = spec.DataStore as unknown;
	const name = typeIs(store, "Instance") ? store.Name : "default";
	return `SessionLocker_RC_${name}`.sub(1, 80);
}

export interface RemoteChangeListenerOptions<T extends SaveData = SaveData> {
	/** This server's LockerState for a key, if it has one. */
	GetLockerState: (DataStoreKey: string) => LockerState<T> | undefined;
	/** Default `SessionLocker_RC_<DataStore name>`; must match the senders' `Topic`. */
	Topic?: string;
	/** Default the game's MessagingService. */
	MessagingService?: MessagingService;
}

/**
 * Makes a holder apply and save remote changes within seconds of their sending. Senders publish the key on
 * MessagingService after a change is stored; the listener force-saves the holder's locker (the save imports the
 * changes and applies them), then saves once more so the effects and their removal persist.
 * **The topic must match the senders' (both default to the DataStore's name).**
 *
 * @example
 * const listener = RemoteChangeListenerCreate(spec, { GetLockerState: (key) => lockersByKey.get(key) });
 */
export class RemoteChangeListener<T extends SaveData = SaveData> {
	/** The topic listened to. */
	readonly Topic: string;
	/** Nudges received for keys held here. */
	NudgeCount = 0;
	IsDestroyed = false;
	/** @internal */ readonly getLockerState: (DataStoreKey: string) => LockerState<T> | undefined;
	/** @internal */ connection: RBXScriptConnection | undefined;

	constructor(spec: LockerSpec<T>, options: RemoteChangeListenerOptions<T>) {
		this.Topic = remoteChangeTopic(spec as unknown as LockerSpec<SaveData>, options.Topic);
		this.getLockerState = options.GetLockerState;
		const messaging = options.MessagingService ?? game.GetService("MessagingService");
		task.spawn(() => {
			const [ok, connection] = pcall(() =>
				messaging.SubscribeAsync(this.Topic, message => {
					const data = (message as { Data?: unknown }).Data;
					const key = typeIs(data, "table") ? (data as { K?: unknown }).K : undefined;
					if (typeIs(key, "string")) this.Nudge(key);
				}),
			);
			if (!ok) {
				warn(
					`[SessionLocker][RemoteChangeListener] SubscribeAsync(${this.Topic}) failed: ${tostring(connection)}`,
				);
				return;
			}
			if (this.IsDestroyed) connection.Disconnect();
			else this.connection = connection;
		});
	}

	/**
	 * Makes this server's holder of `DataStoreKey`, if any, import and apply its remote changes now. Returns true
	 * when a locker was nudged.
	 *
	 * @example
	 * listener.Nudge(tostring(player.UserId));
	 */
	Nudge(DataStoreKey: string): boolean {
		if (this.IsDestroyed) return false;
		const ls = this.getLockerState(DataStoreKey);
		if (ls === undefined || !ls.IsAvailable()) return false;
		this.NudgeCount += 1;
		ls.MarkForceSave();
		ls.WhenChangesSaved(saved => {
			// The save imported the new changes and applied them in memory; one more save persists the effects and
			// removes the changes from the key, in one write.
			if (saved && ls.ProcessedRemoteChanges.size() > 0 && ls.IsAvailable()) ls.MarkForceSave();
		});
		return true;
	}

	/**
	 * Stops listening.
	 *
	 * @example
	 * listener.Destroy();
	 */
	Destroy(): void {
		this.IsDestroyed = true;
		this.connection?.Disconnect();
		this.connection = undefined;
	}
}

/**
 * Listens for senders' nudges so that this server's holders apply remote changes within seconds instead of at their
 * next autosave.
 *
 * @example
 * RemoteChangeListenerCreate(spec, { GetLockerState: (key) => lockersByKey.get(key) });
 */
export function RemoteChangeListenerCreate<T extends SaveData>(
	LockerSpec: LockerSpec<T>,
	Options: RemoteChangeListenerOptions<T>,
): RemoteChangeListener<T> {
	return new RemoteChangeListener(LockerSpec, Options);
}
