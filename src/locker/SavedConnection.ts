/** Called when the changes a SavedConnection waits for were saved (true) or discarded (false). */
export type SavedCallback = (WasSaved: boolean, LS: unknown, ...UserData: Array<unknown>) => void;

/** What a SavedConnection needs from its locker, to remove itself. */
export interface SavedConnectionOwner {
	/** @internal */ forgetSavedConnection(connection: SavedConnection): void;
}

/**
 * Tracks whether the changes made before it was created got saved. Resolves once: `Saved` true after a save
 * covering them, false if the data was replaced first (release, lost lock, load over offline data, deletion).
 * Callbacks and threads are resumed deferred.
 *
 * @example
 * ls.SaveData.Gold += 10;
 * ls.MarkForceSave();
 * ls.WhenChangesSaved((saved) => print(saved ? "saved" : "discarded"));
 */
export class SavedConnection {
	/** True once resolved as saved. */
	Saved = false;
	/** False once resolved or destroyed. */
	Connected = true;
	/** The ChangeId this waits for. */
	readonly ChangeId: number;
	/** @internal */ readonly callback: SavedCallback | thread | undefined;
	/** @internal */ readonly userData: Array<unknown>;
	/** @internal */ readonly owner: SavedConnectionOwner;

	constructor(
		owner: SavedConnectionOwner,
		changeId: number,
		callback: SavedCallback | thread | undefined,
		userData: Array<unknown>,
	) {
		this.owner = owner;
		this.ChangeId = changeId;
		this.callback = callback;
		this.userData = userData;
	}

	/**
	 * Resolves the connection (once) and resumes its callback or thread, deferred.
	 *
	 * @example
	 * connection.Trigger(false); // give up waiting, telling the callback nothing was saved
	 */
	Trigger(WasSaved: boolean): void {
		if (!this.Connected) return;
		this.Connected = false;
		this.Saved = WasSaved;
		const callback = this.callback;
		if (callback === undefined) return;
		if (typeIs(callback, "thread")) {
			const status = coroutine.status(callback);
			if (status === "suspended") {
				task.defer(callback, WasSaved);
			} else {
				warn(`[SessionLocker] SavedConnection: cannot resume a ${status} thread`);
			}
			return;
		}
		task.defer(callback, WasSaved, this.owner, ...this.userData);
	}

	/**
	 * Stops waiting; the callback will not run.
	 *
	 * @example
	 * const connection = ls.WhenChangesSaved(onSaved);
	 * connection.Destroy();
	 */
	Destroy(): void {
		if (!this.Connected) return;
		this.Connected = false;
		this.owner.forgetSavedConnection(this);
	}

	/**
	 * Same as Destroy.
	 *
	 * @example
	 * connection.Disconnect();
	 */
	Disconnect(): void {
		this.Destroy();
	}
}
