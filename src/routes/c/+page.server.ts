import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import * as couples from '$lib/server/couples';
import * as homework from '$lib/server/homework';
import * as schedules from '$lib/server/schedules';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user } = requirePartner(locals);
	const memberships = await couples.activeForPartner(db(), user.id);
	const ids = memberships.map((m) => m.id);
	const [members, home, agreements] = await Promise.all([
		couples.membersOf(db(), ids),
		homework.partnerHome(db(), user.id),
		Promise.all(ids.map((id) => homework.agreements(db(), id)))
	]);
	const repeats = await schedules.labels(
		db(),
		home.due.flatMap((d) => (d.scheduleId ? [d.scheduleId] : []))
	);
	return {
		home,
		repeats: Object.fromEntries(repeats),
		couples: memberships.map((m, index) => ({
			...m,
			agreements: agreements[index],
			people: members
				.filter((p) => p.couple_id === m.id)
				.map((p) => ({
					userId: p.user_id,
					name: p.user_id === user.id ? `${p.display_name} (you)` : p.display_name
				}))
		}))
	};
}) satisfies PageServerLoad;
