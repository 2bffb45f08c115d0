// The few lines at the top of every section of a couple's page: what is open and due, the last
// session, open safety flags and the one next step. Two small queries; the rest comes from the
// assignment summaries the page has already loaded.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema';
import type { CoupleDetail } from './couples';
import type { AssignmentSummary } from './homework';
import { sessionDay } from './notes';

export interface NextStep {
	text: string;
	href: string;
}

export interface CoupleSummaryView {
	open: number;
	overdue: number;
	/** The open homework due soonest. */
	nextDue: { id: string; title: string; dueAt: Date } | null;
	/** The newest live session, or the newest note's session day when that is later. */
	lastSession: { date: Date; isDay: boolean; text: string; href: string } | null;
	flags: { count: number; firstAssignmentId: string | null };
	nextStep: NextStep | null;
}

/** Is every joined partner finished with it (both locked)? */
export const isFinishedByBoth = (a: AssignmentSummary) =>
	a.partners.length > 0 && a.partners.every((p) => p.status === 'locked');

/** Open work is an open assignment someone still has to finish; the rest is finished. */
export const isOpenWork = (a: AssignmentSummary) => a.status === 'open' && !isFinishedByBoth(a);

export async function forCouple(
	db: Kysely<Database>,
	couple: CoupleDetail,
	assignments: AssignmentSummary[]
): Promise<CoupleSummaryView> {
	const [flags, lastNote] = await Promise.all([
		db
			.selectFrom('safety_flags')
			.select(['assignment_id'])
			.where('couple_id', '=', couple.id)
			.where('acknowledged_at', 'is', null)
			.orderBy('raised_at', 'desc')
			.execute(),
		db
			.selectFrom('notes')
			.select(['id'])
			.select(sessionDay)
			.where('couple_id', '=', couple.id)
			.where('kind', '=', 'progress')
			.orderBy('session_date', 'desc')
			.limit(1)
			.executeTakeFirst()
	]);
	const base = `/app/couples/${couple.id}`;
	const open = assignments.filter(isOpenWork);
	const overdue = open.filter((a) => a.isOverdue);
	const nextDue =
		open
			.filter((a) => a.mode === 'homework' && a.dueAt !== null)
			.sort((x, y) => x.dueAt!.getTime() - y.dueAt!.getTime())
			.map((a) => ({ id: a.id, title: a.title, dueAt: a.dueAt! }))[0] ?? null;

	// Assignments arrive newest first, so the first live one is the latest live session.
	const live = assignments.find((a) => a.mode === 'live');
	const sessions: NonNullable<CoupleSummaryView['lastSession']>[] = [];
	if (live) {
		sessions.push({
			date: live.createdAt,
			isDay: false,
			text: `live: ${live.title}`,
			href: `${base}/assignments/${live.id}`
		});
	}
	if (lastNote) {
		sessions.push({
			date: new Date(`${lastNote.session_day}T12:00:00Z`),
			isDay: true,
			text: 'progress note',
			href: `${base}/notes/${lastNote.id}`
		});
	}
	const lastSession = sessions.sort((x, y) => y.date.getTime() - x.date.getTime())[0] ?? null;

	return {
		open: open.length,
		overdue: overdue.length,
		nextDue,
		lastSession,
		flags: { count: flags.length, firstAssignmentId: flags[0]?.assignment_id ?? null },
		nextStep: nextStep(couple, assignments, flags[0]?.assignment_id ?? null)
	};
}

/** The one thing most worth doing next, in the order a therapist would pick it. */
function nextStep(
	couple: CoupleDetail,
	assignments: AssignmentSummary[],
	flaggedAssignmentId: string | null
): NextStep | null {
	const base = `/app/couples/${couple.id}`;
	if (flaggedAssignmentId) {
		return {
			text: 'Read the safety flag and acknowledge it',
			href: `${base}/assignments/${flaggedAssignmentId}`
		};
	}
	if (couple.archivedAt) return { text: 'Restore the couple to work with them again', href: base };
	const waiting = couple.members.filter((m) => m.invite.kind !== 'joined');
	if (waiting.length > 0) {
		const names = waiting.map((m) => m.name).join(' and ');
		return { text: `Invite ${names} so they can join`, href: `${base}#partners` };
	}
	const overdue = assignments.find((a) => isOpenWork(a) && a.isOverdue);
	if (overdue) {
		return {
			text: `${overdue.title} is overdue: send a reminder`,
			href: `${base}/assignments/${overdue.id}`
		};
	}
	const live = assignments.find((a) => a.mode === 'live' && a.status === 'open');
	if (live) return { text: `Run the live session: ${live.title}`, href: `/live/${live.id}` };
	const toRead = assignments.find((a) => a.status === 'open' && isFinishedByBoth(a));
	if (toRead) {
		return {
			text: `Both finished ${toRead.title}: read their answers`,
			href: `${base}/assignments/${toRead.id}`
		};
	}
	if (!assignments.some(isOpenWork)) {
		return { text: 'Nothing is open: assign an exercise', href: `${base}/assign` };
	}
	return null;
}
