// The time zone a browser reports when its person signs up, signs in or accepts an invite: kept while
// the account still has the default, so the first sign-in sets it and a choice on the account page
// is never overwritten by whichever browser signs in next.
import * as v from 'valibot';
import type { Kysely } from 'kysely';
import { DEFAULT_TIME_ZONE, isTimeZone } from '$lib/dates';
import type { Database } from '../db/schema';
import { columnOf } from '../db/column';

/** The hidden `timeZone` field of those forms: anything, since nobody can see or fix it. */
export const detectedField = v.optional(v.string(), '');

/**
 * A zone this runtime knows (Intl.supportedValuesOf('timeZone')), in the runtime's own spelling, or
 * null for junk and blanks. Browsers may report a newer name of a zone (`Asia/Kolkata`,
 * `Europe/Kyiv`) than the runtime's list holds (`Asia/Calcutta`, `Europe/Kiev`): Intl resolves it.
 */
export function detected(value: unknown): string | null {
	if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null;
	if (isTimeZone(value)) return value;
	try {
		const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions()
			.timeZone;
		return isTimeZone(resolved) ? resolved : null;
	} catch {
		return null;
	}
}

/** Stores the detected zone when the user still has the default; returns whether it did. */
export async function adoptDetected(
	db: Kysely<Database>,
	userId: string,
	value: unknown
): Promise<boolean> {
	const zone = detected(value);
	if (!zone || zone === DEFAULT_TIME_ZONE) return false;
	const updated = await db
		.updateTable('users')
		.set({ time_zone: zone })
		.where('id', '=', userId)
		.where('time_zone', '=', DEFAULT_TIME_ZONE)
		.executeTakeFirst();
	return Number(updated.numUpdatedRows) > 0;
}

/** The zone a user's dates are written in (the default for an id that is not a user). */
export async function zoneOf(db: Kysely<Database>, userId: string): Promise<string> {
	return (await columnOf(db, 'users', 'time_zone', userId)) ?? DEFAULT_TIME_ZONE;
}
