import { describe, expect, it } from 'vitest';
import type { ExerciseItem } from './definition';
import { answerText, isDivergent, isSameAnswer } from './answers';

const item = (type: ExerciseItem['type'], extra: Partial<ExerciseItem> = {}) =>
	({
		id: 'i',
		type,
		prompt: 'P',
		target: 'both',
		reveal: 'simultaneous',
		...extra
	}) as ExerciseItem;

const checklist = item('checklist', {
	options: [
		{ id: 'a', label: 'Phone' },
		{ id: 'b', label: 'Email' },
		{ id: 'c', label: 'Social media' }
	]
});

describe('whether two partners agree', () => {
	it('treats the same checklist ticks in another order as the same answer', () => {
		expect(isSameAnswer(checklist, ['a', 'b'], ['b', 'a'])).toBe(true);
		expect(isDivergent(checklist, ['a', 'b'], ['b', 'a'])).toBe(false);
	});

	it('sees a checklist with one tick more as different', () => {
		expect(isSameAnswer(checklist, ['a', 'b'], ['a', 'b', 'c'])).toBe(false);
		expect(isDivergent(checklist, ['a'], ['a', 'c'])).toBe(true);
	});

	it('compares a scenario by its rating, not by wanting to be told', () => {
		const scenario = item('scenario');
		expect(
			isSameAnswer(
				scenario,
				{ choice: 'crosses-line', wantToKnow: true },
				{ choice: 'crosses-line', wantToKnow: false }
			)
		).toBe(true);
		expect(isDivergent(scenario, { choice: 'ok' }, { choice: 'talk-first' })).toBe(true);
	});

	it('compares scales and choices by value', () => {
		expect(isSameAnswer(item('scale10'), 5, 5)).toBe(true);
		expect(isSameAnswer(item('likert5'), 2, 4)).toBe(false);
		expect(isSameAnswer(item('choice'), 'x', 'x')).toBe(true);
	});

	it('never counts an unanswered side as agreeing or differing', () => {
		expect(isSameAnswer(item('scale10'), 5, undefined)).toBe(false);
		expect(isDivergent(item('scale10'), 5, undefined)).toBe(false);
	});

	it('does not compare free text', () => {
		expect(isDivergent(item('text'), 'mine', 'yours')).toBe(false);
	});
});

describe('how an answer reads', () => {
	it('names checklist options by their labels', () => {
		expect(answerText(checklist, ['b', 'a'])).toBe('Email, Phone');
		expect(answerText(item('scale10'), 7)).toBe('7 of 10');
		expect(answerText(item('scale10'), undefined)).toBe('No answer');
	});
});
