// A couple's progress over time, from their completed exercises: each repeated exercise's scores per
// partner, the couple's own week-to-week noise, agreement over time, and where they differ most now.
// Pure functions over already-scored assignments, shared by the therapist's pages, the partners'
// progress page and the exports.
import type { ExerciseDefinition } from '$lib/exercises/definition';
import { answerText } from '$lib/exercises/answers';
import { itemScore, type AssignmentScores } from '$lib/exercises/scoring';

export const NOISE_NOTICE =
	'The band is this couple’s own week-to-week variation around where they started. It helps a real change stand out; it is not a validated reliable-change index.';

/** The same band in a partner's words: what it shows, and that it is a guide, not a verdict. */
export const PARTNER_NOISE_NOTICE =
	'The shaded band shows your usual ups and downs from week to week, so that a real change stands out. It is a guide for talking with your therapist, not a test result.';

export interface ScoredAssignment {
	id: string;
	/** Groups versions of one exercise: built-ins by key, custom exercises by owner and key. */
	exercise: string;
	title: string;
	version: number;
	mode: 'homework' | 'live';
	date: Date;
	definition: ExerciseDefinition;
	/** Answers per partner user id. */
	answers: Record<string, Record<string, unknown>>;
	scores: AssignmentScores;
}

export interface TrendPoint {
	assignmentId: string;
	date: string;
	/** One score (0-100) per partner in the couple's order; null when that partner has none. */
	values: (number | null)[];
	/** Per partner: the score lies outside the noise band. */
	beyond: boolean[];
}

export interface Measure {
	id: string;
	label: string;
	/**
	 * Set for a pair of one partner's items (scoring.pairs): the index of that partner, and a name
	 * for each of the two series, which are then the items rather than the partners.
	 */
	pair?: { partner: number; names: [string, string] };
	points: TrendPoint[];
	/** The band: where the couple started, give or take their usual week-to-week change. */
	band: { low: number; high: number; baseline: number; halfWidth: number } | null;
}

export interface ExerciseTrend {
	exercise: string;
	title: string;
	measures: Measure[];
}

export interface AgreementPoint {
	assignmentId: string;
	title: string;
	date: string;
	/** Share of scenarios rated the same, 0-1. */
	rate: number | null;
	kappa: number | null;
	compared: number;
}

export interface DivergentItem {
	assignmentId: string;
	title: string;
	date: string;
	itemId: string;
	prompt: string;
	/** Steps apart, and the share of the item's scale that is. */
	distance: number;
	share: number;
	/** Each partner's answer in words, in the couple's order. */
	answers: string[];
}

const words = (name: string) => name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * How much a couple's scores usually move from one time to the next: the standard deviation implied
 * by successive differences (each partner's series separately, pooled), which a steady trend inflates
 * only a little. Null with fewer than three differences to go on.
 */
export function weekToWeekNoise(series: (number | null)[][]): number | null {
	const squares: number[] = [];
	for (const values of series) {
		const present = values.filter((v): v is number => v !== null);
		for (let i = 1; i < present.length; i++) squares.push((present[i] - present[i - 1]) ** 2);
	}
	if (squares.length < 3) return null;
	return Math.sqrt(squares.reduce((a, b) => a + b, 0) / squares.length / 2);
}

/** The band for one measure: baseline from the first three times, ± twice the noise. */
export function noiseBand(series: (number | null)[][]): Measure['band'] {
	const noise = weekToWeekNoise(series);
	if (noise === null) return null;
	const start = series.flatMap((values) =>
		values.slice(0, 3).filter((v): v is number => v !== null)
	);
	if (start.length === 0) return null;
	const baseline = start.reduce((a, b) => a + b, 0) / start.length;
	// A floor of 2 points keeps a perfectly steady couple from flagging every tiny move.
	const halfWidth = Math.max(2 * noise, 2);
	return {
		baseline: round1(baseline),
		halfWidth: round1(halfWidth),
		low: round1(Math.max(0, baseline - halfWidth)),
		high: round1(Math.min(100, baseline + halfWidth))
	};
}

/** Groups assignments by exercise, oldest first. */
function byExercise(assignments: ScoredAssignment[]): Map<string, ScoredAssignment[]> {
	const groups = new Map<string, ScoredAssignment[]>();
	const sorted = [...assignments].sort((a, b) => a.date.getTime() - b.date.getTime());
	for (const a of sorted) groups.set(a.exercise, [...(groups.get(a.exercise) ?? []), a]);
	return groups;
}

/**
 * Trends of every exercise done at least twice: each subscale, and the exercise's index when it has
 * one, per partner (`partnerIds` gives the order and which partners to include).
 */
export function trends(assignments: ScoredAssignment[], partnerIds: string[]): ExerciseTrend[] {
	const result: ExerciseTrend[] = [];
	for (const [exercise, list] of byExercise(assignments)) {
		if (list.length < 2) continue;
		const latest = list[list.length - 1];
		const measureIds = new Set<string>();
		for (const a of list) {
			for (const p of a.scores.partners) {
				for (const [name, value] of Object.entries(p.subscales)) {
					if (value !== null) measureIds.add(name);
				}
			}
		}
		const hasIndex = list.some((a) => a.scores.partners.some((p) => p.index !== null));
		const ids = [...measureIds].map((id) => ({ id, label: words(id) }));
		if (hasIndex) ids.push({ id: '#index', label: latest.scores.indexLabel ?? 'Index' });

		const measures: Measure[] = [];
		for (const { id, label } of ids) {
			const rows = list.map((a) => ({
				assignmentId: a.id,
				date: a.date.toISOString(),
				values: partnerIds.map((userId) => {
					const scores = a.scores.partners.find((p) => p.userId === userId);
					if (!scores) return null;
					const value = id === '#index' ? scores.index : (scores.subscales[id] ?? null);
					return value === null ? null : round1(value);
				})
			}));
			if (rows.every((r) => r.values.every((v) => v === null))) continue;
			const band = noiseBand(partnerIds.map((_, i) => rows.map((r) => r.values[i])));
			measures.push({
				id,
				label,
				band,
				points: rows.map((r) => ({
					...r,
					beyond: r.values.map(
						(v) => band !== null && v !== null && (v < band.low || v > band.high)
					)
				}))
			});
		}
		measures.push(...pairMeasures(list, partnerIds));
		if (measures.length) result.push({ exercise, title: latest.title, measures });
	}
	return result;
}

/**
 * Each pair the latest version declares, per partner who answered both items at least twice: the two
 * items as two series (0-100), without a band. Older versions count when they hold the same items.
 */
function pairMeasures(list: ScoredAssignment[], partnerIds: string[]): Measure[] {
	const latest = list[list.length - 1];
	const measures: Measure[] = [];
	for (const pair of latest.definition.scoring?.pairs ?? []) {
		for (const [partner, userId] of partnerIds.entries()) {
			const points = list.flatMap((a) => {
				const items = a.definition.sections.flatMap((s) => s.items);
				const first = items.find((i) => i.id === pair.first.item);
				const second = items.find((i) => i.id === pair.second.item);
				const answers = a.answers[userId] ?? {};
				const values = [
					first ? itemScore(first, answers[first.id]) : null,
					second ? itemScore(second, answers[second.id]) : null
				].map((v) => (v === null ? null : round1(v)));
				if (values.every((v) => v === null)) return [];
				return [{ assignmentId: a.id, date: a.date.toISOString(), values, beyond: [false, false] }];
			});
			if (points.length < 2) continue;
			measures.push({
				id: `#pair:${pair.id}:${partner}`,
				label: pair.label,
				pair: { partner, names: [pair.first.name, pair.second.name] },
				band: null,
				points
			});
		}
	}
	return measures;
}

/** What each series of a measure is: the partners by name, or a pair's two items. */
export function seriesLabels(measure: Measure, names: string[]): string[] {
	return measure.pair ? [...measure.pair.names] : names;
}

/** A measure's name, with whose it is when it is one partner's pair and there are two partners. */
export function measureTitle(measure: Measure, names: string[]): string {
	if (!measure.pair || names.length < 2) return measure.label;
	return `${measure.label} (${names[measure.pair.partner]})`;
}

/** Agreement on scenario ratings for every exercise that has scenarios, oldest first. */
export function agreementHistory(assignments: ScoredAssignment[]): AgreementPoint[] {
	return [...assignments]
		.sort((a, b) => a.date.getTime() - b.date.getTime())
		.flatMap((a) => {
			const agreement = a.scores.agreement;
			if (!agreement || agreement.compared === 0) return [];
			return [
				{
					assignmentId: a.id,
					title: a.title,
					date: a.date.toISOString(),
					rate: agreement.rate,
					kappa: agreement.kappa === null ? null : Math.round(agreement.kappa * 100) / 100,
					compared: agreement.compared
				}
			];
		});
}

/**
 * Where the partners are furthest apart now: the divergent items of each exercise's latest
 * assignment, by the share of the scale between them.
 */
export function latestDivergences(
	assignments: ScoredAssignment[],
	partnerIds: string[],
	limit = 8
): DivergentItem[] {
	const items: DivergentItem[] = [];
	for (const list of byExercise(assignments).values()) {
		const latest = list[list.length - 1];
		const byId = new Map(latest.definition.sections.flatMap((s) => s.items).map((i) => [i.id, i]));
		for (const d of latest.scores.divergences) {
			const item = byId.get(d.itemId);
			if (!item) continue;
			items.push({
				assignmentId: latest.id,
				title: latest.title,
				date: latest.date.toISOString(),
				itemId: d.itemId,
				prompt: d.prompt,
				distance: d.distance,
				share: Math.round(d.share * 100) / 100,
				answers: partnerIds.map((id) => answerText(item, latest.answers[id]?.[d.itemId]))
			});
		}
	}
	return items
		.sort((a, b) => b.share - a.share || b.distance - a.distance || b.date.localeCompare(a.date))
		.slice(0, limit);
}
