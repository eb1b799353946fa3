import Signal from "@rbxts/signal";

/** Any handler type (`@rbxts/signal`'s own constraint, without `any`). */
type Handler = (...args: Array<never>) => unknown;
/** The handler type inside: the public type is `Signal<F>`, and arguments pass through untouched. */
type Loose = (...args: Array<unknown>) => void;

/**
 * @internal
 * A `Signal` from `@rbxts/signal` that creates its BindableEvent on first use. Every profile has ten signals and most
 * games connect to one or two of them; a BindableEvent per signal per player is an Instance each, and firing one
 * that nobody listens to still packs its arguments into a closure. Until something connects or waits, `Fire` does
 * nothing, which is what firing a BindableEvent without connections or waiting threads does.
 */
export class LazySignal {
	/** @internal the real signal, created by the first Connect, Once, ConnectParallel or Wait */ inner:
		Signal<Loose> | undefined;
	/**
	 * @internal Destroy was called before the real signal existed. Left unset until then: ten signals per profile, and
	 * a table with no fields is the smallest.
	 */
	destroyed: boolean | undefined;

	/** @internal the real signal, created now if needed (and destroyed at once if Destroy came first) */
	real(): Signal<Loose> {
		let inner = this.inner;
		if (inner === undefined) {
			inner = new Signal<Loose>();
			this.inner = inner;
			if (this.destroyed === true) inner.Destroy();
		}
		return inner;
	}

	Fire(...args: Array<unknown>): void {
		this.inner?.Fire(...args);
	}

	Connect(callback: Loose): RBXScriptConnection {
		return this.real().Connect(callback);
	}

	Once(callback: Loose): RBXScriptConnection {
		return this.real().Once(callback);
	}

	ConnectParallel(callback: Loose): RBXScriptConnection {
		return this.real().ConnectParallel(callback);
	}

	Wait(): LuaTuple<Array<unknown>> {
		return this.real().Wait();
	}

	Destroy(): void {
		this.destroyed = true;
		this.inner?.Destroy();
	}
}

/**
 * @internal
 * A signal typed exactly as `@rbxts/signal`'s, whose BindableEvent is created only when something listens.
 *
 * @example
 * readonly Saved = lazySignal<() => void>();
 */
export function lazySignal<F extends Handler>(): Signal<F> {
	return new LazySignal() as unknown as Signal<F>;
}
