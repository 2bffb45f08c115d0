import { db } from '$lib/server/db';
import * as progress from '$lib/server/progress';
import { loadSection } from '../section.server';
import type { PageServerLoad } from './$types';

/** The record section: the timeline of work and notes, the exports and the audit trail. */
export const load = (async ({ locals, params }) => {
	const { couple, summary } = await loadSection(locals, params.coupleId);
	return { couple, summary, timeline: await progress.timelineFor(db(), couple.id) };
}) satisfies PageServerLoad;
