// Twelve weeks of plausible history for the demo couples: weekly check-ins with a trend, the
// boundary exercise about monthly with its agreement, forgiveness readiness, a reassurance plan, homework due and
// overdue, and for Alex & Sam a live boundary room ready to join. Answers are generated from each
// definition's items, so the history follows the catalogue when its wording changes.
import type { Kysely } from 'kysely';
import {
	itemsFor,
	validateAnswer,
	type ExerciseDefinition,
	type ExerciseItem
} from '$lib/exercises/definition';
import type { Database, PartnerRole } from '../db/schema';
import type { DemoIds } from './seed';
import { installBuiltIns } from '../exercises';
import { seedSchedule, SCHEDULED_WEEKS } from './schedule';

const DAY = 24 * 3600_000;
/** How many weeks of weekly check-ins the demo couples have behind them. */
const WEEKS = 12;

/** The built-in exercises the demo uses, by catalogue key. */
export const DEMO_KEYS = {
	checkIn: 'trust-checkin',
	boundary: 'boundaries',
	forgiveness: 'forgiveness-readiness',
	reassurance: 'reassurance-plan',
	/** For a couple without injured/involved roles, whose partners have no forgiveness items to answer. */
	connection: 'connection-checkin'
} as const;

interface Partner {
	id: string;
	role: PartnerRole;
}

const HELPED = [
	'Told me about a late meeting before I had to ask.',
	'Sat with me when I was upset instead of leaving the room.',
	'Showed me the message from work without me asking.',
	'Planned a walk for the two of us on Sunday.',
	'Answered my question about that night calmly.',
	'Put the phone away at dinner every night.'
];
const NEEDS = [
	'A check-in call on the day I travel.',
	'Patience when I bring it up again.',
	'Some time alone on Saturday morning.',
	'To hear that you are still choosing us.',
	'Help with the kids while I see my friend.'
];
const PLAN = [
	'Text when plans change, before I have to ask',
	'Leave the phone face up at home',
	'Tell me straight away if the other person makes contact',
	'A ten-minute talk every evening about the day',
	'Introduce me to new colleagues'
];

/** A small deterministic hash, so the same demo looks the same on every machine. */
function hash(text: string): number {
	let h = 2166136261;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
	return Math.abs(h);
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(n)));

/**
 * A plausible answer for an item at a point of recovery `t` (0: raw, 1: much better). Safety items
 * always get their calmest option so the demo raises no flags. Also used by the page benchmark.
 */
export function answerFor(item: ExerciseItem, t: number, seed: string): unknown {
	const h = hash(`${item.id}:${seed}`);
	const jitter = (h % 3) - 1;
	switch (item.type) {
		case 'scenario': {
			const choices = ['ok', 'talk-first', 'crosses-line'];
			const base = hash(item.id) % 3;
			// Partners agree more often as t rises; when they differ, by one step.
			const differs = h % 100 > 35 + 50 * t;
			return {
				choice: choices[differs ? (base === 0 ? 1 : base - 1) : base],
				wantToKnow: base > 0
			};
		}
		case 'likert5': {
			const score = clamp(2 + 2.5 * t + jitter * 0.6, 1, 5);
			return item.reverse ? 6 - score : score;
		}
		case 'scale10':
			return clamp(3 + 5 * t + jitter, 0, 10);
		case 'choice': {
			const options = item.options ?? [];
			if (item.safety) return options[0]?.id;
			return options[clamp((1 - t) * (options.length - 1) + jitter * 0.4, 0, options.length - 1)]
				?.id;
		}
		case 'checklist': {
			const options = item.options ?? [];
			return options
				.slice(0, clamp(options.length * (0.4 + 0.6 * t), 1, options.length))
				.map((o) => o.id);
		}
		case 'text': {
			const prompt = item.prompt.toLowerCase();
			if (prompt.includes('when')) return 'Sunday evenings after dinner, for ten minutes.';
			return (prompt.includes('need') ? NEEDS : HELPED)[h % 5];
		}
		case 'list':
			return PLAN.slice(h % 2, (h % 2) + 3);
	}
}

/** The newest version of a built-in exercise, or null when it is not installed. */
export async function definitionId(db: Kysely<Database>, key: string) {
	const row = await db
		.selectFrom('exercise_definitions')
		.select(['id', 'definition'])
		.where('key', '=', key)
		.where('owner_id', 'is', null)
		.orderBy('version', 'desc')
		.limit(1)
		.executeTakeFirst();
	return row ? { id: row.id, definition: row.definition as ExerciseDefinition } : null;
}

interface Planned {
	key: string;
	mode: 'homework' | 'live';
	createdDaysAgo: number;
	dueInDays?: number;
	/** Per partner: how far they got. */
	progress: ('none' | 'some' | 'locked')[];
	isClosed: boolean;
	t: number;
	withJoint?: boolean;
	note?: string;
}

async function createAssignment(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	partners: Partner[],
	plan: Planned
): Promise<string | null> {
	const stored = await definitionId(db, plan.key);
	if (!stored) return null;
	const { definition } = stored;
	const createdAt = new Date(Date.now() - plan.createdDaysAgo * DAY);
	// Answered two days after it was set, or an hour ago for work set more recently: never in the future.
	const answeredAt = new Date(
		Math.max(createdAt.getTime(), Math.min(createdAt.getTime() + 2 * DAY, Date.now() - 3600_000))
	);
	const assignment = await db
		.insertInto('assignments')
		.values({
			couple_id: coupleId,
			definition_id: stored.id,
			mode: plan.mode,
			status: plan.isClosed ? 'closed' : 'open',
			due_at: plan.dueInDays === undefined ? null : new Date(Date.now() + plan.dueInDays * DAY),
			note: plan.note ?? null,
			current_section_id: plan.mode === 'live' ? (definition.sections[0]?.id ?? null) : null,
			created_by: therapistId,
			created_at: createdAt,
			closed_at: plan.isClosed ? new Date(Math.min(answeredAt.getTime() + DAY, Date.now())) : null
		})
		.returning('id')
		.executeTakeFirstOrThrow();

	const lockedBy = new Map<string, Set<string>>();
	for (const [index, partner] of partners.entries()) {
		const progress = plan.progress[index] ?? 'none';
		if (progress === 'none') continue;
		const mine = itemsFor(definition, partner.role);
		const items = progress === 'some' ? mine.slice(0, Math.ceil(mine.length / 3)) : mine;
		const rows = items.flatMap((item) => {
			const checked = validateAnswer(
				item,
				answerFor(item, plan.t, `${partner.id}:${plan.createdDaysAgo}`)
			);
			return checked.ok
				? [
						{
							assignment_id: assignment.id,
							user_id: partner.id,
							item_id: item.id,
							value: JSON.stringify(checked.value),
							updated_at: answeredAt
						}
					]
				: [];
		});
		if (rows.length) await db.insertInto('responses').values(rows).execute();
		if (progress === 'locked') {
			const ids = new Set(mine.map((i) => i.id));
			const sections = definition.sections
				.filter((s) => s.items.some((i) => ids.has(i.id)))
				.map((s) => s.id);
			lockedBy.set(partner.id, new Set(sections));
			if (sections.length) {
				await db
					.insertInto('section_locks')
					.values(
						sections.map((section_id) => ({
							assignment_id: assignment.id,
							user_id: partner.id,
							section_id,
							locked_at: answeredAt
						}))
					)
					.execute();
			}
		}
	}
	// A section both partners locked is revealed, as the live and homework flows would have done.
	const [a, b] = partners.map((p) => lockedBy.get(p.id) ?? new Set<string>());
	const revealed = definition.sections.filter((s) => a.has(s.id) && b.has(s.id)).map((s) => s.id);
	if (revealed.length) {
		await db
			.insertInto('section_reveals')
			.values(
				revealed.map((section_id) => ({
					assignment_id: assignment.id,
					section_id,
					revealed_at: answeredAt
				}))
			)
			.execute();
	}
	if (plan.withJoint) {
		const joint = definition.sections
			.filter((s) => revealed.includes(s.id) || plan.mode === 'live')
			.flatMap((s) => s.items.filter((i) => i.joint));
		const rows = joint.flatMap((item) => {
			const value = answerFor(item, 1, `joint:${plan.createdDaysAgo}`);
			const checked = validateAnswer(item, value);
			return checked.ok
				? [
						{
							assignment_id: assignment.id,
							item_id: item.id,
							value: JSON.stringify(checked.value),
							updated_by: partners[0].id,
							updated_at: answeredAt,
							// Proposed by one, confirmed by the other, as a live room agrees (rooms/joint.ts).
							proposed_by: partners[0].id,
							confirmed_by: partners[1]?.id ?? null,
							confirmed_at: answeredAt
						}
					]
				: [];
		});
		if (rows.length) await db.insertInto('joint_answers').values(rows).execute();
	}
	return assignment.id;
}

/** Adds the demo history to the freshly seeded practice (inside seedDemo's transaction). */
export async function seedHistory(db: Kysely<Database>, ids: DemoIds): Promise<void> {
	await installBuiltIns(db);
	const roles = await db
		.selectFrom('couple_members')
		.innerJoin('couples', 'couples.id', 'couple_members.couple_id')
		.select(['couple_members.user_id', 'couple_members.role', 'couples.roles_apply'])
		.where(
			'couple_members.couple_id',
			'in',
			ids.couples.map((c) => c.id)
		)
		.execute();
	const roleOf = (userId: string): PartnerRole => {
		const row = roles.find((r) => r.user_id === userId);
		return row && row.roles_apply ? row.role : 'none';
	};

	for (const [index, couple] of ids.couples.entries()) {
		const partners = couple.partnerIds.map((id) => ({ id, role: roleOf(id) }));
		// Each couple recovers at its own pace: from t0 twelve weeks ago to t1 now.
		const [t0, t1] = [
			[0.15, 0.75],
			[0.3, 0.55],
			[0.45, 0.5]
		][index % 3];
		const at = (weeksAgo: number) => t0 + ((t1 - t0) * (WEEKS - weeksAgo)) / WEEKS;
		const add = (plan: Planned) => createAssignment(db, ids.therapistId, couple.id, partners, plan);
		const hasRoles = partners.some((p) => p.role !== 'none');
		const readiness = hasRoles ? DEMO_KEYS.forgiveness : DEMO_KEYS.connection;

		const checkIns: string[] = [];
		for (let weeksAgo = WEEKS; weeksAgo >= 1; weeksAgo--) {
			const id = await add({
				key: DEMO_KEYS.checkIn,
				mode: 'homework',
				createdDaysAgo: weeksAgo * 7,
				dueInDays: -weeksAgo * 7 + 5,
				progress: ['locked', 'locked'],
				isClosed: true,
				t: at(weeksAgo)
			});
			if (id) checkIns.push(id);
		}
		// The boundary exercise about once a month, so agreement can be followed over time.
		for (const weeksAgo of [11.5, 7.5, 3.5]) {
			await add({
				key: DEMO_KEYS.boundary,
				mode: 'homework',
				createdDaysAgo: Math.round(weeksAgo * 7),
				dueInDays: -Math.round(weeksAgo * 7) + 5,
				progress: ['locked', 'locked'],
				isClosed: true,
				t: at(weeksAgo),
				withJoint: true,
				note: 'Take your time with each scenario; there are no wrong answers.'
			});
		}
		for (const weeksAgo of [8, 2]) {
			await add({
				key: readiness,
				mode: 'homework',
				createdDaysAgo: weeksAgo * 7 + 2,
				dueInDays: -weeksAgo * 7 + 3,
				progress: ['locked', 'locked'],
				isClosed: true,
				t: at(weeksAgo)
			});
		}
		await add({
			key: DEMO_KEYS.reassurance,
			mode: 'live',
			createdDaysAgo: 12,
			progress: ['locked', 'locked'],
			isClosed: true,
			t: at(1.5),
			withJoint: true
		});
		// Still to do: one overdue, one due this week.
		await add({
			key: readiness,
			mode: 'homework',
			createdDaysAgo: 9,
			dueInDays: -2,
			progress: ['some', 'none'],
			isClosed: false,
			t: at(0.5),
			note: 'Let us see how things have moved since last time.'
		});
		const current = await add({
			key: DEMO_KEYS.checkIn,
			mode: 'homework',
			createdDaysAgo: 1,
			dueInDays: 4,
			progress: ['none', 'some'],
			isClosed: false,
			t: t1
		});
		if (index === 0 && current) {
			// Alex & Sam's last weeks of check-ins, and the one open now, come from a weekly schedule.
			await seedSchedule(db, {
				coupleId: couple.id,
				therapistId: ids.therapistId,
				occurrences: [...checkIns.slice(-SCHEDULED_WEEKS), current]
			});
		}
		if (index === 0) {
			await add({
				key: DEMO_KEYS.boundary,
				mode: 'live',
				createdDaysAgo: 0,
				progress: ['none', 'none'],
				isClosed: false,
				t: t1
			});
		}
	}
}
