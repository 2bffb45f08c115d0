// Scoring with hand-computed figures: agreement, linear-weighted kappa, divergences, subscales, the index.
import { describe, expect, it } from 'vitest';
import { builtInExercises } from './catalogue';
import type { ExerciseDefinition } from './definition';
import {
	agreementRate,
	divergences,
	scenarioOrdinal,
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

/** The linear-weighted kappa of a k×k table of counts. */
const kappaOf = (table: number[][]) => weightedKappa(pairsFrom(table), table.length).kappa;

describe('scenarioOrdinal', () => {
	it('orders ok < talk-first < crosses-line and ignores anything else', () => {
		expect(scenarioOrdinal({ choice: 'ok' })).toBe(0);
		expect(scenarioOrdinal({ choice: 'talk-first', wantToKnow: true })).toBe(1);
		expect(scenarioOrdinal({ choice: 'crosses-line' })).toBe(2);
		expect(scenarioOrdinal({ choice: 'maybe' })).toBeNull();
		expect(scenarioOrdinal('ok')).toBeNull();
		expect(scenarioOrdinal(undefined)).toBeNull();
	});
});

describe('weightedKappa', () => {
	it('matches a published linear-weighted kappa (SAS PROC FREQ example, printed as 0.4701)', () => {
		// The 3x3 agreement table SAS uses for its weighted-kappa printout (reproduced in statsmodels'
		// test_inter_rater.py). Rows: first rater, columns: second rater; n = 19.
		//   row totals r = 5, 8, 6; column totals c = 0, 13, 6.
		// Linear weights: 1 on the diagonal, 1/2 one step apart, 0 two steps apart.
		//   Po = (0 + 8 + 5 + 1/2 * (4 + 0 + 0 + 1)) / 19 = 15.5 / 19 = 0.815789
		//   Pe = sum w(i,j) r_i c_j / n^2
		//      = (1/2*5*13 + 8*13 + 1/2*8*6 + 1/2*6*13 + 6*6) / 361
		//      = (32.5 + 104 + 24 + 39 + 36) / 361 = 235.5 / 361 = 0.652355
		//   kappa = (0.815789 - 0.652355) / (1 - 0.652355) = 0.163435 / 0.347645 = 0.4701
		const table = [
			[0, 4, 1],
			[0, 8, 0],
			[0, 1, 5]
		];
		expect(kappaOf(table)).toBeCloseTo(0.4701, 3);
	});

	it('matches a hand-computed linear-weighted kappa', () => {
		// n = 30. Weights 1, .5, 0. Po = (22 + .5 * 8) / 30 = .866667.
		// Row totals 12, 13, 5; column totals 13, 11, 6; Pe = 546 / 900 = .606667.
		// kappa = (.866667 - .606667) / (1 - .606667) = .661017.
		const table = [
			[10, 2, 0],
			[3, 8, 2],
			[0, 1, 4]
		];
		expect(kappaOf(table)).toBeCloseTo(0.661, 3);
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

	it('has nothing to weigh on a one-category scale, and refuses ratings off the scale', () => {
		expect(weightedKappa([[0, 0]], 1)).toEqual({ kappa: null, reason: 'not-enough-variation' });
		expect(() => weightedKappa([[0, 3]], 3)).toThrow(RangeError);
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
		expect(scores.agreement).toMatchObject({ rate: 1 / 3, same: 1, compared: 3, kappaNote: null });
		// Pairs (0,2), (1,0), (2,2): Po = (0 + 1/2 + 1) / 3 = 1/2; rows 1,1,1 and columns 1,0,2 give
		// Pe = (1 + 1/2 + 1/2*2 + 2) / 9 = 4.5 / 9 = 1/2, so kappa = 0: no better than chance.
		expect(scores.agreement?.kappa).toBeCloseTo(0, 10);
		expect(scores.indexLabel).toBe('Readiness index');
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

	it('leaves out items only one partner answered, everywhere', () => {
		const { b: _skipped, ...partial } = involved.answers;
		const scores = scoreAssignment(definition, [injured, { ...involved, answers: partial }]);
		// a: 0 vs 2, c: 2 vs 2. Po = (0 + 1) / 2; rows 1,0,1 and columns 0,0,2: Pe = (0 + 1*2) / 4.
		expect(scores.agreement).toMatchObject({ rate: 0.5, same: 1, compared: 2, kappa: 0 });
		expect(scores.divergences.map((d) => d.itemId)).toEqual(['a', 'trust']);
	});

	it('compares nothing until both partners have answered', () => {
		const alone = scoreAssignment(definition, [injured]);
		expect(alone.agreement).toBeNull();
		expect(alone.divergences).toEqual([]);
		expect(alone.partners[0].index).toBe(75);
		const blank = scoreAssignment(definition, [
			{ ...injured, answers: {} },
			{ ...involved, answers: {} }
		]);
		expect(blank.agreement).toMatchObject({
			rate: null,
			compared: 0,
			kappa: null,
			kappaNote: 'No answers to compare yet'
		});
		expect(blank.partners[0]).toMatchObject({ index: null, subscales: { ready: null } });
	});

	it('uses the index a definition declares, for every partner who answered it', () => {
		const declared = {
			...definition,
			scoring: { index: { label: 'Trust', subscales: ['trust'] } }
		};
		const scores = scoreAssignment(declared, [injured, involved]);
		expect(scores.indexLabel).toBe('Trust');
		expect(scores.partners.map((p) => p.index)).toEqual([60, 90]);
	});

	it('has no agreement and no index for an exercise without scenarios or role subscales', () => {
		const trustOnly = definition.sections[1].items.filter((i) => i.id === 'trust');
		const shared = { ...definition, sections: [{ ...definition.sections[1], items: trustOnly }] };
		const scores = scoreAssignment(shared, [injured, involved]);
		expect(scores.agreement).toBeNull();
		expect(scores.indexLabel).toBeNull();
		expect(scores.partners.map((p) => p.index)).toEqual([null, null]);
	});
});

describe('the forgiveness readiness exercise, scored as data', () => {
	const forgiveness = builtInExercises.find((e) => e.key === 'forgiveness-readiness')!;

	it('flips the reverse-keyed items and keeps accountability out of the readiness index', () => {
		const injured = {
			userId: 'alex',
			role: 'injured' as const,
			answers: {
				'have-information': 5, // 100
				'understand-why': 3, // 50   -> understanding 75
				'said-needs': 4, // 75
				'needs-met': 2, // 25        -> needs 50
				'fewer-intrusive-thoughts': 3, // 50
				'wish-to-retaliate': 2, // reverse-keyed: 4 -> 75
				'keep-distance': 5, // reverse-keyed: 1 -> 0
				goodwill: 4, // 75           -> emotional readiness (50 + 75 + 0 + 75) / 4 = 50
				'would-mean-it': 1, // 0
				'stop-weapon': 5, // 100     -> genuineness 50
				'not-my-fault': 5
			}
		};
		const involved = {
			userId: 'sam',
			role: 'involved' as const,
			answers: {
				'hear-pain': 5,
				'understand-self': 4,
				'accept-pace': 3,
				'steps-taken': ['apologised']
			}
		};
		const scores = scoreAssignment(forgiveness, [injured, involved]);
		expect(scores.partners[0].subscales).toEqual({
			understanding: 75,
			needs: 50,
			'emotional-readiness': 50,
			genuineness: 50,
			accountability: null
		});
		// (75 + 50 + 50 + 50) / 4
		expect(scores.partners[0].index).toBe(56.25);
		expect(scores.partners[1].subscales.accountability).toBe(75);
		expect(scores.partners[1].index).toBeNull();
		expect(scores.agreement).toBeNull();
	});
});
