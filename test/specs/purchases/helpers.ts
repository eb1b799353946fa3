// Shared helpers for the purchase and remote-change specs: a game world (test/helpers/world) of kit servers each
// running fixtures/Game, and readers of what the game stored.
import { addGameServer, GameWorld, gameWorld } from "../../helpers/world";
import { Kit, KitServer, MarketplaceKit } from "../../kit";
import type { Data, Game, GameOptions } from "./fixtures/Game";

export const GAME_MODULE = "ReplicatedStorage.Specs.specs.purchases.fixtures.Game";
export type GameModule = typeof import("./fixtures/Game");

/** Kit extension of runtime/services/MarketplaceService.luau (item 47). */
export interface MarketplaceKitExtensions extends MarketplaceKit {
	failRecording(count: number): void;
}

export type World = GameWorld<GameModule, Game>;

/** A universe of `serverCount` servers running fixtures/Game with `options`. */
export function worldWith(serverCount: number, options: GameOptions = {}, seed = 1): World {
	const universe = Kit.createUniverse({ seed, latency: { min: 0.1, max: 0.3 } });
	return gameWorld<GameModule, Game>(universe, GAME_MODULE, serverCount, m => m.start(options));
}

/** Starts one more server running the game. */
export function addServer(world: World, options: GameOptions = {}): [KitServer, Game] {
	return addGameServer(world, m => m.start(options));
}

export function stored(world: World, userId: number, storeName = "Players"): Data | undefined {
	const entry = world.universe.dataStores.read(storeName, tostring(userId));
	return entry?.value as Data | undefined;
}

export function storedPurchase(world: World, userId: number, purchaseId: string): Array<unknown> | undefined {
	const data = stored(world, userId);
	const list = (data as unknown as { Purchases?: Array<Array<unknown>> })?.Purchases;
	if (list === undefined) return undefined;
	for (const record of list) if (record[1] === purchaseId) return record;
	return undefined;
}

export function storedGift(world: World, userId: number, purchaseId: string): boolean {
	const data = stored(world, userId) as unknown as { GiftsReceived?: Array<Array<unknown>> } | undefined;
	for (const record of data?.GiftsReceived ?? []) if (record[1] === purchaseId) return true;
	return false;
}

export function joinAndLoad(world: World, serverIndex: number, userId: number, timeout = 30): Player {
	const player = world.servers[serverIndex].addPlayer({ userId });
	const ok = Kit.waitUntil(() => world.games[serverIndex].loaded(userId), timeout);
	assert(ok, `user ${userId} did not load on server ${serverIndex}`);
	return player;
}

export function marketplace(world: World): MarketplaceKitExtensions {
	return world.universe.marketplace as MarketplaceKitExtensions;
}

export function sum(list: Array<number>): number {
	let total = 0;
	for (const n of list) total += n;
	return total;
}

export function totalOf(world: World, pick: (game: Game) => number): number {
	let total = 0;
	for (const g of world.games) total += pick(g);
	return total;
}

export function hasReport(g: Game, text: string): boolean {
	for (const line of g.counters.reports) if (line.find(text, 1, true)[0] !== undefined) return true;
	return false;
}
