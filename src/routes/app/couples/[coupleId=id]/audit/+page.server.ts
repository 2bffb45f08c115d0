import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as audit from '$lib/server/audit';
import * as couples from '$lib/server/couples';
import { isCalendarDay } from '$lib/server/forms';
import type { PageServerLoad } from './$types';

/** The therapist's own trail of what was done to one couple's record, filtered by action and date. */
export const load = (async ({ locals, params, url }) => {
	const { user } = requireTherapist(locals);
	if (!(await couples.canAccess(db(), user, params.coupleId)))
		error(404, 'There is no such couple.');
	// Filters only narrow the list: a NUL is dropped, a day that is not on the calendar is ignored.
	const action = url.searchParams.get('action')?.replaceAll('\u0000', '').slice(0, 80) ?? '';
	const from = url.searchParams.get('from')?.slice(0, 10) ?? '';
	const to = url.searchParams.get('to')?.slice(0, 10) ?? '';
	const filter = { action, from: isCalendarDay(from) ? from : '', to: isCalendarDay(to) ? to : '' };
	const [rows, actions] = await Promise.all([
		audit.coupleTrail(db(), user.id, params.coupleId, filter),
		audit.coupleTrailActions(db(), user.id, params.coupleId)
	]);
	return {
		rows,
		targets: await audit.trailTargets(db(), params.coupleId, rows),
		actions,
		filter: { action, from, to },
		coupleId: params.coupleId
	};
}) satisfies PageServerLoad;
