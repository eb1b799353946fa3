// A single-server world for locker specs: a FakeDataStore on a virtual backend clock and a virtual monotonic clock.
import {
	FakeDataStore,
	LockerCreate,
	LockerError,
	LockerSpec,
	LockerState,
	RequestGateway,
	RequestGatewayCreate,
	SaveData,
} from "../../../src";
import type { DataStoreLike } from "../../../src/gateway/types";

export interface Data extends SaveData {
	Gold: number;
	[field: string]: unknown;
}

export class World {
	backendMs = 1_780_000_000_000;
	mono = 1000;
	readonly store = new FakeDataStore({ Clock: () => this.backendMs });
	readonly reports = new Array<LockerError>();
	readonly gatewayA: RequestGateway = RequestGatewayCreate({
		Clock: () => this.mono,
		PlaceId: 1,
		JobId: "A",
		Random: new Random(5),
	});

	advance(seconds: number): void {
		this.backendMs += seconds * 1000;
		this.mono += seconds;
	}

	spec(extra?: Partial<LockerSpec<Data>>, store?: DataStoreLike): LockerSpec<Data> {
		const spec: LockerSpec<Data> = {
			DataStore: store ?? this.store,
			Gateway: this.gatewayA,
			SaveDataVersion: 1,
			SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Gold: 0 }),
			ReportDataStoreError: (_ls, _op, _msg, err) => {
				this.reports.push(err);
			},
		};
		if (extra) for (const [k, v] of pairs(extra)) (spec as unknown as Record<string, unknown>)[k] = v;
		return spec;
	}

	/** Runs `ticks` SessionUpdates, one virtual frame each. */
	update(ls: LockerState<Data>, ticks = 1): void {
		for (let i = 0; i < ticks; i++) {
			ls.SessionUpdate(this.mono);
			this.mono += 1 / 60;
			this.backendMs += 1000 / 60;
		}
	}

	/** Runs frames until `done()` or `seconds` of virtual time passed; returns done(). */
	runUntil(ls: LockerState<Data>, done: () => boolean, seconds: number): boolean {
		const frames = math.ceil(seconds * 60);
		for (let i = 0; i < frames && !done(); i++) this.update(ls);
		return done();
	}

	loaded(extra?: Partial<LockerSpec<Data>>, key = "k"): LockerState<Data> {
		const ls = LockerCreate(this.spec(extra), key);
		ls.MarkShouldAcquire();
		this.update(ls, 2);
		assert(ls.LoadStatus === "loaded", `expected loaded, got ${ls.LoadStatus}`);
		return ls;
	}

	kinds(): Array<string> {
		return this.reports.map(e => e.Kind);
	}
}
