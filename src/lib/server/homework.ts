// Where each assignment stands for each partner, what a partner has to do, and reminders (nudges).
import type { Kysely } from 'kysely';
import { itemById, itemsFor, type ExerciseDefinition } from '$lib/exercises/definition';
import type { AssignmentMode, Database, PartnerRole } from './db/schema';
import type { ReminderKind } from './db/schema';
import type { RoomContext } from './rooms/context';
import { definitionFor } from './rooms/visibility';

import type { PartnerStatus } from '$lib/exercises/status';

export type { PartnerStatus };

export interface PartnerProgress {
	userId: string;
	name: string;
	status: PartnerStatus;
	answered: number;
	total: number;
	lastNudgedAt: Date | null;
}

export interface AssignmentSummary {
	id: string;
	coupleId: string;
	coupleLabel: string;
	title: string;
	definitionId: string;
	version: number;
	mode: AssignmentMode;
	status: 'open' | 'closed';
	dueAt: Date | null;
	isOverdue: boolean;
	note: string | null;
	createdAt: Date;
	/** A live room: when the therapist first opened it (null until then: it has not started). */
	openedAt: Date | null;
	partners: PartnerProgress[];
	/** The schedule this is an occurrence of (0 first), and whether it closed unfinished as missed. */
	scheduleId: string | null;
	occurrence: number | null;
	missed: boolean;
}

/** The sections a partner answers: those with at least one item meant for their role. */
export function sectionsFor(definition: ExerciseDefinition, role: PartnerRole) {
	const mine = new Set(itemsFor(definition, role).map((i) => i.id));
	return definition.sections
		.map((s) => ({ id: s.id, itemIds: s.items.filter((i) => mine.has(i.id)).map((i) => i.id) }))
		.filter((s) => s.itemIds.length > 0);
}

export function statusOf(
	definition: ExerciseDefinition,
	role: PartnerRole,
	answered: ReadonlySet<string>,
	locked: ReadonlySet<string>
): { status: PartnerStatus; answered: number; total: number } {
	const sections = sectionsFor(definition, role);
	const itemIds = sections.flatMap((s) => s.itemIds);
	const count = itemIds.filter((id) => answered.has(id)).length;
	const isLocked = sections.length > 0 && sections.every((s) => locked.has(s.id));
	const status: PartnerStatus = isLocked
		? 'locked'
		: count > 0 || locked.size > 0
			? 'in-progress'
			: 'not-started';
	return { status, answered: count, total: itemIds.length };
}

type AssignmentFilter = {
	therapistId?: string;
	coupleId?: string;
	assignmentId?: string;
	/** A partner's own list: their couples' assignments, the other partner's progress as they may see it. */
	partnerId?: string;
	onlyOpen?: boolean;
};

/** Assignments with each joined partner's progress, newest first. */
export async function summaries(
	db: Kysely<Database>,
	filter: AssignmentFilter
): Promise<AssignmentSummary[]> {
	let query = db
		.selectFrom('assignments as a')
		.innerJoin('couples as c', 'c.id', 'a.couple_id')
		.select([
			'a.id',
			'a.couple_id',
			'a.definition_id',
			'a.mode',
			'a.status',
			'a.due_at',
			'a.note',
			'a.created_at',
			'a.schedule_id',
			'a.occurrence',
			'a.missed_at',
			'a.opened_at',
			'c.label',
			'c.roles_apply'
		])
		.where('c.archived_at', 'is', null);
	if (filter.therapistId) query = query.where('c.therapist_id', '=', filter.therapistId);
	if (filter.coupleId) query = query.where('a.couple_id', '=', filter.coupleId);
	if (filter.assignmentId) query = query.where('a.id', '=', filter.assignmentId);
	if (filter.partnerId) {
		const partnerId = filter.partnerId;
		query = query.where(({ exists, selectFrom }) =>
			exists(
				selectFrom('couple_members as me')
					.select('me.id')
					.whereRef('me.couple_id', '=', 'a.couple_id')
					.where('me.user_id', '=', partnerId)
			)
		);
	}
	if (filter.onlyOpen) query = query.where('a.status', '=', 'open');
	const rows = await query.orderBy('a.created_at', 'desc').execute();
	if (rows.length === 0) return [];

	const ids = rows.map((r) => r.id);
	const coupleIds = [...new Set(rows.map((r) => r.couple_id))];
	// Each exercise version once: joined per row, a year of check-ins carried its definition each time.
	// Ids go as one array parameter (`= any($1)`): a list of hundreds plans slower, PGlite most.
	const definitionIds = [...new Set(rows.map((r) => r.definition_id))];
	const [definitions, members, responses, locks, nudges] = await Promise.all([
		db
			.selectFrom('exercise_definitions')
			.select(['id', 'version', 'definition'])
			.where((eb) => eb('id', '=', eb.fn.any(eb.val(definitionIds))))
			.execute(),
		db
			.selectFrom('couple_members')
			.select(['couple_id', 'user_id', 'display_name', 'role'])
			.where((eb) => eb('couple_id', '=', eb.fn.any(eb.val(coupleIds))))
			.where('user_id', 'is not', null)
			.orderBy('slot')
			.execute(),
		db
			.selectFrom('responses')
			.select(['assignment_id', 'user_id', 'item_id'])
			.where((eb) => eb('assignment_id', '=', eb.fn.any(eb.val(ids))))
			.execute(),
		db
			.selectFrom('section_locks')
			.select(['assignment_id', 'user_id', 'section_id'])
			.where((eb) => eb('assignment_id', '=', eb.fn.any(eb.val(ids))))
			.execute(),
		db
			.selectFrom('nudges')
			.select(['assignment_id', 'user_id'])
			.select((eb) => eb.fn.max('created_at').as('last'))
			.where((eb) => eb('assignment_id', '=', eb.fn.any(eb.val(ids))))
			.groupBy(['assignment_id', 'user_id'])
			.execute()
	]);
	const key = (a: string, u: string) => `${a}:${u}`;
	const answered = new Map<string, Set<string>>();
	for (const r of responses) {
		const k = key(r.assignment_id, r.user_id);
		if (!answered.has(k)) answered.set(k, new Set());
		answered.get(k)!.add(r.item_id);
	}
	const locked = new Map<string, Set<string>>();
	for (const l of locks) {
		const k = key(l.assignment_id, l.user_id);
		if (!locked.has(k)) locked.set(k, new Set());
		locked.get(k)!.add(l.section_id);
	}
	const nudged = new Map(
		nudges.map((n) => [key(n.assignment_id, n.user_id), n.last ? new Date(n.last) : null])
	);
	const definitionOf = new Map(definitions.map((d) => [d.id, d]));
	// Grouped once: a therapist's open homework spans every couple, so filtering per row was quadratic.
	const membersOf = new Map<string, typeof members>();
	for (const m of members) membersOf.set(m.couple_id, [...(membersOf.get(m.couple_id) ?? []), m]);
	const now = Date.now();

	return rows.map((row) => {
		const stored = definitionOf.get(row.definition_id)!;
		const definition = stored.definition as ExerciseDefinition;
		const couple = membersOf.get(row.couple_id) ?? [];
		const roleOf = (m: (typeof couple)[number]) => (row.roles_apply ? m.role : 'none');
		// A partner counts the other's progress only over items the reveal rules let them know of.
		const me = filter.partnerId ? couple.find((m) => m.user_id === filter.partnerId) : undefined;
		const counted = me
			? definitionFor(definition, { userId: me.user_id!, kind: 'partner', role: roleOf(me) })
			: definition;
		const partners = couple.map((m) => {
			const k = key(row.id, m.user_id!);
			return {
				userId: m.user_id!,
				name: m.display_name,
				...statusOf(counted, roleOf(m), answered.get(k) ?? new Set(), locked.get(k) ?? new Set()),
				lastNudgedAt: nudged.get(k) ?? null
			};
		});
		const isDone =
			row.status === 'closed' ||
			(partners.length > 0 && partners.every((p) => p.status === 'locked'));
		return {
			id: row.id,
			coupleId: row.couple_id,
			coupleLabel: row.label,
			title: definition.title,
			definitionId: row.definition_id,
			version: stored.version,
			mode: row.mode,
			status: row.status,
			dueAt: row.due_at,
			isOverdue:
				row.mode === 'homework' && !isDone && row.due_at !== null && row.due_at.getTime() < now,
			note: row.note,
			createdAt: row.created_at,
			openedAt: row.opened_at,
			partners,
			scheduleId: row.schedule_id,
			occurrence: row.occurrence,
			missed: row.missed_at !== null
		};
	});
}

/** What the therapist home shows of one open assignment (no more, as a practice has hundreds). */
export type WorkItem = Pick<
	AssignmentSummary,
	'id' | 'coupleId' | 'coupleLabel' | 'title' | 'mode' | 'dueAt' | 'isOverdue'
> & { partners: Pick<PartnerProgress, 'name' | 'status'>[] };

export interface WorkThisWeek {
	overdue: WorkItem[];
	/** Homework due within the next seven days that someone still has to finish. */
	dueSoon: WorkItem[];
	/** Open live assignments: rooms ready to run. */
	live: WorkItem[];
	/** Open homework due later or without a due date, still to finish. */
	later: WorkItem[];
}

const workItem = (a: AssignmentSummary): WorkItem => ({
	id: a.id,
	coupleId: a.coupleId,
	coupleLabel: a.coupleLabel,
	title: a.title,
	mode: a.mode,
	dueAt: a.dueAt,
	isOverdue: a.isOverdue,
	partners: a.partners.map((p) => ({ name: p.name, status: p.status }))
});

const WEEK = 7 * 24 * 3600_000;

/** Sorts a therapist's open assignments into what needs her eye this week; finished homework drops out. */
export function workThisWeek(assignments: AssignmentSummary[], now: Date): WorkThisWeek {
	const open = assignments.filter((a) => a.status === 'open');
	const homework = open
		.filter((a) => a.mode === 'homework' && !a.partners.every((p) => p.status === 'locked'))
		.sort((x, y) => (x.dueAt?.getTime() ?? Infinity) - (y.dueAt?.getTime() ?? Infinity));
	const isSoon = (a: AssignmentSummary) =>
		!a.isOverdue && a.dueAt !== null && a.dueAt.getTime() - now.getTime() <= WEEK;
	return {
		overdue: homework.filter((a) => a.isOverdue).map(workItem),
		dueSoon: homework.filter(isSoon).map(workItem),
		live: open.filter((a) => a.mode === 'live').map(workItem),
		later: homework.filter((a) => !a.isOverdue && !isSoon(a)).map(workItem)
	};
}

export interface PartnerHome {
	due: (AssignmentSummary & { myStatus: PartnerStatus })[];
	liveNow: AssignmentSummary[];
	done: AssignmentSummary[];
	reminders: { assignmentId: string; title: string; at: Date; kind: ReminderKind }[];
}

/** What a partner sees on /c: homework still to do (overdue first), live rooms open now, recent work. */
export async function partnerHome(db: Kysely<Database>, userId: string): Promise<PartnerHome> {
	const all = await summaries(db, { partnerId: userId });
	const due: PartnerHome['due'] = [];
	const liveNow: AssignmentSummary[] = [];
	const done: AssignmentSummary[] = [];
	for (const a of all) {
		const mine = a.partners.find((p) => p.userId === userId);
		const myStatus = mine?.status ?? 'not-started';
		if (a.mode === 'live' && a.status === 'open') liveNow.push(a);
		// Homework with nothing for this partner's role is not theirs to do.
		else if (
			a.mode === 'homework' &&
			a.status === 'open' &&
			myStatus !== 'locked' &&
			(mine?.total ?? 0) > 0
		)
			due.push({ ...a, myStatus });
		else done.push(a);
	}
	due.sort(
		(x, y) =>
			Number(y.isOverdue) - Number(x.isOverdue) ||
			(x.dueAt?.getTime() ?? Infinity) - (y.dueAt?.getTime() ?? Infinity)
	);
	const nudgeRows = await db
		.selectFrom('nudges as n')
		.innerJoin('assignments as a', 'a.id', 'n.assignment_id')
		.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
		.select(['n.assignment_id', 'n.created_at', 'n.kind', 'd.definition'])
		.where('n.user_id', '=', userId)
		.where('n.dismissed_at', 'is', null)
		.where('a.status', '=', 'open')
		.orderBy('n.created_at', 'desc')
		.execute();
	const stillDue = new Set(due.map((d) => d.id));
	// The newest reminder of each assignment only: the scheduler's add up over a week.
	const reminded = new Set<string>();
	const reminders = nudgeRows
		.filter((n) => stillDue.has(n.assignment_id))
		.filter((n) => !reminded.has(n.assignment_id) && !!reminded.add(n.assignment_id))
		.map((n) => ({
			assignmentId: n.assignment_id,
			title: (n.definition as ExerciseDefinition).title,
			at: n.created_at,
			kind: n.kind
		}));
	return { due, liveNow, done: done.slice(0, 10), reminders };
}

export interface Agreement {
	assignmentId: string;
	title: string;
	decidedAt: Date;
	entries: {
		itemId: string;
		prompt: string;
		value: unknown;
		item: ExerciseDefinition['sections'][number]['items'][number];
	}[];
}

/**
 * What a couple has agreed: for each exercise, the joint answers of its most recent assignment
 * that has any (the boundary agreement, the reassurance plan, or a custom exercise's joint items).
 */
export async function agreements(db: Kysely<Database>, coupleId: string): Promise<Agreement[]> {
	const rows = await db
		.selectFrom('joint_answers as j')
		.innerJoin('assignments as a', 'a.id', 'j.assignment_id')
		.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
		.select([
			'j.assignment_id',
			'j.item_id',
			'j.value',
			'j.updated_at',
			'a.created_at',
			'd.key',
			'd.owner_id',
			'd.definition'
		])
		.where('a.couple_id', '=', coupleId)
		// Only what both agreed: a proposal nobody confirmed is not an agreement (rooms/joint.ts).
		.where('j.confirmed_at', 'is not', null)
		.orderBy('a.created_at', 'desc')
		.execute();
	const latestByExercise = new Map<string, string>();
	for (const row of rows) {
		const exercise = `${row.owner_id ?? ''}:${row.key}`;
		if (!latestByExercise.has(exercise)) latestByExercise.set(exercise, row.assignment_id);
	}
	const chosen = new Set(latestByExercise.values());
	const byAssignment = new Map<string, Agreement>();
	for (const row of rows) {
		if (!chosen.has(row.assignment_id)) continue;
		const definition = row.definition as ExerciseDefinition;
		const agreement = byAssignment.get(row.assignment_id) ?? {
			assignmentId: row.assignment_id,
			title: definition.title,
			decidedAt: row.updated_at,
			entries: []
		};
		const item = itemById(definition, row.item_id);
		if (!item) continue;
		if (row.updated_at > agreement.decidedAt) agreement.decidedAt = row.updated_at;
		agreement.entries.push({ itemId: row.item_id, prompt: item.prompt, value: row.value, item });
		byAssignment.set(row.assignment_id, agreement);
	}
	// Entries in the exercise's own order, so the agreement reads like the exercise.
	for (const agreement of byAssignment.values()) {
		const row = rows.find((r) => r.assignment_id === agreement.assignmentId)!;
		const order = (row.definition as ExerciseDefinition).sections.flatMap((s) =>
			s.items.map((i) => i.id)
		);
		agreement.entries.sort((x, y) => order.indexOf(x.itemId) - order.indexOf(y.itemId));
	}
	return [...byAssignment.values()];
}

/** Records an in-app reminder for a partner of the assignment; returns false for someone who is not one. */
export async function nudge(
	db: Kysely<Database>,
	context: RoomContext,
	partnerId: string
): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
	if (context.actor.kind !== 'therapist')
		return { ok: false, message: 'Only the therapist sends reminders.' };
	if (!context.members.some((m) => m.userId === partnerId)) {
		return { ok: false, message: 'That person is not a partner in this couple.' };
	}
	if (context.assignment.status === 'closed')
		return { ok: false, message: 'This exercise has ended.' };
	const row = await db
		.insertInto('nudges')
		.values({
			assignment_id: context.assignment.id,
			user_id: partnerId,
			sent_by: context.actor.userId
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return { ok: true, id: row.id };
}

/** A partner opened the homework: its reminders are done. */
export async function dismissReminders(db: Kysely<Database>, assignmentId: string, userId: string) {
	await db
		.updateTable('nudges')
		.set({ dismissed_at: new Date() })
		.where('assignment_id', '=', assignmentId)
		.where('user_id', '=', userId)
		.where('dismissed_at', 'is', null)
		.execute();
}
