import { error } from '@sveltejs/kit';
import { sql } from 'kysely';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as audit from '$lib/server/audit';
import * as couples from '$lib/server/couples';
import { isCalendarDay } from '$lib/server/forms';
import { isId } from '$lib/input';
import type { TrailTarget } from './sentences';
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
		targets: await targetsOf(rows, params.coupleId),
		actions,
		filter: { action, from, to },
		coupleId: params.coupleId
	};
}) satisfies PageServerLoad;

/** What the rows point at, in two queries: each note's kind and day, each assignment's title. */
async function targetsOf(
	rows: { target_type: string | null; target_id: string | null }[],
	coupleId: string
): Promise<Record<string, TrailTarget>> {
	const idsOf = (type: string) => [
		...new Set(
			rows
				.filter((r) => r.target_type === type && isId(r.target_id))
				.map((r) => r.target_id as string)
		)
	];
	const noteIds = idsOf('note');
	const assignmentIds = idsOf('assignment');
	const [notes, assignments] = await Promise.all([
		noteIds.length === 0
			? []
			: db()
					.selectFrom('notes')
					.select(['id', 'kind'])
					.select(sql<string>`session_date::text`.as('day'))
					.where('couple_id', '=', coupleId)
					.where((eb) => eb('id', '=', eb.fn.any(eb.val(noteIds))))
					.execute(),
		assignmentIds.length === 0
			? []
			: db()
					.selectFrom('assignments as a')
					.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
					.select(['a.id', 'd.definition'])
					.where('a.couple_id', '=', coupleId)
					.where((eb) => eb('a.id', '=', eb.fn.any(eb.val(assignmentIds))))
					.execute()
	]);
	const targets: Record<string, TrailTarget> = {};
	for (const n of notes) targets[n.id] = { note: { kind: n.kind, day: n.day } };
	for (const a of assignments) targets[a.id] = { title: (a.definition as { title: string }).title };
	return targets;
}
