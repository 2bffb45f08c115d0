// Fixed-window counters kept in the database, so every instance of the app shares the same limits.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

export interface Limit {
	/** Attempts allowed per window. */
	max: number;
	windowMs: number;
}

export const limits = {
	signInPerAccount: { max: 100, windowMs: 60 * 60_000 },
	signInPerIp: { max: 60, windowMs: 15 * 60_000 },
	totpPerSession: { max: 5, windowMs: 15 * 60_000 },
	signUpPerIp: { max: 10, windowMs: 60 * 60_000 },
	invitePerIp: { max: 30, windowMs: 15 * 60_000 },
	// Reset emails: a few per address an hour (beyond that none is sent, silently), more per client address.
	resetPerEmail: { max: 3, windowMs: 60 * 60_000 },
	resetPerIp: { max: 10, windowMs: 15 * 60_000 }
} satisfies Record<string, Limit>;

export type LimitState = { limited: false } | { limited: true; retryAfterSeconds: number };

function state(count: number, windowStart: Date, limit: Limit): LimitState {
	if (count < limit.max) return { limited: false };
	const retryAfterMs = windowStart.getTime() + limit.windowMs - Date.now();
	if (retryAfterMs <= 0) return { limited: false };
	return { limited: true, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
}

/** Whether the key has used up its window, without counting this look. */
export async function check(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitState> {
	const row = await db
		.selectFrom('rate_limits')
		.select(['count', 'window_start'])
		.where('key', '=', key)
		.executeTakeFirst();
	return row ? state(row.count, row.window_start, limit) : { limited: false };
}

/** Counts one attempt and returns the state after it. */
export async function hit(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitState> {
	const cutoff = new Date(Date.now() - limit.windowMs);
	const row = await db
		.insertInto('rate_limits')
		.values({ key, window_start: new Date(), count: 1 })
		.onConflict((oc) =>
			oc.column('key').doUpdateSet({
				count: sql`case when rate_limits.window_start < ${cutoff} then 1 else rate_limits.count + 1 end`,
				window_start: sql`case when rate_limits.window_start < ${cutoff} then now() else rate_limits.window_start end`
			})
		)
		.returning(['count', 'window_start'])
		.executeTakeFirstOrThrow();
	// The attempt that reaches the limit is itself allowed; the next one is refused.
	return state(row.count - 1, row.window_start, limit);
}

export async function reset(db: Kysely<Database>, key: string) {
	await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

export function describeWait(seconds: number): string {
	const minutes = Math.ceil(seconds / 60);
	return minutes <= 1 ? 'in a minute' : `in ${minutes} minutes`;
}
