import { easyDriverWakeAll } from "./EasyDriver";

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
					if (this.IsDestroyed || !typeIs(key, "string")) return;
					this.ReceivedCount += 1;
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
		task.spawn(() => {
			pcall(() => this.messaging.PublishAsync(this.Topic, DataStoreKey));
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
