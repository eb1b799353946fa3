import { BudgetSource } from "./RequestBudget";
import { RequestRateLimit } from "./RequestRateLimit";
import { JsonEncoder } from "./types";

/** How `RequestGatewayCreate` builds a gateway; every field is optional. */
export interface RequestGatewayOptions {
	/** JSON encoder used for the size check. Default HttpService. */
	HttpService?: JsonEncoder;
	/** Monotonic clock in seconds. Default os.clock. */
	Clock?: () => number;
	/**
	 * Source of LockIds and retry jitter. Default a new Random. Pass a seeded one (`new Random(seed)`) to make the
	 * timing of retries reproducible in specs.
	 */
	Random?: Random;
	/** Identity written into locks. Default game.PlaceId and game.JobId. */
	PlaceId?: number;
	JobId?: string;
	/** Value size limit (JSON characters). Default 4,194,304. */
	SizeLimit?: number;
	/**
	 * Where request budgets are read (`GetRequestBudgetForRequestType`). Default this server's DataStoreService;
	 * `false` sends every request at once, without regard to the budget.
	 */
	BudgetSource?: BudgetSource | false;
	/**
	 * Caps the library's own requests per minute (`Base + PerPlayer × players`), for games whose own DataStore
	 * requests share the server's budget. Default none. Lifted while the server closes. See also `SetRateLimit`.
	 * **A limit below about 2 requests per player per autosave period makes saves fall behind.**
	 */
	RateLimit?: RequestRateLimit;
}
