/**
 * A min-heap of items by due time, with each item at most once: `set` moves an item already queued. The Easy API's
 * driver keeps its lockers in one, so a frame costs the lockers that are due, not every locker. Once its arrays have
 * grown, setting, moving and popping allocate nothing.
 *
 * @example
 * const timers = new TimerQueue<string>();
 * timers.set("autosave", os.clock() + 300);
 * const due = timers.popDue(os.clock()); // "autosave" once its time has come, else undefined
 */
export class TimerQueue<T extends defined> {
	/** @internal the heap, by due time */ readonly items = new Array<T>();
	/** @internal */ readonly due = new Map<T, number>();
	/** @internal position in `items` */ readonly index = new Map<T, number>();

	/**
	 * Number of queued items.
	 *
	 * @example
	 * print(timers.size());
	 */
	size(): number {
		return this.items.size();
	}

	/**
	 * The due time of a queued item, or undefined.
	 *
	 * @example
	 * const at = timers.dueOf(locker);
	 */
	dueOf(item: T): number | undefined {
		return this.due.get(item);
	}

	/**
	 * Queues `item` for time `at`, or moves it there if it is queued already.
	 *
	 * @example
	 * timers.set(locker, now + 5);
	 */
	set(item: T, at: number): void {
		const position = this.index.get(item);
		if (position === undefined) {
			this.items.push(item);
			this.due.set(item, at);
			this.index.set(item, this.items.size() - 1);
			this.up(this.items.size() - 1);
			return;
		}
		const before = this.due.get(item)!;
		if (before === at) return;
		this.due.set(item, at);
		if (at < before) this.up(position);
		else this.down(position);
	}

	/**
	 * Removes `item` if it is queued.
	 *
	 * @example
	 * timers.remove(locker);
	 */
	remove(item: T): void {
		const position = this.index.get(item);
		if (position === undefined) return;
		this.take(position);
	}

	/**
	 * Removes and returns the earliest item whose time is at or before `now`; undefined when none is due.
	 *
	 * @example
	 * for (let item = timers.popDue(now); item !== undefined; item = timers.popDue(now)) run(item);
	 */
	popDue(now: number): T | undefined {
		const first = this.items[0];
		if (first === undefined || this.due.get(first)! > now) return undefined;
		this.take(0);
		return first;
	}

	/**
	 * Empties the queue.
	 *
	 * @example
	 * timers.clear();
	 */
	clear(): void {
		this.items.clear();
		this.due.clear();
		this.index.clear();
	}

	/** @internal removes the item at `position` */
	take(position: number): void {
		const items = this.items;
		const item = items[position];
		const last = items.size() - 1;
		if (position !== last) {
			const moved = items[last];
			items[position] = moved;
			this.index.set(moved, position);
		}
		items.remove(last);
		this.due.delete(item);
		this.index.delete(item);
		if (position < last) {
			this.up(position);
			this.down(position);
		}
	}

	/** @internal */
	up(position: number): void {
		const items = this.items;
		const due = this.due;
		const item = items[position];
		const at = due.get(item)!;
		while (position > 0) {
			const parentPosition = (position - 1) >> 1;
			const parent = items[parentPosition];
			if (due.get(parent)! <= at) break;
			items[position] = parent;
			this.index.set(parent, position);
			position = parentPosition;
		}
		items[position] = item;
		this.index.set(item, position);
	}

	/** @internal */
	down(position: number): void {
		const items = this.items;
		const due = this.due;
		const size = items.size();
		const item = items[position];
		const at = due.get(item)!;
		for (;;) {
			const left = position * 2 + 1;
			if (left >= size) break;
			const right = left + 1;
			let child = left;
			if (right < size && due.get(items[right])! < due.get(items[left])!) child = right;
			const childItem = items[child];
			if (due.get(childItem)! >= at) break;
			items[position] = childItem;
			this.index.set(childItem, position);
			position = child;
		}
		items[position] = item;
		this.index.set(item, position);
	}
}
