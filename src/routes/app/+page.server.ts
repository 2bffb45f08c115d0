import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as activity from '$lib/server/activity';
import * as couples from '$lib/server/couples';
import * as homework from '$lib/server/homework';
import * as safety from '$lib/server/safety';
import * as schedules from '$lib/server/schedules';
import type { PageServerLoad } from './$types';

const filters = ['active', 'archived', 'all'] as const;
const ACTIVITY_DAYS = 14;
const MISSED_DAYS = 28;

/** What a couple's card says beside its name: open and overdue work, a live room ready, last answers. */
function cardOf(
	coupleId: string,
	assignments: homework.AssignmentSummary[],
	recent: activity.PartnerActivity[]
) {
	const mine = assignments.filter((a) => a.coupleId === coupleId);
	const open = mine.filter(
		(a) => a.partners.length === 0 || a.partners.some((p) => p.status !== 'locked')
	);
	const live = mine.find((a) => a.mode === 'live');
	// `recent` is latest first, so the couple's first entry is its last activity.
	const last = recent.find((r) => r.coupleId === coupleId);
	return {
		open: open.length,
		overdue: open.filter((a) => a.isOverdue).length,
		liveReady: live ? { id: live.id, title: live.title } : null,
		lastActivity: last ? { at: last.lastAt, name: last.partnerName } : null
	};
}

export const load = (async ({ locals, url }) => {
	const { user } = requireTherapist(locals);
	// A search only filters, so a NUL (which PostgreSQL refuses in text) is dropped rather than refused.
	const search = (url.searchParams.get('q') ?? '').replaceAll('\u0000', '').slice(0, 100);
	const requested = url.searchParams.get('show');
	const show = filters.find((f) => f === requested) ?? 'active';
	const now = new Date();
	const since = new Date(now.getTime() - ACTIVITY_DAYS * 24 * 3600_000);
	const [list, flags, assignments, recent, missed] = await Promise.all([
		couples.listForTherapist(db(), user.id, { search, show }),
		safety.openFlags(db(), user.id),
		homework.summaries(db(), { therapistId: user.id, onlyOpen: true }),
		activity.recent(db(), user.id, since),
		schedules.missedSince(db(), user.id, new Date(now.getTime() - MISSED_DAYS * 24 * 3600_000))
	]);
	return {
		couples: list.map((couple) => ({ ...couple, ...cardOf(couple.id, assignments, recent) })),
		search,
		show,
		flags,
		work: homework.workThisWeek(assignments, now),
		activity: recent,
		activityDays: ACTIVITY_DAYS,
		missed,
		missedDays: MISSED_DAYS
	};
}) satisfies PageServerLoad;
