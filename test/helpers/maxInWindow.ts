/** The most of `times` (seconds) that fall in any `width`-second window: how bunched a schedule is. */
export function maxInWindow(times: Array<number>, width: number): number {
	const sorted = [...times].sort((a, b) => a < b);
	let best = 0;
	let from = 0;
	for (let to = 0; to < sorted.size(); to++) {
		while (sorted[to] - sorted[from] >= width) from += 1;
		best = math.max(best, to - from + 1);
	}
	return best;
}
