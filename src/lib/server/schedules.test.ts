import { describe, expect, it } from 'vitest';
import {
	dueDayOf,
	dueTomorrowAt,
	endOfDayOf,
	firstDueAfter,
	followingDue,
	movedDue,
	opensAt,
	repeatLabel
} from './schedules';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('the dates of a schedule (UTC days)', () => {
	it('is due at the last moment of its day and opens at the start of a day before it', () => {
		const due = endOfDayOf(at('2030-01-09T08:30:00Z'));
		expect(iso(due)).toBe('2030-01-09T23:59:59.999Z');
		expect(iso(opensAt(due, 3))).toBe('2030-01-06T00:00:00.000Z');
		expect(iso(opensAt(due, 0))).toBe('2030-01-09T00:00:00.000Z');
		expect(iso(dueTomorrowAt(due))).toBe('2030-01-08T00:00:00.000Z');
		expect(dueDayOf('weekly', due)).toBe(3);
		expect(dueDayOf('monthly', due)).toBe(9);
	});

	it('steps a week, two weeks, or a month (the last day of a shorter month, then back)', () => {
		const due = at('2030-01-31T23:59:59Z');
		expect(iso(followingDue('weekly', 4, due))).toBe('2030-02-07T23:59:59.999Z');
		expect(iso(followingDue('fortnightly', 4, due))).toBe('2030-02-14T23:59:59.999Z');
		const february = followingDue('monthly', 31, due);
		expect(iso(february)).toBe('2030-02-28T23:59:59.999Z');
		expect(iso(followingDue('monthly', 31, february))).toBe('2030-03-31T23:59:59.999Z');
		expect(iso(followingDue('monthly', 15, at('2030-12-15T23:59:59Z')))).toBe(
			'2031-01-15T23:59:59.999Z'
		);
	});

	it('finds the first due day after a date, never the same day', () => {
		// 2030-01-09 is a Wednesday.
		expect(iso(firstDueAfter('weekly', 3, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-01-16T23:59:59.999Z'
		);
		expect(iso(firstDueAfter('weekly', 5, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-01-11T23:59:59.999Z'
		);
		expect(iso(firstDueAfter('monthly', 9, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-02-09T23:59:59.999Z'
		);
		expect(iso(firstDueAfter('monthly', 20, at('2030-01-09T10:00:00Z')))).toBe(
			'2030-01-20T23:59:59.999Z'
		);
	});

	it('moves a planned date to the nearest day with the new weekday, or the new day of its month', () => {
		const wednesday = at('2030-01-16T23:59:59Z');
		expect(iso(movedDue('weekly', 5, wednesday))).toBe('2030-01-18T23:59:59.999Z');
		expect(iso(movedDue('weekly', 1, wednesday))).toBe('2030-01-14T23:59:59.999Z');
		expect(iso(movedDue('weekly', 0, wednesday))).toBe('2030-01-13T23:59:59.999Z');
		expect(iso(movedDue('weekly', 6, wednesday))).toBe('2030-01-19T23:59:59.999Z');
		expect(iso(movedDue('monthly', 2, wednesday))).toBe('2030-01-02T23:59:59.999Z');
	});

	it('keeps the therapist’s days across a daylight-saving change', () => {
		const la = 'America/Los_Angeles';
		// Friday, March 6, 2026 ends at 23:59:59.999 PST; clocks go forward on Sunday the 8th.
		const due = endOfDayOf(at('2026-03-06T20:00:00Z'), la);
		expect(iso(due)).toBe('2026-03-07T07:59:59.999Z');
		expect(dueDayOf('weekly', due, la)).toBe(5);
		const next = followingDue('weekly', 5, due, la);
		expect(iso(next)).toBe('2026-03-14T06:59:59.999Z');
		expect(iso(opensAt(next, 3, la))).toBe('2026-03-10T07:00:00.000Z');
		expect(iso(dueTomorrowAt(next, la))).toBe('2026-03-12T07:00:00.000Z');
		expect(iso(firstDueAfter('weekly', 5, at('2026-03-07T07:00:00Z'), la))).toBe(
			'2026-03-14T06:59:59.999Z'
		);
		// Berlin's clocks go back on Sunday, October 25, 2026.
		const berlin = 'Europe/Berlin';
		const october = endOfDayOf(at('2026-10-23T12:00:00Z'), berlin);
		expect(iso(october)).toBe('2026-10-23T21:59:59.999Z');
		expect(iso(followingDue('weekly', 5, october, berlin))).toBe('2026-10-30T22:59:59.999Z');
		expect(iso(movedDue('monthly', 31, october, berlin))).toBe('2026-10-31T22:59:59.999Z');
	});

	it('says how it repeats', () => {
		expect(repeatLabel('weekly', 2)).toBe('Every week on Tuesday');
		expect(repeatLabel('fortnightly', 0)).toBe('Every other week on Sunday');
		expect(repeatLabel('monthly', 1)).toBe('Every month on the 1st');
		expect(repeatLabel('monthly', 12)).toBe('Every month on the 12th');
		expect(repeatLabel('monthly', 22)).toBe('Every month on the 22nd');
	});
});
