import { describe, expect, test } from 'vitest';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import { scoreAssignment } from '$lib/exercises/scoring';
import {
	agreementHistory,
	latestDivergences,
	measureTitle,
	noiseBand,
	seriesLabels,
	trends,
	weekToWeekNoise,
	type ScoredAssignment
} from './trends';

describe('week-to-week noise', () => {
	test('pools both partners’ successive differences (hand-computed)', () => {
		// Differences: 10, -10 and 0, 20. Mean square (100 + 100 + 0 + 400) / 4 = 150; / 2 = 75.
		expect(
			weekToWeekNoise([
				[50, 60, 50],
				[40, 40, 60]
			])
		).toBeCloseTo(Math.sqrt(75), 6);
	});

	test('skips missing weeks and needs three differences', () => {
		// Differences 10, 10 and 5: (100 + 100 + 25) / 3 = 75; / 2 = 37.5.
		expect(
			weekToWeekNoise([
				[50, null, 60],
				[40, 45]
			])
		).toBeNull();
		expect(
			weekToWeekNoise([
				[50, null, 60, 70],
				[40, 45]
			])
		).toBeCloseTo(Math.sqrt(37.5), 6);
	});

	test('the band starts from the first three times, ± twice the noise, kept within 0-100', () => {
		const band = noiseBand([
			[50, 60, 50],
			[40, 40, 60]
		]);
		// Baseline: mean of all six = 50; half-width 2 × √75 = 17.3.
		expect(band).toEqual({ baseline: 50, halfWidth: 17.3, low: 32.7, high: 67.3 });
		expect(
			noiseBand([
				[95, 100, 95, 100],
				[100, 95, 100, 95]
			])?.high
		).toBe(100);
	});

	test('a perfectly steady couple still gets a band two points wide', () => {
		expect(
			noiseBand([
				[50, 50, 50],
				[50, 50, 50]
			])
		).toMatchObject({ low: 48, high: 52 });
	});
});

const checkIn: ExerciseDefinition = {
	key: 'check',
	title: 'Check-in',
	purpose: 'p',
	instructions: 'i',
	estimatedMinutes: 1,
	sections: [
		{
			id: 's',
			title: 'S',
			items: [
				{
					id: 'trust',
					type: 'scale10',
					prompt: 'Trust',
					subscale: 'trust',
					target: 'both',
					reveal: 'simultaneous'
				},
				{
					id: 'scene',
					type: 'scenario',
					prompt: 'Texting an ex',
					target: 'both',
					reveal: 'simultaneous'
				}
			]
		}
	]
} as ExerciseDefinition;

function done(id: string, day: number, a: Record<string, unknown>, b: Record<string, unknown>) {
	return {
		id,
		exercise: 'built-in:check',
		title: 'Check-in',
		version: 1,
		mode: 'homework',
		date: new Date(Date.UTC(2026, 0, day)),
		definition: checkIn,
		answers: { A: a, B: b },
		scores: scoreAssignment(checkIn, [
			{ userId: 'A', role: 'none', answers: a },
			{ userId: 'B', role: 'none', answers: b }
		])
	} satisfies ScoredAssignment;
}

const history = [
	done(
		'w3',
		15,
		{ trust: 9, scene: { choice: 'ok' } },
		{ trust: 5, scene: { choice: 'crosses-line' } }
	),
	done('w1', 1, { trust: 5, scene: { choice: 'ok' } }, { trust: 4, scene: { choice: 'ok' } }),
	done(
		'w2',
		8,
		{ trust: 5, scene: { choice: 'ok' } },
		{ trust: 4, scene: { choice: 'talk-first' } }
	),
	done(
		'w4',
		22,
		{ trust: 5, scene: { choice: 'talk-first' } },
		{ trust: 4, scene: { choice: 'talk-first' } }
	)
];

describe('trends', () => {
	test('one series per subscale, per partner, oldest first, with moves beyond the band marked', () => {
		const [trend] = trends(history, ['A', 'B']);
		expect(trend.title).toBe('Check-in');
		expect(trend.measures.map((m) => m.id)).toEqual(['trust']);
		const [trust] = trend.measures;
		expect(trust.points.map((p) => p.assignmentId)).toEqual(['w1', 'w2', 'w3', 'w4']);
		expect(trust.points.map((p) => p.values)).toEqual([
			[50, 40],
			[50, 40],
			[90, 50],
			[50, 40]
		]);
		// Partner A's jump to 90 in week 3 is the one change beyond the couple's usual variation.
		expect(trust.points.map((p) => p.beyond)).toEqual([
			[false, false],
			[false, false],
			[true, false],
			[false, false]
		]);
	});

	test('an exercise done once has no trend; a partner list of one shows only that partner', () => {
		expect(trends(history.slice(0, 1), ['A', 'B'])).toEqual([]);
		const [trend] = trends(history, ['B']);
		expect(trend.measures[0].points.map((p) => p.values)).toEqual([[40], [40], [50], [40]]);
	});

	test('agreement per assignment over time, and the latest divergences in words', () => {
		expect(agreementHistory(history).map((p) => [p.assignmentId, p.rate])).toEqual([
			['w1', 1],
			['w2', 0],
			['w3', 0],
			['w4', 1]
		]);
		// The latest (w4) agrees on the scenario; trust is 1 step of 10 apart.
		expect(latestDivergences(history, ['A', 'B'])).toEqual([
			expect.objectContaining({
				assignmentId: 'w4',
				itemId: 'trust',
				distance: 1,
				share: 0.1,
				answers: ['5 of 10', '4 of 10']
			})
		]);
	});
});

describe('pairs of one partner’s items', () => {
	const paired = {
		...checkIn,
		scoring: {
			pairs: [
				{
					id: 'said-seen',
					label: 'Said and seen',
					first: { item: 'said', name: 'Said' },
					second: { item: 'seen', name: 'Seen' }
				}
			]
		},
		sections: [
			{
				id: 's',
				title: 'S',
				items: (['said', 'seen'] as const).map((id) => ({
					id,
					type: 'likert5' as const,
					prompt: id,
					target: 'injured' as const,
					reveal: 'therapist-only' as const
				}))
			}
		]
	} as ExerciseDefinition;
	const week = (id: string, day: number, said: number, seen: number) => ({
		...done(id, day, {}, {}),
		exercise: 'built-in:paired',
		definition: paired,
		answers: { A: { said, seen }, B: {} },
		scores: scoreAssignment(paired, [
			{ userId: 'A', role: 'injured', answers: { said, seen } },
			{ userId: 'B', role: 'involved', answers: {} }
		])
	});

	test('chart the two items as two series for the partner who answered them', () => {
		const history = [week('p1', 1, 5, 2), week('p2', 8, 5, 4)];
		const [trend] = trends(history, ['A', 'B']);
		const [measure] = trend.measures;
		expect(measure.pair).toEqual({ partner: 0, names: ['Said', 'Seen'] });
		expect(measure.points.map((p) => p.values)).toEqual([
			[100, 25],
			[100, 75]
		]);
		expect(seriesLabels(measure, ['Ann', 'Bo'])).toEqual(['Said', 'Seen']);
		expect(measureTitle(measure, ['Ann', 'Bo'])).toBe('Said and seen (Ann)');
		expect(measureTitle(measure, ['You'])).toBe('Said and seen');
	});

	test('need two times, like every trend', () => {
		expect(trends([week('p1', 1, 5, 2)], ['A', 'B'])).toEqual([]);
		// Partner B never answered them, so only A's pair shows.
		const [trend] = trends([week('p1', 1, 5, 2), week('p2', 8, 4, 4)], ['B', 'A']);
		expect(trend.measures.map((m) => m.pair?.partner)).toEqual([1]);
	});
});
