// What each partner of a therapist's couples has done lately, for the therapist home.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema';

export interface PartnerActivity {
	coupleId: string;
	coupleLabel: string;
	userId: string;
	partnerName: string;
	/** Answers saved in the window. */
	answers: number;
	lastAt: Date;
}

/** Answers saved since `since` on the therapist's current couples, per partner, latest first. */
export async function recent(
	db: Kysely<Database>,
	therapistId: string,
	since: Date
): Promise<PartnerActivity[]> {
	// Grouped by ids first, then named: grouping thousands of answers by text columns costs more.
	const rows = await db
		.with('recent', (qb) =>
			qb
				.selectFrom('responses as r')
				.innerJoin('assignments as a', 'a.id', 'r.assignment_id')
				.innerJoin('couples as c', 'c.id', 'a.couple_id')
				.select(['a.couple_id', 'r.user_id'])
				.select((eb) => [
					eb.fn.countAll<string>().as('answers'),
					eb.fn.max('r.updated_at').as('last_at')
				])
				.where('r.updated_at', '>=', since)
				.where('c.therapist_id', '=', therapistId)
				.where('c.archived_at', 'is', null)
				.groupBy(['a.couple_id', 'r.user_id'])
		)
		.selectFrom('recent')
		.innerJoin('couples as c', 'c.id', 'recent.couple_id')
		.innerJoin('couple_members as m', (join) =>
			join.onRef('m.couple_id', '=', 'recent.couple_id').onRef('m.user_id', '=', 'recent.user_id')
		)
		.select([
			'recent.couple_id',
			'recent.user_id',
			'c.label',
			'm.display_name',
			'recent.answers',
			'recent.last_at'
		])
		.orderBy('recent.last_at', 'desc')
		.execute();
	return rows.map((row) => ({
		coupleId: row.couple_id,
		coupleLabel: row.label,
		userId: row.user_id,
		partnerName: row.display_name,
		answers: Number(row.answers),
		lastAt: new Date(row.last_at)
	}));
}
