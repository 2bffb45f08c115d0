// An assignment's results for its therapist: both partners' answers side by side, where they differ,
// the joint decisions and the scores. Reading them is a therapist read of responses, so it is audited.
import type { Kysely } from 'kysely';
import type { ExerciseItem } from '$lib/exercises/definition';
import { scoreAssignment, type AssignmentScores } from '$lib/exercises/scoring';
import { isDivergent } from '$lib/exercises/answers';
import type { Database } from '../db/schema';
import type { RoomContext } from './context';
import * as audit from '../audit';
import { summaries, type PartnerProgress } from '../homework';

export interface ResultItem {
	item: ExerciseItem;
	/** One value per partner, in member order (undefined: not answered). */
	values: unknown[];
	/** Steps apart on the item's ordered scale, when it has one and they differ. */
	distance: number | null;
	isDivergent: boolean;
	joint: unknown;
}

/** The scores laid out for a table: one row per subscale or index, one column per partner. */
export interface ScoreView {
	partners: string[];
	agreement: {
		rate: number | null;
		same: number;
		compared: number;
		kappa: number | null;
		kappaNote: string | null;
	} | null;
	rows: { label: string; isIndex: boolean; values: (number | null)[] }[];
	notice: string;
}

export interface Results {
	partners: PartnerProgress[];
	sections: { id: string; title: string; items: ResultItem[] }[];
	/** Items where the partners differ on an ordered scale, furthest apart first: the session's agenda. */
	divergences: { itemId: string; prompt: string; distance: number }[];
	scores: ScoreView;
	mode: 'homework' | 'live';
	status: 'open' | 'closed';
	dueAt: Date | null;
	note: string | null;
	isOverdue: boolean;
	/** A scheduled occurrence that closed before it was done. */
	missed: boolean;
	title: string;
	version: number;
}

const words = (name: string) => name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());

function scoreView(scores: AssignmentScores, names: string[]): ScoreView {
	const subscales = [...new Set(scores.partners.flatMap((p) => Object.keys(p.subscales)))];
	const rows: ScoreView['rows'] = subscales.map((name) => ({
		label: words(name),
		isIndex: false,
		values: scores.partners.map((p) => (name in p.subscales ? (p.subscales[name] ?? null) : null))
	}));
	if (scores.partners.some((p) => p.index !== null)) {
		rows.push({
			label: 'Readiness index (injured partner)',
			isIndex: true,
			values: scores.partners.map((p) => p.index)
		});
	}
	const { agreement } = scores;
	return {
		partners: names,
		agreement: agreement
			? {
					rate: agreement.rate,
					same: agreement.same,
					compared: agreement.compared,
					kappa: agreement.kappa,
					kappaNote: agreement.kappaNote
				}
			: null,
		rows,
		notice: scores.notice
	};
}

export async function forAssignment(db: Kysely<Database>, context: RoomContext): Promise<Results> {
	const id = context.assignment.id;
	const [summary] = await summaries(db, { coupleId: context.coupleId, assignmentId: id });
	const [responses, joint] = await Promise.all([
		db
			.selectFrom('responses')
			.select(['user_id', 'item_id', 'value'])
			.where('assignment_id', '=', id)
			.execute(),
		db
			.selectFrom('joint_answers')
			.select(['item_id', 'value'])
			.where('assignment_id', '=', id)
			// A proposal nobody confirmed is not an agreement (rooms/joint.ts).
			.where('confirmed_at', 'is not', null)
			.execute()
	]);
	await audit.record(db, {
		actorId: context.actor.userId,
		action: 'responses.view',
		targetType: 'assignment',
		targetId: id,
		coupleId: context.coupleId,
		detail: { view: 'results' }
	});

	const partnerIds = summary.partners.map((p) => p.userId);
	const answers: Record<string, Record<string, unknown>> = {};
	for (const row of responses) (answers[row.user_id] ??= {})[row.item_id] = row.value;
	const jointByItem = Object.fromEntries(joint.map((j) => [j.item_id, j.value]));
	const roles = Object.fromEntries(
		context.members.flatMap((m) => (m.userId ? [[m.userId, m.role]] : []))
	);
	const scores = scoreAssignment(
		context.definition,
		partnerIds.map((userId) => ({
			userId,
			role: roles[userId] ?? 'none',
			answers: answers[userId] ?? {}
		}))
	);
	const apart = new Map(scores.divergences.map((d) => [d.itemId, d.distance]));

	const sections = context.definition.sections.map((section) => ({
		id: section.id,
		title: section.title,
		items: section.items.map((item) => {
			const values = partnerIds.map((userId) => answers[userId]?.[item.id]);
			return {
				item,
				values,
				distance: apart.get(item.id) ?? null,
				isDivergent: values.length === 2 && isDivergent(item, values[0], values[1]),
				joint: jointByItem[item.id]
			};
		})
	}));

	return {
		partners: summary.partners,
		sections,
		divergences: scores.divergences.map((d) => ({
			itemId: d.itemId,
			prompt: d.prompt,
			distance: d.distance
		})),
		scores: scoreView(
			scores,
			summary.partners.map((p) => p.name)
		),
		mode: summary.mode,
		status: summary.status,
		dueAt: summary.dueAt,
		note: summary.note,
		isOverdue: summary.isOverdue,
		missed: summary.missed,
		title: summary.title,
		version: summary.version
	};
}
