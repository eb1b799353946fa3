/// <reference types="@rbxts/testez/globals" />
import { Kit } from "../../test/kit";
import { FakeDataStore } from "../gateway/FakeDataStore";
import { RequestGatewayCreate } from "../gateway/RequestGateway";
import { SaveData } from "../protocol/format";
import { LockerCreate } from "./LockerCreate";
import { LockerState } from "./LockerState";

interface Data extends SaveData {
	Log: Array<string>;
}

interface Server {
	ls: LockerState<Data>;
	paused: boolean;
	/** Tokens waiting for a save. */
	pending: number;
}

/**
 * Property: random interleavings of acquire, release, edits, faults (plain and ambiguous errors), long pauses past
 * the expiry (zombies) and takeovers across three in-process servers. Whatever happens, every edit whose waiter was
 * told "saved" is in the stored value from then on, and at the end every server is idle and the key is free.
 */
const SEEDS = 40;
const stats = { confirmed: 0, lost: 0, unconfirmed: 0 };

function runSequence(seed: number, steps: number): Array<string> {
	const rng = new Random(seed);
	const problems = new Array<string>();
	let backendMs = 1_780_000_000_000;
	let mono = 100;
	const store = new FakeDataStore({ Clock: () => backendMs });
	const confirmed = new Array<string>();
	const servers = new Array<Server>();
	for (let i = 0; i < 3; i++) {
		const ls = LockerCreate<Data>(
			{
				DataStore: store,
				Gateway: RequestGatewayCreate({
					Clock: () => mono,
					PlaceId: 1,
					JobId: `S${i}`,
					Random: new Random(seed + i),
				}),
				SaveDataVersion: 1,
				SaveDataCreator: () => ({ Version: 1, VersionPatch: 0, Log: [] }),
				SessionExpiry: 300,
				MaintainSessionPeriod: 60,
				SessionRetryCooldown: 5,
				ReportDataStoreError: (_ls, _op, _msg, err) => {
					if (err.Kind === "lock_lost") stats.lost += 1;
				},
			},
			"k",
		);
		servers.push({ ls, paused: false, pending: 0 });
	}
	let tokenCounter = 0;
	const tick = (seconds: number) => {
		const frames = math.max(1, math.floor(seconds / 0.5));
		for (let f = 0; f < frames; f++) {
			mono += seconds / frames;
			backendMs += (seconds / frames) * 1000;
			for (const s of servers) if (!s.paused) s.ls.SessionUpdate(mono);
		}
		Kit.flush();
	};
	const check = (when: string) => {
		const [value] = store.Read("k");
		const log = value !== undefined ? (value as Data).Log : [];
		const present = new Set<string>();
		for (const t of log) present.add(t);
		for (const t of confirmed) {
			if (!present.has(t)) problems.push(`${when}: confirmed ${t} missing from the store`);
		}
	};
	for (let step = 0; step < steps; step++) {
		const s = servers[rng.NextInteger(0, 2)];
		const op = rng.NextInteger(1, 10);
		if (op <= 2) s.ls.MarkShouldAcquire();
		else if (op === 3) s.ls.MarkShouldRelease();
		else if (op <= 6) {
			if (s.ls.IsAvailable()) {
				tokenCounter += 1;
				const token = `t${tokenCounter}`;
				s.ls.SaveData.Log.push(token);
				if (rng.NextNumber() < 0.5) s.ls.MarkForceSave();
				else s.ls.MarkShouldSave();
				s.pending += 1;
				s.ls.WhenChangesSaved(saved => {
					s.pending -= 1;
					if (saved) {
						confirmed.push(token);
						stats.confirmed += 1;
					} else {
						stats.unconfirmed += 1;
					}
				});
			}
		} else if (op === 7) {
			store.FailNext(
				"502: API Services rejected request with error. HTTP 500 (Internal Server Error)",
				rng.NextInteger(1, 3),
				rng.NextNumber() < 0.5 ? "error" : "commit-then-error",
			);
		} else if (op === 8) {
			s.paused = !s.paused;
		}
		tick(rng.NextNumber() < 0.2 ? rng.NextNumber(100, 500) : rng.NextNumber(0.5, 20));
		check(`seed ${seed} step ${step}`);
	}
	// Wind down: everyone resumes and releases.
	store.faults.clear();
	for (const s of servers) {
		s.paused = false;
		s.ls.MarkShouldReleaseAll();
	}
	for (let i = 0; i < 40 && !servers.every(s => s.ls.IsIdling); i++) tick(10);
	for (const s of servers) {
		if (!s.ls.IsIdling) problems.push(`seed ${seed}: ${s.ls.Session?.JobId ?? "a server"} did not go idle`);
		if (s.pending !== 0) problems.push(`seed ${seed}: ${s.pending} waiters never resolved`);
	}
	const [value] = store.Read("k");
	if (value !== undefined && (value as Data).Session !== undefined) problems.push(`seed ${seed}: key still locked`);
	check(`seed ${seed} end`);
	return problems;
}

export = () => {
	describe("LockerState property", () => {
		it("confirmed edits are never lost across random takeovers, zombies and ambiguous faults", () => {
			const problems = new Array<string>();
			let confirmedRuns = 0;
			for (let seed = 1; seed <= SEEDS; seed++) {
				const found = runSequence(seed, 80);
				for (const p of found) problems.push(p);
				if (found.size() === 0) confirmedRuns += 1;
			}
			if (problems.size() > 0) warn(problems.join("\n"));
			print(
				`property stats: ${stats.confirmed} confirmed, ${stats.unconfirmed} discarded, ${stats.lost} lost locks`,
			);
			expect(problems.size()).to.equal(0);
			expect(confirmedRuns).to.equal(SEEDS);
			// The sequences must actually exercise takeovers and both outcomes of waiting.
			expect(stats.confirmed > 100).to.equal(true);
			expect(stats.unconfirmed > 5).to.equal(true);
			expect(stats.lost > 3).to.equal(true);
		});
	});
};
