import { describeUnstorableValue, findUnstorableValue, withBufferPlaceholders } from "../protocol/storable";
import { JsonEncoder } from "./types";

/**
 * @internal
 * JSON length of a value as the DataStore would measure it (buffers counted as their stored base64 form), or why it
 * cannot be stored (the first unstorable part, with its path). `RequestGateway.Measure` is the public door.
 */
export function measureValue(http: JsonEncoder, value: unknown): LuaTuple<[boolean, number | string]> {
	const buffers = new Array<buffer>();
	const unstorable = findUnstorableValue(value, buffers);
	if (unstorable !== undefined)
		return $tuple(false as boolean, describeUnstorableValue(unstorable) as number | string);
	const measured = buffers.size() > 0 ? withBufferPlaceholders(value) : value;
	const [ok, encoded] = pcall(() => http.JSONEncode(measured));
	if (!ok) return $tuple(false as boolean, tostring(encoded) as number | string);
	return $tuple(true as boolean, (encoded as string).size() as number | string);
}
