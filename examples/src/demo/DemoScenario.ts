/*
	The demo's script: several servers run the example game in one universe while scripted players join, play,
	buy, gift, hop servers and one server crashes; then the rest shut down. It returns a summary and checks that no
	acknowledged change was lost. `npm run demo` runs the long version; examples/src/demo/demo.spec.ts a short one.
*/
import { Kit, KitServer, KitUniverse } from "../../../test/kit";
import type { ExampleGame, PlayerData } from "../server/ExampleGame";

type GameModule = typeof import("../server/ExampleGame");

export interface DemoOptions {
	/** Full name of the ExampleGame module in the place. */
	GameModule: string;
	/** Players per server at the start (default 3). */
	PlayersPerServer?: number;
	/** Seconds everybody plays before the crash (default 120). */
	PlayTime?: number;
	/** Crash a server and bring its players back after their locks expire (default true). */
	Crash?: boolean;
	/** Load the DataStore backend from this file first and save it there at the end (repository-relative). */
	BackendFile?: string;
	/** Receives each timeline line; default print. */
	Log?: (line: string) => void;
	Seed?: number;
	/** Write the universe's timeline picture (SVG) to this file at the end (repository-relative). */
	TimelineFile?: string;
}

export interface DemoSummary {
	ContinuedFromFile: boolean;
	Servers: number;
	Players: number;
	/** Sessions loaded across all servers. */
	Sessions: number;
	/** Requests per DataStore method, and per outcome. */
	Requests: Map<string, number>;
	PurchasesMade: number;
	PurchasesGranted: number;
	GiftsSent: number;
	GiftsConfirmed: number;
	/** Seconds from leaving server A to being loaded on server B. */
	HopSeconds: number;
	/** Seconds from the crashed server's players rejoining elsewhere to all of them loaded (-1: no crash). */
	TakeoverSeconds: number;
	/** Acknowledged changes missing from the backend: confirmed earnings, granted purchases, confirmed gifts. */
	DataLost: number;
	/** Purchases or gifts applied more than once. */
	Duplicated: number;
	Lines: Array<string>;
}

interface DemoPlayer {
	UserId: number;
	Name: string;
	Server: KitServer | undefined;
	Player: Player | undefined;
	/** Values the data must contain at the end (acknowledged by a save, a granted receipt or a confirmed send). */
	Bought: number;
	Gifted: number;
	/** What the backend held before this run (a second run continues from the first). */
	Start: PlayerData | undefined;
}

function fmt(t: number): string {
	return string.format("%7.1fs", t);
}

/** Runs the scenario; yields for its whole (virtual) duration. */
export function runDemo(options: DemoOptions): DemoSummary {
	const log = options.Log ?? ((line: string) => print(line));
	const lines = new Array<string>();
	const started = Kit.now();
	const say = (text: string) => {
		const line = `${fmt(Kit.now() - started)}  ${text}`;
		lines.push(line);
		log(line);
	};
	// Each run needs its own seed: the seed decides the receipts' PurchaseIds, and a PurchaseId seen before is
	// (correctly) recognised as already granted. The run count lives in the saved backend.
	let runs = 0;
	if (options.BackendFile !== undefined) {
		const probe = Kit.createUniverse();
		if (probe.dataStores.loadFromFile(options.BackendFile)) {
			runs = (probe.dataStores.read("DemoMeta", "runs")?.value as number | undefined) ?? 0;
		}
		probe.destroy();
	}
	const universe: KitUniverse = Kit.createUniverse({
		seed: (options.Seed ?? 11) + runs,
		latency: { min: 0.05, max: 0.3 },
	});
	const store = "PlayerData";
	let continued = false;
	if (options.BackendFile !== undefined) {
		continued = universe.dataStores.loadFromFile(options.BackendFile);
		say(continued ? `backend loaded from ${options.BackendFile}: run #${runs + 1}` : "fresh backend");
		universe.dataStores.write("DemoMeta", "runs", runs + 1);
	}

	const servers = new Array<KitServer>();
	const seen = new Map<KitServer, number>();
	const names = new Map<KitServer, string>();
	// Server output goes into the timeline in virtual-time order, tagged with the server.
	const drain = () => {
		const batch = new Array<{ time: number; text: string }>();
		for (const server of servers) {
			const output = server.output();
			const from = seen.get(server) ?? 0;
			for (let i = from; i < output.size(); i++) {
				const line = output[i];
				if (line.kind === "error") continue;
				batch.push({
					time: line.time,
					text: `${fmt(line.time - started)}  [${names.get(server)}] ${line.message}`,
				});
			}
			seen.set(server, output.size());
		}
		batch.sort((a, b) => a.time < b.time);
		for (const entry of batch) {
			lines.push(entry.text);
			log(entry.text);
		}
	};
	const gameOn = (server: KitServer): ExampleGame =>
		server.require<GameModule>(options.GameModule).startExampleGame();
	const advance = (seconds: number) => {
		const stopAt = Kit.now() + seconds;
		while (Kit.now() < stopAt) {
			Kit.advance(math.min(5, stopAt - Kit.now()));
			drain();
		}
	};

	const serverCount = 3;
	for (let i = 1; i <= serverCount; i++) {
		const server = universe.startServer();
		servers.push(server);
		names.set(server, `S${i}`);
		gameOn(server);
		say(`server S${i} started`);
	}

	const perServer = options.PlayersPerServer ?? 3;
	const people = new Array<DemoPlayer>();
	for (let s = 0; s < serverCount; s++) {
		for (let p = 1; p <= perServer; p++) {
			const userId = s * perServer + p;
			const start = universe.dataStores.read(store, tostring(userId))?.value as PlayerData | undefined;
			people.push({
				UserId: userId,
				Name: `Player${userId}`,
				Server: undefined,
				Player: undefined,
				Bought: 0,
				Gifted: 0,
				Start: start,
			});
		}
	}
	const join = (person: DemoPlayer, server: KitServer) => {
		person.Server = server;
		person.Player = server.addPlayer({ userId: person.UserId, name: person.Name });
		say(`${person.Name} joins ${names.get(server)}`);
	};
	const leave = (person: DemoPlayer) => {
		if (person.Server !== undefined && person.Player !== undefined && person.Server.isAlive) {
			say(`${person.Name} leaves ${names.get(person.Server)}`);
			person.Server.removePlayer(person.Player);
		}
		person.Server = undefined;
		person.Player = undefined;
	};
	const loadedOn = (person: DemoPlayer) =>
		person.Server !== undefined && gameOn(person.Server).Players.GetLoaded(person.UserId) !== undefined;

	people.forEach((person, i) => join(person, servers[math.floor(i / perServer)]));
	Kit.waitUntil(() => people.every(loadedOn), 60);
	advance(15);

	// Purchases: one buyer per server; granted only once the coins are saved.
	const handles = new Array<{ person: DemoPlayer; handle: ReturnType<KitUniverse["marketplace"]["purchase"]> }>();
	Kit.timelineNote("a coin pack bought on each server", universe);
	for (let s = 0; s < serverCount; s++) {
		const person = people[s * perServer];
		say(`${person.Name} buys the coin pack on ${names.get(person.Server as KitServer)}`);
		handles.push({
			person,
			handle: universe.marketplace.purchase(person.Server as KitServer, person.Player as Player, 1001),
		});
	}
	Kit.waitUntil(() => handles.every(h => h.handle.status() === "granted"), 60);
	for (const h of handles) if (h.handle.status() === "granted") h.person.Bought += 100;
	drain();

	// Gifts across servers: from S1 to a player on S3, from S3 to a player on S2.
	let giftsSent = 0;
	let giftsConfirmed = 0;
	const gift = (from: DemoPlayer, to: DemoPlayer, amount: number) => {
		giftsSent += 1;
		gameOn(from.Server as KitServer).SendGift(from.Player as Player, to.UserId, amount, sent => {
			if (sent) {
				giftsConfirmed += 1;
				to.Gifted += amount;
			}
		});
	};
	gift(people[1], people[2 * perServer + 1], 25);
	gift(people[2 * perServer], people[perServer + 1], 10);
	advance(options.PlayTime ?? 120);

	// A server hop: leave S1, join S2 at the same moment. S2 retries the locked load until S1's release lands.
	const hopper = people[perServer - 1];
	const hopFrom = hopper.Server as KitServer;
	const hopStart = Kit.now();
	Kit.timelineNote(`${hopper.Name} hops from server 1 to server 2`, universe);
	const oldPlayer = hopper.Player as Player;
	join(hopper, servers[1]);
	advance(0.5);
	hopFrom.removePlayer(oldPlayer);
	say(`${hopper.Name} left ${names.get(hopFrom)} (after joining S2: Roblox does not order the two servers)`);
	Kit.waitUntil(() => loadedOn(hopper), 60);
	const hopSeconds = Kit.now() - hopStart;
	say(
		`${hopper.Name} hop S1 -> S2 took ${string.format("%.1f", hopSeconds)} s (locked load retried after SessionRetryCooldown)`,
	);
	drain();

	// A crash: S2 dies without saving. Its players' locks stay until S1 sees that S2's heartbeat entry (MemoryStore,
	// refreshed every 6 s, 17 s TTL) is gone; then S1 takes each lock with a fenced write.
	const crashedPlayers = new Array<DemoPlayer>();
	let takeoverSeconds = -1;
	if (options.Crash !== false) {
		const victim = servers[1];
		for (const person of people) if (person.Server === victim) crashedPlayers.push(person);
		say(
			`server S2 CRASHES with ${crashedPlayers.size()} players (changes since their last save are lost, by design)`,
		);
		victim.crash();
		Kit.timelineNote(`server 2 crashes with ${crashedPlayers.size()} players`, universe);
		for (const person of crashedPlayers) {
			person.Server = undefined;
			person.Player = undefined;
		}
		advance(5);
		const rejoinAt = Kit.now();
		for (const person of crashedPlayers) join(person, servers[0]);
		Kit.timelineNote("they rejoin on server 1: locked until the dead server's heartbeat expires", universe);
		if (Kit.waitUntil(() => crashedPlayers.every(loadedOn), 120)) takeoverSeconds = Kit.now() - rejoinAt;
		say(
			`the dead server's locks were taken over ${string.format("%.1f", takeoverSeconds)} s after they rejoined (its heartbeat expired; without it: SessionExpiry, 30 minutes)`,
		);
		advance(15);
	}

	// Everybody leaves; the remaining servers shut down (BindToClose saves what is left).
	Kit.timelineNote("everyone leaves; servers shut down", universe);
	for (const person of people) if (person.Server !== undefined && person.Server !== servers[0]) leave(person);
	for (const server of servers) {
		if (server.isAlive) {
			say(`server ${names.get(server)} shuts down`);
			server.shutdown();
		}
	}
	Kit.waitUntil(() => servers.every(server => !server.isAlive), 60);
	drain();

	// Verify against the backend.
	let dataLost = 0;
	let duplicated = 0;
	let sessions = 0;
	const confirmedEarned = new Map<number, number>();
	for (const server of servers) {
		const stats = server.require<GameModule>(options.GameModule).ExampleStats;
		sessions += stats.SessionsLoaded;
		for (const [userId, earned] of stats.ConfirmedEarned) {
			confirmedEarned.set(userId, math.max(earned, confirmedEarned.get(userId) ?? 0));
		}
	}
	for (const person of people) {
		const value = universe.dataStores.read(store, tostring(person.UserId))?.value as PlayerData | undefined;
		const before = person.Start;
		const base = (field: "Bought" | "Gifted" | "Earned") => (before !== undefined ? before[field] : 0);
		if (value === undefined) {
			dataLost += 1;
			say(`CHECK ${person.Name}: no data`);
			continue;
		}
		const problems = new Array<string>();
		if (value.Bought - base("Bought") < person.Bought) problems.push("purchase lost");
		if (value.Bought - base("Bought") > person.Bought) problems.push("purchase duplicated");
		if (value.Gifted - base("Gifted") < person.Gifted) problems.push("gift lost");
		if (value.Gifted - base("Gifted") > person.Gifted) problems.push("gift duplicated");
		if (value.Earned < (confirmedEarned.get(person.UserId) ?? 0)) problems.push("saved earnings lost");
		if (value.Coins !== value.Earned + value.Bought + value.Gifted) problems.push("coins inconsistent");
		if (value.Session !== undefined) problems.push("still locked");
		for (const problem of problems) {
			if (problem.find("duplicated", 1, true)[0] !== undefined) duplicated += 1;
			else dataLost += 1;
		}
		say(
			`CHECK ${person.Name}: ${value.Coins} coins (earned ${value.Earned}, bought ${value.Bought}, gifted ${value.Gifted}), ${value.Sessions} sessions${problems.size() > 0 ? " PROBLEMS: " + problems.join(", ") : ""}`,
		);
	}

	const requests = new Map<string, number>();
	for (const entry of universe.dataStores.requests()) {
		requests.set(entry.method, (requests.get(entry.method) ?? 0) + 1);
		const byOutcome = `${entry.method} ${entry.outcome}`;
		requests.set(byOutcome, (requests.get(byOutcome) ?? 0) + 1);
	}
	if (options.BackendFile !== undefined) {
		universe.dataStores.saveToFile(options.BackendFile);
		say(`backend saved to ${options.BackendFile}`);
	}
	if (options.TimelineFile !== undefined) {
		Kit.writeTimeline(
			options.TimelineFile,
			universe,
			"session-locker demo: 3 servers, purchases, gifts, a server hop, a crash and shutdown",
		);
		say(`timeline picture written to ${options.TimelineFile}`);
	}
	const summary: DemoSummary = {
		ContinuedFromFile: continued,
		Servers: serverCount,
		Players: people.size(),
		Sessions: sessions,
		Requests: requests,
		PurchasesMade: handles.size(),
		PurchasesGranted: universe.marketplace.granted().size(),
		GiftsSent: giftsSent,
		GiftsConfirmed: giftsConfirmed,
		HopSeconds: hopSeconds,
		TakeoverSeconds: takeoverSeconds,
		DataLost: dataLost,
		Duplicated: duplicated,
		Lines: lines,
	};
	universe.destroy();
	return summary;
}

/** The summary as printed at the end of the demo. */
// What each request count means, for the summary.
const REQUEST_MEANING: Record<string, string> = {
	"UpdateAsync ok": "read-modify-writes that committed: loads (taking the lock), saves, releases, gifts",
	"UpdateAsync cancelled":
		"the library read the key and chose not to write: mostly a load that found the player still locked by another server (retried a few seconds later), and checks after an uncertain save",
	"UpdateAsync error": "failed requests (throttles or injected faults); the library retries them",
	"GetAsync ok": "plain reads",
	"SetAsync ok": "blind writes",
};

export function formatSummary(summary: DemoSummary): Array<string> {
	const out = new Array<string>();
	out.push("==== summary ====");
	out.push(`continued from a previous run: ${summary.ContinuedFromFile ? "yes" : "no"}`);
	out.push(`servers: ${summary.Servers}, players: ${summary.Players}, sessions loaded: ${summary.Sessions}`);
	out.push("DataStore requests made by all servers:");
	const names = new Array<string>();
	for (const [name] of summary.Requests) if (name.find(" ", 1, true)[0] !== undefined) names.push(name);
	names.sort();
	for (const name of names) {
		const meaning = REQUEST_MEANING[name];
		const count = string.format("%-22s %5d", name, summary.Requests.get(name) ?? 0);
		out.push(`  ${count}${meaning !== undefined ? `  ${meaning}` : ""}`);
	}
	out.push(
		`purchases granted: ${summary.PurchasesGranted} of ${summary.PurchasesMade} (each coin pack credited once)`,
	);
	out.push(`gifts delivered: ${summary.GiftsConfirmed} of ${summary.GiftsSent} (sent to players on other servers)`);
	out.push(
		`server hop: ${string.format("%.1f", summary.HopSeconds)} s (virtual) from joining the new server to being loaded there`,
	);
	out.push(`duplicated: ${summary.Duplicated} (purchases or gifts applied more than once)`);
	out.push(
		`data lost: ${summary.DataLost} (changes the game was told were safe, a confirmed save, a granted purchase or a delivered gift, that are missing from the DataStore at the end; coins earned after a server's last save and before it crashed are not counted, since no save ever confirmed them)`,
	);
	return out;
}
