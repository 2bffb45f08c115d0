// Loads a couple's history once (a handful of queries, whatever its length) and scores every completed
// assignment, for the couple page, the partners' progress page and the exports.
import type { Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import { scoreAssignment } from '$lib/exercises/scoring';
import type { ScoredAssignment } from '$lib/progress/trends';
import type { AssignmentMode, Database, PartnerRole } from './db/schema';
import { statusOf } from './homework';

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
	/** The exercise versions used, by definition id. */
	definitions: Map<
		string,
		{ key: string; ownerId: string | null; version: number; definition: ExerciseDefinition }
	>;
	/** Every stored answer, for exports: per assignment, per partner, per item. */
	answers: Map<string, Record<string, Record<string, { value: unknown; at: Date }>>>;
	joint: Map<string, Record<string, { value: unknown; at: Date }>>;
}

const latest = (dates: (Date | undefined)[]) =>
	dates.reduce<Date | undefined>((a, b) => (b && (!a || b > a) ? b : a), undefined);

export async function coupleHistory(
	db: Kysely<Database>,
	coupleId: string
): Promise<CoupleHistory | null> {
	const couple = await db
		.selectFrom('couples')
		.select(['id', 'label', 'roles_apply', 'progress_visible'])
		.where('id', '=', coupleId)
		.executeTakeFirst();
	if (!couple) return null;

	const [members, rows, responses, locks, reveals, joint] = await Promise.all([
		db
			.selectFrom('couple_members')
			.select(['user_id', 'display_name', 'role'])
			.where('couple_id', '=', coupleId)
			.where('user_id', 'is not', null)
			.orderBy('slot')
			.execute(),
		db
			.selectFrom('assignments')
			.select(['id', 'definition_id', 'mode', 'status', 'created_at', 'due_at', 'closed_at'])
			.where('couple_id', '=', coupleId)
			.orderBy('created_at')
			.execute(),
		db
			.selectFrom('responses as r')
			.innerJoin('assignments as a', 'a.id', 'r.assignment_id')
			.select(['r.assignment_id', 'r.user_id', 'r.item_id', 'r.value', 'r.updated_at'])
			.where('a.couple_id', '=', coupleId)
			.execute(),
		db
			.selectFrom('section_locks as l')
			.innerJoin('assignments as a', 'a.id', 'l.assignment_id')
			.select(['l.assignment_id', 'l.user_id', 'l.section_id', 'l.locked_at'])
			.where('a.couple_id', '=', coupleId)
			.execute(),
		db
			.selectFrom('section_reveals as r')
			.innerJoin('assignments as a', 'a.id', 'r.assignment_id')
			.select(['r.assignment_id', 'r.section_id'])
			.where('a.couple_id', '=', coupleId)
			.execute(),
		db
			.selectFrom('joint_answers as j')
			.innerJoin('assignments as a', 'a.id', 'j.assignment_id')
			.select(['j.assignment_id', 'j.item_id', 'j.value', 'j.updated_at'])
			.where('a.couple_id', '=', coupleId)
			.execute()
	]);

	const definitionIds = [...new Set(rows.map((r) => r.definition_id))];
	const definitions = new Map<
		string,
		{ key: string; ownerId: string | null; version: number; definition: ExerciseDefinition }
	>();
	if (definitionIds.length) {
		const stored = await db
			.selectFrom('exercise_definitions')
			.select(['id', 'key', 'owner_id', 'version', 'definition'])
			.where('id', 'in', definitionIds)
			.execute();
		for (const d of stored) {
			definitions.set(d.id, {
				key: d.key,
				ownerId: d.owner_id,
				version: d.version,
				definition: d.definition as ExerciseDefinition
			});
		}
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
		const isComplete =
			row.status === 'closed' ||
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
			scores: scoreAssignment(
				definition,
				partners.map((p) => ({ userId: p.userId, role: p.role, answers: values[p.userId] ?? {} }))
			)
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
		definitions,
		answers,
		joint: jointByAssignment
	};
}
