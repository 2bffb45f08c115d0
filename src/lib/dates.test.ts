import { describe, expect, it } from 'vitest';
import {
	calendarDay,
	endOfDay,
	formatDate,
	formatDateTime,
	isTimeZone,
	startOfDay,
	zoneLabel
} from './dates';

describe('one clock', () => {
	const instant = new Date('2026-11-20T23:30:00Z');

	it('writes the same instant as each viewer’s own day and time, always with the date', () => {
		expect(formatDateTime(instant, 'America/Los_Angeles')).toBe('Nov 20, 2026, 3:30 PM');
		expect(formatDateTime(instant, 'Europe/Berlin')).toBe('Nov 21, 2026, 12:30 AM');
		expect(formatDate(instant, 'Europe/Berlin')).toBe('Nov 21, 2026');
		expect(calendarDay(instant, 'America/Los_Angeles')).toBe('2026-11-20');
		expect(calendarDay(instant, 'Europe/Berlin')).toBe('2026-11-21');
	});

	it('falls back to UTC for a zone it does not know rather than throwing', () => {
		expect(isTimeZone('Mars/Olympus')).toBe(false);
		expect(isTimeZone('Europe/Berlin')).toBe(true);
		expect(formatDateTime(instant, 'Mars/Olympus')).toBe('Nov 20, 2026, 11:30 PM');
	});

	it('ends a due day at the last millisecond of that day on the therapist’s clock', () => {
		expect(endOfDay('2026-11-20', 'America/Los_Angeles').toISOString()).toBe(
			'2026-11-21T07:59:59.999Z'
		);
		expect(endOfDay('2026-11-20', 'UTC').toISOString()).toBe('2026-11-20T23:59:59.999Z');
	});

	it('keeps the end of day right across daylight-saving changes', () => {
		// Los Angeles leaves daylight time on 1 Nov 2026 and enters it on 8 Mar 2026.
		expect(endOfDay('2026-10-31', 'America/Los_Angeles').toISOString()).toBe(
			'2026-11-01T06:59:59.999Z'
		);
		expect(endOfDay('2026-11-01', 'America/Los_Angeles').toISOString()).toBe(
			'2026-11-02T07:59:59.999Z'
		);
		expect(startOfDay('2026-03-08', 'America/Los_Angeles').toISOString()).toBe(
			'2026-03-08T08:00:00.000Z'
		);
		expect(endOfDay('2026-03-08', 'America/Los_Angeles').toISOString()).toBe(
			'2026-03-09T06:59:59.999Z'
		);
		expect(endOfDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-29T21:59:59.999Z');
	});

	it('refuses something that is not a calendar day', () => {
		expect(() => endOfDay('20 Nov', 'UTC')).toThrow(RangeError);
	});

	it('names the clock a document uses', () => {
		expect(zoneLabel(instant, 'UTC')).toBe('UTC');
		expect(zoneLabel(instant, 'America/Los_Angeles')).toBe('PST');
	});
});
