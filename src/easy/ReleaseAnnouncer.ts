import type { StoredSession } from "../protocol/format";
import { easyDriverWakeAll } from "./EasyDriver";

/**
 * @internal
 * An ask to confirm a release, on the release topic. A table, so servers of earlier versions, which act only on
 * string messages (the released key), ignore it.
 */
interface ReleaseAskMessage {
	Ask: string;
	PlaceId: number;
	JobId: string;
	LockId: number;
}

/**
 * @internal
 * A hint, on the release topic, that this server's release of a key is being written (its transform ran): a server
 * waiting for the key retries as the write lands rather than one delivery after it. A table, ignored by earlier
 * versions like the ask.
 */
interface ReleaseHintMessage {
	Releasing: string;
}

/** How long (s) a received announcement is remembered: a load that starts just after it may still find the lock. */
const RECENT_SECONDS = 10;

function parseAsk(data: unknown): [string, StoredSession] | undefined {
	if (!typeIs(data, "table")) return undefined;
	const ask = data as Partial<ReleaseAskMessage>;
	if (!typeIs(ask.Ask, "string") || !typeIs(ask.PlaceId, "number") || !typeIs(ask.JobId, "string")) return undefined;
	if (!typeIs(ask.LockId, "number")) return undefined;
	return [ask.Ask, { PlaceId: ask.PlaceId, JobId: ask.JobId, LockId: ask.LockId, UpdatedAt: 0 }];
}

/**
 * Tells the other servers of the experience, through MessagingService, when this server releases a key, so a server
 * whose load found that key locked (a player who moved servers) retries at once instead of after its cooldown.
 * The EasyStore creates one per store; the announcement is a hint: a lost message only costs the usual retry.
 *
 * @example
 * const announcer = new ReleaseAnnouncer("SessionLocker_RL_PlayerData", key => lockersByKey.get(key)?.RetryLoadNow());
 * announcer.Announce("12345"); // after this server's release of key "12345" landed
 */
export class ReleaseAnnouncer {
	/** The MessagingService topic used. */
	readonly Topic: string;
	/** Releases announced by this server. */
	AnnouncedCount = 0;
	/** Announcements received from any server (this one included). */
	ReceivedCount = 0;
	/** Asks to confirm a release sent by this server. */
	AskedCount = 0;
	/** @internal answers an ask for `key`'s release of lock `lock` (set by the store) */
	onAsk: ((key: string, lock: StoredSession) => void) | undefined;
	/** @internal told of every announcement (`released` true) and hint received, before the loads retry */
	onHeard: ((key: string, released: boolean) => void) | undefined;
	/** @internal hints received from any server */ hintsReceived = 0;
	/** @internal announcements of the last RECENT_SECONDS, oldest first: key and os.clock() of arrival */
	readonly recentKeys = new Array<string>();
	/** @internal */ readonly recentTimes = new Array<number>();
	/** @internal index of the oldest live entry in the two arrays above */ recentHead = 0;
	/** @internal keys this server announced, and when: its own announcements, heard back, are not remembered */
	readonly ownAnnounced = new Map<string, number>();
	IsDestroyed = false;
	/** @internal */ readonly messaging: MessagingService;
	/** @internal */ connection: RBXScriptConnection | undefined;

	constructor(Topic: string, OnReleased: (DataStoreKey: string) => void, Messaging?: MessagingService) {
		this.Topic = Topic;
		this.messaging = Messaging ?? game.GetService("MessagingService");
		task.spawn(() => {
			const [ok, connection] = pcall(() =>
				this.messaging.SubscribeAsync(this.Topic, message => {
					const key = (message as { Data?: unknown }).Data;
					if (this.IsDestroyed) return;
					if (!typeIs(key, "string")) {
						const hinted = typeIs(key, "table")
							? (key as Partial<ReleaseHintMessage>).Releasing
							: undefined;
						if (typeIs(hinted, "string")) {
							this.hintsReceived += 1;
							this.onHeard?.(hinted, false);
							OnReleased(hinted);
							easyDriverWakeAll();
							return;
						}
						const ask = parseAsk(key);
						if (ask !== undefined) this.onAsk?.(ask[0], ask[1]);
						return;
					}
					this.ReceivedCount += 1;
					this.remember(key);
					this.onHeard?.(key, true);
					OnReleased(key);
					// A load waiting out its cooldown may retry now: the Easy API's driver looks on the next frame.
					easyDriverWakeAll();
				}),
			);
			if (!ok) {
				warn(`[SessionLocker][ReleaseAnnouncer] SubscribeAsync(${this.Topic}) failed: ${tostring(connection)}`);
				return;
			}
			if (this.IsDestroyed) connection.Disconnect();
			else this.connection = connection;
		});
	}

	/**
	 * Announces that this server's release of `DataStoreKey` landed. Never yields; a failed publish is ignored
	 * (waiting servers then retry on their own schedule).
	 *
	 * @example
	 * announcer.Announce(tostring(player.UserId));
	 */
	Announce(DataStoreKey: string): void {
		if (this.IsDestroyed) return;
		this.AnnouncedCount += 1;
		const now = os.clock();
		if (this.ownAnnounced.size() >= 64) {
			for (const [key, at] of this.ownAnnounced) if (now - at > RECENT_SECONDS) this.ownAnnounced.delete(key);
		}
		this.ownAnnounced.set(DataStoreKey, now);
		task.spawn(() => {
			pcall(() => this.messaging.PublishAsync(this.Topic, DataStoreKey));
		});
	}

	/**
	 * @internal
	 * Hints that this server's release of `DataStoreKey` is being written (its transform ran); `Announce` follows
	 * once it is written. Never yields.
	 */
	Hint(DataStoreKey: string): void {
		if (this.IsDestroyed) return;
		const message: ReleaseHintMessage = { Releasing: DataStoreKey };
		task.spawn(() => {
			pcall(() => this.messaging.PublishAsync(this.Topic, message));
		});
	}

	/** @internal keeps `key` for RECENT_SECONDS; drops what is older (amortised O(1)) */
	remember(key: string): void {
		const now = os.clock();
		const own = this.ownAnnounced.get(key);
		if (own !== undefined && now - own <= RECENT_SECONDS) return;
		this.recentKeys.push(key);
		this.recentTimes.push(now);
		while (this.recentHead < this.recentTimes.size() && now - this.recentTimes[this.recentHead] > RECENT_SECONDS) {
			this.recentHead += 1;
		}
		// Compact once the dead prefix is most of the arrays.
		if (this.recentHead > 32 && this.recentHead * 2 > this.recentKeys.size()) {
			const keys = new Array<string>();
			const times = new Array<number>();
			for (let i = this.recentHead; i < this.recentKeys.size(); i++) {
				keys.push(this.recentKeys[i]);
				times.push(this.recentTimes[i]);
			}
			this.recentKeys.clear();
			this.recentTimes.clear();
			for (let i = 0; i < keys.size(); i++) {
				this.recentKeys.push(keys[i]);
				this.recentTimes.push(times[i]);
			}
			this.recentHead = 0;
		}
	}

	/** @internal true when a release of `key` was announced in the last RECENT_SECONDS */
	HeardRecently(key: string): boolean {
		const now = os.clock();
		for (let i = this.recentKeys.size() - 1; i >= this.recentHead; i--) {
			if (now - this.recentTimes[i] > RECENT_SECONDS) return false;
			if (this.recentKeys[i] === key) return true;
		}
		return false;
	}

	/**
	 * @internal
	 * Asks the server holding `Holder` to confirm its release of `DataStoreKey`: if that server wrote the release
	 * without reading it back and the write never landed, it writes it again and announces it. Never yields.
	 */
	Ask(DataStoreKey: string, Holder: StoredSession): void {
		if (this.IsDestroyed) return;
		this.AskedCount += 1;
		const message: ReleaseAskMessage = {
			Ask: DataStoreKey,
			PlaceId: Holder.PlaceId,
			JobId: Holder.JobId,
			LockId: Holder.LockId,
		};
		task.spawn(() => {
			pcall(() => this.messaging.PublishAsync(this.Topic, message));
		});
	}

	/**
	 * Stops listening and announcing.
	 *
	 * @example
	 * announcer.Destroy();
	 */
	Destroy(): void {
		this.IsDestroyed = true;
		this.connection?.Disconnect();
		this.connection = undefined;
	}
}
