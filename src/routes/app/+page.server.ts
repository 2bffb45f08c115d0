import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
import * as couples from '$lib/server/couples';
import * as homework from '$lib/server/homework';
import * as safety from '$lib/server/safety';
import type { PageServerLoad } from './$types';

const filters = ['active', 'archived', 'all'] as const;

export const load = (async ({ locals, url }) => {
	const { user } = requireTherapist(locals);
	const search = (url.searchParams.get('q') ?? '').slice(0, 100);
	const requested = url.searchParams.get('show');
	const show = filters.find((f) => f === requested) ?? 'active';
	return {
		couples: await couples.listForTherapist(db(), user.id, { search, show }),
		search,
		show,
		flags: await safety.openFlags(db(), user.id),
		assignments: await homework.summaries(db(), { therapistId: user.id, onlyOpen: true })
	};
}) satisfies PageServerLoad;
