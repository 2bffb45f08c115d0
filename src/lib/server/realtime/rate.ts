// A token bucket: `perSecond` messages a second sustained, the same number as a burst. Kept in memory,
// because it guards one connection or one person's stream of saves on this instance.
export function tokenBucket(perSecond: number) {
	let tokens = perSecond;
	let last = Date.now();
	return function take(): boolean {
		const now = Date.now();
		tokens = Math.min(perSecond, tokens + ((now - last) / 1000) * perSecond);
		last = now;
		if (tokens < 1) return false;
		tokens -= 1;
		return true;
	};
}

const buckets = new Map<string, { take: () => boolean; seen: number }>();

/** One bucket per key (e.g. a user), forgotten after a quiet minute so the map stays small. */
export function takeFor(key: string, perSecond: number): boolean {
	const now = Date.now();
	if (buckets.size > 10_000) {
		for (const [k, b] of buckets) if (now - b.seen > 60_000) buckets.delete(k);
	}
	let bucket = buckets.get(key);
	if (!bucket) {
		bucket = { take: tokenBucket(perSecond), seen: now };
		buckets.set(key, bucket);
	}
	bucket.seen = now;
	return bucket.take();
}
