import { describe, expect, it } from 'vitest';
import {
	dueDayOf,
	dueTomorrowAt,
	endOfUtcDay,
	firstDueAfter,
	followingDue,
	movedDue,
	opensAt,
	repeatLabel
} from './schedules';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('the dates of a schedule (UTC days)', () => {
	it('is due at the last second of its day and opens at the start of a day before it', () => {
		const due = endOfUtcDay(at('2030-01-09T08:30:00Z'));
		expect(iso(due)).toBe('2030-01-09T23:59:59.000Z');
		expect(iso(opensAt(due, 3))).toBe('2030-01-06T00:00:00.000Z');
		expect(iso(opensAt(due, 0))).toBe('2030-01-09T00:00:00.000Z');
		expect(iso(dueTomorrowAt(due))).toBe('2030-01-08T00:00:00.000Z');
		expect(dueDayOf('weekly', due)).toBe(3);
		expect(dueDayOf('monthly', due)).toBe(9);
	});

	it('steps a week, two weeks, or a month (the last day of a shorter month, then back)', () => {
		const due = at('2030-01-31T23:59:59Z');
		expect(iso(followingDue('weekly', 4, due))).toBe('2030-02-07T23:59:59.000Z');
		expect(iso(followingDue('fortnightly', 4, due))).toBe('2030-02-14T23:59:59.000Z');
		const february = followingDue('monthly', 31, due);
		expect(iso(february)).toBe('2030-02-28T23:59:59.000Z');
		expect(iso(followingDue('monthly', 31, february))).toBe('2030-03-31T23:59:59.000Z');
		expect(iso(followingDue('monthly', 15, at('2030-12-15T23:59:59Z')))).toBe(
			'2031-01-15T23:59:59.000Z'
		);
	});

	it('finds the first due day after a date, never the same day', () => {
		// 2030-01-09 is a Wednesday.
		expect(iso(firstDueAfter('weekly', 3, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-01-16T23:59:59.000Z'
		);
		expect(iso(firstDueAfter('weekly', 5, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-01-11T23:59:59.000Z'
		);
		expect(iso(firstDueAfter('monthly', 9, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-02-09T23:59:59.000Z'
		);
		expect(iso(firstDueAfter('monthly', 20, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-01-20T23:59:59.000Z'
		);
	});

	it('moves a planned date to the nearest day with the new weekday, or the new day of its month', () => {
		const wednesday = at('2030-01-16T23:59:59Z');
		expect(iso(movedDue('weekly', 5, wednesday))).toBe('2030-01-18T23:59:59.000Z');
		expect(iso(movedDue('weekly', 1, wednesday))).toBe('2030-01-14T23:59:59.000Z');
		expect(iso(movedDue('weekly', 0, wednesday))).toBe('2030-01-13T23:59:59.000Z');
		expect(iso(movedDue('weekly', 6, wednesday))).toBe('2030-01-19T23:59:59.000Z');
		expect(iso(movedDue('monthly', 2, wednesday))).toBe('2030-01-02T23:59:59.000Z');
	});

	it('says how it repeats', () => {
		expect(repeatLabel('weekly', 2)).toBe('Every week on Tuesday');
		expect(repeatLabel('fortnightly', 0)).toBe('Every other week on Sunday');
		expect(repeatLabel('monthly', 1)).toBe('Every month on the 1st');
		expect(repeatLabel('monthly', 12)).toBe('Every month on the 12th');
		expect(repeatLabel('monthly', 22)).toBe('Every month on the 22nd');
	});
});
