import { RequestErrorClass } from "../errors";
import { KeyInfoLike } from "./types";

export type GatewayOutcome =
	"written" | "not_written" | "request_error" | "transform_threw" | "too_large" | "not_serializable" | "incomplete";

/** What one gateway request ended with. */
export interface GatewayResult {
	Outcome: GatewayOutcome;
	/** The stored value UpdateAsync returned (written) */
	Value: unknown;
	KeyInfo: KeyInfoLike | undefined;
	/** Request error, transform error or serialization error text. */
	ErrorMessage: string;
	Class: RequestErrorClass | undefined;
	/** JSON length of the value the transform produced (0 when it produced none). */
	Size: number;
}
