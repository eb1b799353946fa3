import type { Driver } from "./EasyDriver";
import { easyDriverRouse } from "./EasyDriver";
import { DrivenStore, scheduleCreate } from "./easySchedule";
import { EasyShutdown } from "./EasyShutdown";

/**
 * @internal
 * Adds a store to the server's one driver and wakes it; registers `EasyShutdown` with BindToClose once. Its remote
 * sends wake the driver when a key gets its first queued change.
 */
export function easyDriverAdd(d: Driver, store: DrivenStore, bindToClose: boolean): void {
	d.stores.push(store);
	d.schedules.push(scheduleCreate(store));
	store.RemoteChangeSender.onQueued = () => easyDriverRouse(d);
	easyDriverRouse(d);
	if (bindToClose && !d.closeBound) {
		d.closeBound = true;
		d.services.BindToClose(() => {
			EasyShutdown();
		});
	}
}
