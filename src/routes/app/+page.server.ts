import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user } = requireTherapist(locals);
	const rows = await db()
		.selectFrom('couples')
		.leftJoin('couple_members', 'couple_members.couple_id', 'couples.id')
		.select([
			'couples.id',
			'couples.label',
			'couples.archived_at',
			'couple_members.display_name',
			'couple_members.user_id',
			'couple_members.slot'
		])
		.where('couples.therapist_id', '=', user.id)
		.orderBy('couples.label')
		.orderBy('couple_members.slot')
		.execute();
	const couples = new Map<
		string,
		{
			id: string;
			label: string;
			archived: boolean;
			partners: { userId: string | null; name: string }[];
		}
	>();
	for (const row of rows) {
		const couple = couples.get(row.id) ?? {
			id: row.id,
			label: row.label,
			archived: row.archived_at !== null,
			partners: []
		};
		if (row.display_name) couple.partners.push({ userId: row.user_id, name: row.display_name });
		couples.set(row.id, couple);
	}
	return { couples: [...couples.values()].filter((c) => !c.archived) };
}) satisfies PageServerLoad;
