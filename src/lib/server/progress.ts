// Loads a couple's history once (a handful of queries, whatever its length) and scores every completed
// assignment, for the couple page, the partners' progress page and the exports.
import type { Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import { NOT_VALIDATED_NOTICE, scoreAssignment } from '$lib/exercises/scoring';
import {
	NOISE_NOTICE,
	PARTNER_NOISE_NOTICE,
	agreementHistory,
	latestDivergences,
	trends,
	type AgreementPoint,
	type DivergentItem,
	type ExerciseTrend,
	type ScoredAssignment
} from '$lib/progress/trends';
import type { AssignmentMode, Database, PartnerRole } from './db/schema';
import * as audit from './audit';
import { statusOf } from './homework';
import { sessionDay, TEMPLATES } from './notes';
import { visibleAnswers, type Viewer } from './rooms/visibility';

export interface ProgressPartner {
	userId: string;
	name: string;
	role: PartnerRole;
}

export interface HistoryAssignment {
	id: string;
	definitionId: string;
	title: string;
	version: number;
	mode: AssignmentMode;
	status: 'open' | 'closed';
	isComplete: boolean;
	createdAt: Date;
	dueAt: Date | null;
	closedAt: Date | null;
	/** When the work was done: closing, else the last lock or answer, else when it was set. */
	date: Date;
}

export interface CoupleHistory {
	coupleId: string;
	label: string;
	progressVisible: boolean;
	partners: ProgressPartner[];
	/** Every assignment, oldest first. */
	assignments: HistoryAssignment[];
	/** Completed assignments, scored, oldest first. */
	scored: ScoredAssignment[];
	/** Assignments whose scenario sections were all revealed to the partners. */
	revealed: Set<string>;
	/** The sections revealed to the partners, per assignment. */
	revealedSections: Map<string, Set<string>>;
	/** The exercise versions used, by definition id. */
	definitions: Map<
		string,
		{ key: string; ownerId: string | null; version: number; definition: ExerciseDefinition }
	>;
	/** Every stored answer, for exports: per assignment, per partner, per item. */
	answers: Map<string, Record<string, Record<string, { value: unknown; at: Date }>>>;
	joint: Map<string, Record<string, { value: unknown; at: Date }>>;
}

function scoreOf(
	definition: ExerciseDefinition,
	partners: ProgressPartner[],
	answers: Record<string, Record<string, unknown>>
) {
	return scoreAssignment(
		definition,
		partners.map((p) => ({ userId: p.userId, role: p.role, answers: answers[p.userId] ?? {} }))
	);
}

const latest = (dates: (Date | undefined)[]) =>
	dates.reduce<Date | undefined>((a, b) => (b && (!a || b > a) ? b : a), undefined);

export async function coupleHistory(
	db: Kysely<Database>,
	coupleId: string
): Promise<CoupleHistory | null> {
	const [couple, members, rows] = await Promise.all([
		db
			.selectFrom('couples')
			.select(['id', 'label', 'roles_apply', 'progress_visible'])
			.where('id', '=', coupleId)
			.executeTakeFirst(),
		db
			.selectFrom('couple_members')
			.select(['user_id', 'display_name', 'role'])
			.where('couple_id', '=', coupleId)
			.where('user_id', 'is not', null)
			.orderBy('slot')
			.execute(),
		db
			.selectFrom('assignments')
			.select([
				'id',
				'definition_id',
				'mode',
				'status',
				'created_at',
				'due_at',
				'closed_at',
				'missed_at'
			])
			.where('couple_id', '=', coupleId)
			.orderBy('created_at')
			.execute()
	]);
	if (!couple) return null;

	// By the couple's assignment ids, so each table is read through its primary key: joined to
	// assignments on couple_id instead, the planner scanned every couple's answers. One array
	// parameter (`= any($1)`) rather than a list of them plans faster, PGlite most (docs/benchmarks.md).
	const ids = rows.map((r) => r.id);
	const definitionIds = [...new Set(rows.map((r) => r.definition_id))];
	const [responses, locks, reveals, joint, stored] = await Promise.all([
		db
			.selectFrom('responses')
			.select(['assignment_id', 'user_id', 'item_id', 'value', 'updated_at'])
			.where((eb) => eb('assignment_id', '=', eb.fn.any(eb.val(ids))))
			.execute(),
		db
			.selectFrom('section_locks')
			.select(['assignment_id', 'user_id', 'section_id', 'locked_at'])
			.where((eb) => eb('assignment_id', '=', eb.fn.any(eb.val(ids))))
			.execute(),
		db
			.selectFrom('section_reveals')
			.select(['assignment_id', 'section_id'])
			.where((eb) => eb('assignment_id', '=', eb.fn.any(eb.val(ids))))
			.execute(),
		db
			.selectFrom('joint_answers')
			.select(['assignment_id', 'item_id', 'value', 'updated_at'])
			.where((eb) => eb('assignment_id', '=', eb.fn.any(eb.val(ids))))
			.where('confirmed_at', 'is not', null)
			.execute(),
		db
			.selectFrom('exercise_definitions')
			.select(['id', 'key', 'owner_id', 'version', 'definition'])
			.where((eb) => eb('id', '=', eb.fn.any(eb.val(definitionIds))))
			.execute()
	]);

	const definitions = new Map<
		string,
		{ key: string; ownerId: string | null; version: number; definition: ExerciseDefinition }
	>();
	for (const d of stored) {
		definitions.set(d.id, {
			key: d.key,
			ownerId: d.owner_id,
			version: d.version,
			definition: d.definition as ExerciseDefinition
		});
	}

	const partners = members.map((m) => ({
		userId: m.user_id!,
		name: m.display_name,
		role: couple.roles_apply ? m.role : ('none' as PartnerRole)
	}));

	const answers = new Map<string, Record<string, Record<string, { value: unknown; at: Date }>>>();
	for (const r of responses) {
		const byUser = answers.get(r.assignment_id) ?? {};
		(byUser[r.user_id] ??= {})[r.item_id] = { value: r.value, at: r.updated_at };
		answers.set(r.assignment_id, byUser);
	}
	const lockedBy = new Map<string, Map<string, { sections: Set<string>; last: Date }>>();
	for (const l of locks) {
		const byUser = lockedBy.get(l.assignment_id) ?? new Map();
		const entry = byUser.get(l.user_id) ?? { sections: new Set<string>(), last: l.locked_at };
		entry.sections.add(l.section_id);
		if (l.locked_at > entry.last) entry.last = l.locked_at;
		byUser.set(l.user_id, entry);
		lockedBy.set(l.assignment_id, byUser);
	}
	const revealedSections = new Map<string, Set<string>>();
	for (const r of reveals) {
		const set = revealedSections.get(r.assignment_id) ?? new Set<string>();
		set.add(r.section_id);
		revealedSections.set(r.assignment_id, set);
	}
	const jointByAssignment = new Map<string, Record<string, { value: unknown; at: Date }>>();
	for (const j of joint) {
		const byItem = jointByAssignment.get(j.assignment_id) ?? {};
		byItem[j.item_id] = { value: j.value, at: j.updated_at };
		jointByAssignment.set(j.assignment_id, byItem);
	}

	const assignments: HistoryAssignment[] = [];
	const scored: ScoredAssignment[] = [];
	const revealed = new Set<string>();
	for (const row of rows) {
		const stored = definitions.get(row.definition_id);
		if (!stored) continue;
		const { definition } = stored;
		const given = answers.get(row.id) ?? {};
		const locked = lockedBy.get(row.id) ?? new Map();
		// A scheduled occurrence closed as missed is not finished work, whatever was answered of it.
		const isComplete =
			(row.status === 'closed' && row.missed_at === null) ||
			(partners.length === 2 &&
				partners.every(
					(p) =>
						statusOf(
							definition,
							p.role,
							new Set(Object.keys(given[p.userId] ?? {})),
							locked.get(p.userId)?.sections ?? new Set()
						).status === 'locked'
				));
		const lastWork = latest([
			...[...locked.values()].map((l) => l.last),
			...Object.values(given).flatMap((items) => Object.values(items).map((a) => a.at))
		]);
		const date = row.closed_at ?? lastWork ?? row.created_at;
		assignments.push({
			id: row.id,
			definitionId: row.definition_id,
			title: definition.title,
			version: stored.version,
			mode: row.mode,
			status: row.status,
			isComplete,
			createdAt: row.created_at,
			dueAt: row.due_at,
			closedAt: row.closed_at,
			date
		});
		const shown = revealedSections.get(row.id) ?? new Set();
		const scenarioSections = definition.sections.filter((s) =>
			s.items.some((i) => i.type === 'scenario')
		);
		if (scenarioSections.every((s) => shown.has(s.id))) revealed.add(row.id);
		if (!isComplete) continue;

		const values = Object.fromEntries(
			Object.entries(given).map(([userId, items]) => [
				userId,
				Object.fromEntries(Object.entries(items).map(([itemId, a]) => [itemId, a.value]))
			])
		);
		scored.push({
			id: row.id,
			exercise: `${stored.ownerId ?? 'built-in'}:${stored.key}`,
			title: definition.title,
			version: stored.version,
			mode: row.mode,
			date,
			definition,
			answers: values,
			scores: scoreOf(definition, partners, values)
		});
	}

	return {
		coupleId: couple.id,
		label: couple.label,
		progressVisible: couple.progress_visible,
		partners,
		assignments,
		scored,
		revealed,
		revealedSections,
		definitions,
		answers,
		joint: jointByAssignment
	};
}

export interface TimelineEntry {
	kind: 'homework' | 'live' | 'note';
	id: string;
	/** ISO date the entry sits at: when the work was done, or when it was set while still open. */
	date: string;
	title: string;
	state: 'complete' | 'open' | 'overdue' | 'ended' | 'draft' | 'signed';
	href: string;
}

export interface TherapistProgress {
	partners: string[];
	trends: ExerciseTrend[];
	agreement: AgreementPoint[];
	divergences: DivergentItem[];
	timeline: TimelineEntry[];
	progressVisible: boolean;
	notice: string;
	noiseNotice: string;
}

/** The couple's assignments and progress notes, newest first. Psychotherapy notes stay out of the record. */
async function timeline(db: Kysely<Database>, history: CoupleHistory): Promise<TimelineEntry[]> {
	const notes = await db
		.selectFrom('notes')
		.select(['id', 'template', 'signed_at', 'created_at'])
		.select(sessionDay)
		.where('couple_id', '=', history.coupleId)
		.where('kind', '=', 'progress')
		.execute();
	const now = Date.now();
	const base = `/app/couples/${history.coupleId}`;
	const entries: TimelineEntry[] = history.assignments.map((a) => ({
		kind: a.mode,
		id: a.id,
		date: (a.isComplete || a.status === 'closed' ? a.date : a.createdAt).toISOString(),
		title: a.title,
		state: a.isComplete
			? 'complete'
			: a.status === 'closed'
				? 'ended'
				: a.mode === 'homework' && a.dueAt && a.dueAt.getTime() < now
					? 'overdue'
					: 'open',
		href: `${base}/assignments/${a.id}`
	}));
	for (const note of notes) {
		entries.push({
			kind: 'note',
			id: note.id,
			date: new Date(`${note.session_day}T12:00:00Z`).toISOString(),
			title: `${TEMPLATES[note.template].label} progress note`,
			state: note.signed_at ? 'signed' : 'draft',
			href: `${base}/notes/${note.id}`
		});
	}
	return entries.sort((x, y) => y.date.localeCompare(x.date));
}

/** The couple's timeline alone (the record section): no answers are shown, so no read is audited. */
export async function timelineFor(
	db: Kysely<Database>,
	coupleId: string
): Promise<TimelineEntry[]> {
	const history = await coupleHistory(db, coupleId);
	return history ? timeline(db, history) : [];
}

/**
 * Everything the couple page shows of progress: trends, agreement, where the partners diverge and
 * the timeline. Scores come from the partners' answers, so showing them is an audited read. The
 * caller has already found the couple among the actor's own (`couples.getForTherapist`).
 */
export async function forTherapist(
	db: Kysely<Database>,
	actor: { userId: string; ip?: string | null },
	coupleId: string
): Promise<TherapistProgress | null> {
	const history = await coupleHistory(db, coupleId);
	if (!history) return null;
	const partnerIds = history.partners.map((p) => p.userId);
	const [entries] = await Promise.all([
		timeline(db, history),
		audit.record(db, {
			actorId: actor.userId,
			action: 'responses.view',
			targetType: 'couple',
			targetId: coupleId,
			coupleId,
			ip: actor.ip,
			detail: { view: 'progress' }
		})
	]);
	return {
		partners: history.partners.map((p) => p.name),
		trends: trends(history.scored, partnerIds),
		agreement: agreementHistory(history.scored),
		divergences: latestDivergences(history.scored, partnerIds),
		timeline: entries,
		progressVisible: history.progressVisible,
		notice: NOT_VALIDATED_NOTICE,
		noiseNotice: NOISE_NOTICE
	};
}

export interface PartnerProgressView {
	coupleId: string;
	label: string;
	isVisible: boolean;
	/** The partner's own scores only. */
	trends: ExerciseTrend[];
	/** Agreement of assignments whose answers were revealed to both. */
	agreement: AgreementPoint[];
	notice: string;
	noiseNotice: string;
}

/** An assignment scored again from only the answers this viewer may see (reveal-rules.ts). */
function asSeenBy(
	history: CoupleHistory,
	viewer: Viewer,
	assignment: ScoredAssignment
): ScoredAssignment {
	const revealed = history.revealedSections.get(assignment.id) ?? new Set<string>();
	const answers = visibleAnswers(assignment.definition, viewer, assignment.answers, revealed);
	return {
		...assignment,
		answers,
		scores: scoreOf(assignment.definition, history.partners, answers)
	};
}

/**
 * A partner's progress page: their own trends and the couple's agreement over time, never the other
 * partner's scores or hidden answers: every figure is computed from only the answers this partner
 * may see, so agreement never counts a therapist-only item or one meant for the other role.
 * Null when the partner is not in the couple.
 */
export async function forPartner(
	db: Kysely<Database>,
	userId: string,
	coupleId: string
): Promise<PartnerProgressView | null> {
	const history = await coupleHistory(db, coupleId);
	const me = history?.partners.find((p) => p.userId === userId);
	if (!history || !me) return null;
	const base = {
		coupleId,
		label: history.label,
		isVisible: history.progressVisible,
		notice: NOT_VALIDATED_NOTICE,
		noiseNotice: PARTNER_NOISE_NOTICE
	};
	if (!history.progressVisible) return { ...base, trends: [], agreement: [] };
	const viewer: Viewer = { userId, kind: 'partner', role: me.role };
	const seen = history.scored.map((a) => asSeenBy(history, viewer, a));
	return {
		...base,
		trends: trends(seen, [userId]),
		agreement: agreementHistory(seen.filter((a) => history.revealed.has(a.id)))
	};
}
