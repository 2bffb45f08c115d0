import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/guards';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user } = requirePartner(locals);
	const memberships = await db()
		.selectFrom('couple_members as me')
		.innerJoin('couples', 'couples.id', 'me.couple_id')
		.innerJoin('users as therapist', 'therapist.id', 'couples.therapist_id')
		.select(['couples.id', 'couples.label', 'therapist.display_name as therapistName'])
		.where('me.user_id', '=', user.id)
		.where('couples.archived_at', 'is', null)
		.execute();
	const ids = memberships.map((m) => m.id);
	const members = ids.length
		? await db()
				.selectFrom('couple_members')
				.select(['couple_id', 'user_id', 'display_name'])
				.where('couple_id', 'in', ids)
				.orderBy('slot')
				.execute()
		: [];
	return {
		couples: memberships.map((m) => ({
			...m,
			people: members
				.filter((p) => p.couple_id === m.id)
				.map((p) => ({
					userId: p.user_id,
					name: p.user_id === user.id ? `${p.display_name} (you)` : p.display_name
				}))
		}))
	};
}) satisfies PageServerLoad;
