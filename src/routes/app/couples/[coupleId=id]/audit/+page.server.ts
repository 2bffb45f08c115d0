import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
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
	let query = db()
		.selectFrom('audit_log')
		.leftJoin('users', 'users.id', 'audit_log.actor_id')
		.select([
			'audit_log.id',
			'audit_log.at',
			'audit_log.action',
			'audit_log.target_type',
			'users.display_name as actor'
		])
		.where('audit_log.couple_id', '=', params.coupleId)
		.where('audit_log.actor_id', '=', user.id);
	if (action) query = query.where('audit_log.action', 'like', `${action.replace(/[%_]/g, '')}%`);
	if (isCalendarDay(from)) query = query.where('audit_log.at', '>=', new Date(`${from}T00:00:00Z`));
	if (isCalendarDay(to))
		query = query.where(
			'audit_log.at',
			'<',
			new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000)
		);
	const rows = await query.orderBy('audit_log.id', 'desc').limit(500).execute();
	const actions = await db()
		.selectFrom('audit_log')
		.select('action')
		.distinct()
		.where('couple_id', '=', params.coupleId)
		.where('actor_id', '=', user.id)
		.orderBy('action')
		.execute();
	return {
		rows,
		actions: actions.map((a) => a.action),
		filter: { action, from, to },
		coupleId: params.coupleId
	};
}) satisfies PageServerLoad;
