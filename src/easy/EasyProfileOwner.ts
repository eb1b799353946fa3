import type { EasyProfile } from "./EasyProfile";

/** What an EasyProfile needs from the store that made it (an interface, so that the two files do not cycle). */
export interface EasyProfileOwner {
	/** @internal */ endProfile(profile: EasyProfile<never>): void;
	/** @internal */ purchaseFor(
		profile: EasyProfile<never>,
		processFunction: unknown,
		receiptInfo: unknown,
		callback: ((granted: boolean) => void) | undefined,
		userData: unknown,
	): boolean | undefined;
}
