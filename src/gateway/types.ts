/** The parts of DataStoreKeyInfo the library uses; real DataStoreKeyInfo objects and FakeDataStore's satisfy it. */
export interface KeyInfoLike {
	/** Backend time of creation, in milliseconds. */
	readonly CreatedTime: number;
	/** Backend time of the last write, in milliseconds. */
	readonly UpdatedTime: number;
	readonly Version: string;
	GetUserIds(): Array<number>;
	GetMetadata(): object;
}

export type UpdateTransform = (
	value: unknown,
	keyInfo: KeyInfoLike | undefined,
) => LuaTuple<[unknown, Array<number> | undefined, object | undefined]>;

/** The part of a DataStore the library calls: only UpdateAsync (and GetAsync for read-only mode). */
export interface DataStoreLike {
	UpdateAsync(key: string, transform: UpdateTransform): LuaTuple<[unknown, KeyInfoLike | undefined]>;
}

/** Encodes values as the DataStore would; `HttpService` satisfies it. */
export interface JsonEncoder {
	JSONEncode(value: unknown): string;
}
