// Couples and who belongs to them; the single place that answers "may this person see this couple?".
import type { Kysely } from 'kysely';
import type { Database } from './db/schema';
import type { SessionUser } from './auth/session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID.test(value);
}

/** Ids of the couples a user may enter: a therapist's own, a partner's memberships. */
export async function idsFor(db: Kysely<Database>, user: Pick<SessionUser, 'id' | 'role'>) {
	if (user.role === 'therapist') {
		const rows = await db
			.selectFrom('couples')
			.select('id')
			.where('therapist_id', '=', user.id)
			.execute();
		return rows.map((r) => r.id);
	}
	const rows = await db
		.selectFrom('couple_members')
		.select('couple_id')
		.where('user_id', '=', user.id)
		.execute();
	return rows.map((r) => r.couple_id);
}

/** True when the user is the couple's therapist or one of its partners. */
export async function canAccess(
	db: Kysely<Database>,
	user: Pick<SessionUser, 'id' | 'role'>,
	coupleId: string
): Promise<boolean> {
	if (!isUuid(coupleId)) return false;
	if (user.role === 'therapist') {
		const row = await db
			.selectFrom('couples')
			.select('id')
			.where('id', '=', coupleId)
			.where('therapist_id', '=', user.id)
			.executeTakeFirst();
		return !!row;
	}
	const row = await db
		.selectFrom('couple_members')
		.select('id')
		.where('couple_id', '=', coupleId)
		.where('user_id', '=', user.id)
		.executeTakeFirst();
	return !!row;
}
