// The built-in catalogue: every exercise passes the shared schema and covers what EXERCISES.md asks.
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../definition';
import { builtInExercises } from './index';

describe('the built-in catalogue', () => {
	it('passes the same schema as any custom exercise', () => {
		for (const exercise of builtInExercises) {
			const result = parseDefinition(exercise);
			expect(result.ok ? [] : result.issues.map((i) => i.message), exercise.key).toEqual([]);
		}
	});

	it('has unique keys', () => {
		const keys = builtInExercises.map((e) => e.key);
		expect(new Set(keys).size).toBe(keys.length);
	});

	it('covers all six kinds of infidelity with about twenty scenarios', () => {
		const boundaries = builtInExercises.find((e) => e.key === 'boundaries')!;
		expect(boundaries.sections.map((s) => s.id)).toEqual([
			'sexual',
			'emotional',
			'cyber',
			'object',
			'financial',
			'micro'
		]);
		const scenarios = boundaries.sections
			.flatMap((s) => s.items)
			.filter((i) => i.type === 'scenario');
		expect(scenarios.length).toBeGreaterThanOrEqual(18);
		expect(scenarios.length).toBeLessThanOrEqual(24);
	});

	it('keeps every safety item therapist-only', () => {
		const safety = builtInExercises
			.flatMap((e) => e.sections.flatMap((s) => s.items))
			.filter((i) => i.safety);
		expect(safety.length).toBe(2);
		for (const item of safety) expect(item.reveal).toBe('therapist-only');
	});
});
