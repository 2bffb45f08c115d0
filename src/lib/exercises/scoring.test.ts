import { describe, expect, it } from 'vitest';
import type { ExerciseDefinition } from './definition';
import {
	agreementRate,
	divergences,
	scoreAssignment,
	subscaleScores,
	weightedKappa
} from './scoring';

/** Expands a k×k table of counts (rows: first rater, columns: second) into rating pairs. */
function pairsFrom(table: number[][]): [number, number][] {
	return table.flatMap((row, i) =>
		row.flatMap((count, j) => Array.from({ length: count }, () => [i, j] as [number, number]))
	);
}

describe('weightedKappa', () => {
	it('matches a hand-computed linear-weighted kappa', () => {
		// n = 30. Weights 1, .5, 0. Po = (22 + .5 * 8) / 30 = .866667.
		// Row totals 12, 13, 5; column totals 13, 11, 6; Pe = 546 / 900 = .606667.
		// kappa = (.866667 - .606667) / (1 - .606667) = .661017.
		const result = weightedKappa(
			pairsFrom([
				[10, 2, 0],
				[3, 8, 2],
				[0, 1, 4]
			]),
			3
		);
		expect(result.kappa).toBeCloseTo(0.661, 3);
	});

	it('is 1 for perfect agreement with variation, and penalises far disagreements more than near ones', () => {
		expect(
			weightedKappa(
				[
					[0, 0],
					[1, 1],
					[2, 2]
				],
				3
			).kappa
		).toBeCloseTo(1, 10);
		const near = weightedKappa(
			[
				[0, 0],
				[1, 1],
				[2, 1],
				[1, 2]
			],
			3
		).kappa!;
		const far = weightedKappa(
			[
				[0, 0],
				[1, 1],
				[2, 0],
				[0, 2]
			],
			3
		).kappa!;
		expect(near).toBeGreaterThan(far);
	});

	it('reports "not enough variation" when every answer is the same', () => {
		expect(
			weightedKappa(
				[
					[2, 2],
					[2, 2],
					[2, 2]
				],
				3
			)
		).toEqual({ kappa: null, reason: 'not-enough-variation' });
	});

	it('stays defined when only one partner varies', () => {
		// One rater always answers 1; the other varies: Pe < 1, agreement no better than chance.
		const result = weightedKappa(
			[
				[1, 0],
				[1, 1],
				[1, 2]
			],
			3
		);
		expect(result.kappa).toBeCloseTo(0, 10);
	});

	it('reports no pairs when nothing was answered by both', () => {
		expect(weightedKappa([], 3)).toEqual({ kappa: null, reason: 'no-pairs' });
	});
});

describe('agreementRate', () => {
	it('is the share of identical ratings', () => {
		expect(
			agreementRate([
				[0, 0],
				[1, 2],
				[2, 2],
				[1, 1]
			])
		).toEqual({ rate: 0.75, same: 3, compared: 4 });
		expect(agreementRate([])).toEqual({ rate: null, same: 0, compared: 0 });
	});
});

const definition = {
	key: 'sample',
	title: 'Sample',
	purpose: 'Scoring tests',
	instructions: 'None',
	estimatedMinutes: 5,
	sections: [
		{
			id: 'lines',
			title: 'Lines',
			items: [
				{ id: 'a', type: 'scenario', prompt: 'A', target: 'both', reveal: 'simultaneous' },
				{ id: 'b', type: 'scenario', prompt: 'B', target: 'both', reveal: 'simultaneous' },
				{ id: 'c', type: 'scenario', prompt: 'C', target: 'both', reveal: 'simultaneous' }
			]
		},
		{
			id: 'readiness',
			title: 'Readiness',
			items: [
				{
					id: 'r1',
					type: 'likert5',
					prompt: 'R1',
					target: 'injured',
					reveal: 'therapist-only',
					subscale: 'ready'
				},
				{
					id: 'r2',
					type: 'likert5',
					prompt: 'R2',
					target: 'injured',
					reveal: 'therapist-only',
					subscale: 'ready',
					reverse: true
				},
				{
					id: 'acc',
					type: 'likert5',
					prompt: 'Acc',
					target: 'involved',
					reveal: 'therapist-only',
					subscale: 'accountability'
				},
				{
					id: 'trust',
					type: 'scale10',
					prompt: 'Trust',
					target: 'both',
					reveal: 'therapist-only',
					subscale: 'trust'
				}
			]
		}
	]
} as ExerciseDefinition;

describe('subscaleScores', () => {
	it('rescales to 0-100, flips reverse-keyed items and ignores missing answers', () => {
		// r1 = 5 -> 100; r2 = 5 reversed -> 1 -> 0; mean 50. trust 7 -> 70. accountability unanswered -> null.
		expect(subscaleScores(definition, { r1: 5, r2: 5, trust: 7 })).toEqual({
			ready: 50,
			accountability: null,
			trust: 70
		});
		expect(subscaleScores(definition, { r2: 2 })).toEqual({
			ready: 75,
			accountability: null,
			trust: null
		});
	});
});

describe('divergences and scoreAssignment', () => {
	const injured = {
		userId: 'alex',
		role: 'injured' as const,
		answers: {
			a: { choice: 'ok' },
			b: { choice: 'talk-first' },
			c: { choice: 'crosses-line' },
			r1: 4,
			r2: 2,
			trust: 6
		}
	};
	const involved = {
		userId: 'sam',
		role: 'involved' as const,
		answers: {
			a: { choice: 'crosses-line' },
			b: { choice: 'ok' },
			c: { choice: 'crosses-line' },
			acc: 3,
			trust: 9
		}
	};

	it('orders divergences by distance as a share of the scale, two steps before one', () => {
		expect(
			divergences(definition, injured.answers, involved.answers).map((d) => [d.itemId, d.distance])
		).toEqual([
			['a', 2],
			['b', 1],
			['trust', 3]
		]);
	});

	it('combines agreement, kappa, subscales and the readiness index', () => {
		const scores = scoreAssignment(definition, [injured, involved]);
		expect(scores.agreement).toMatchObject({ rate: 1 / 3, same: 1, compared: 3 });
		expect(scores.agreement?.kappa).toBeTypeOf('number');
		expect(scores.partners[0]).toMatchObject({
			userId: 'alex',
			index: 75,
			subscales: { ready: 75, trust: 60 }
		});
		// The involved partner's accountability stands beside the index, never merged into it.
		expect(scores.partners[1]).toMatchObject({ index: null, subscales: { accountability: 50 } });
		expect(scores.notice).toMatch(/not a validated instrument/);
	});

	it('says "not enough variation" when both gave the same rating everywhere', () => {
		const same = { a: { choice: 'ok' }, b: { choice: 'ok' }, c: { choice: 'ok' } };
		const scores = scoreAssignment(definition, [
			{ userId: 'x', role: 'none', answers: same },
			{ userId: 'y', role: 'none', answers: same }
		]);
		expect(scores.agreement).toMatchObject({
			rate: 1,
			kappa: null,
			kappaNote: 'Not enough variation'
		});
	});
});
