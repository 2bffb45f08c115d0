// One clock: every date and time a person sees is written here, in that person's time zone (an IANA
// name stored on the user, `page.data.timeZone` on every page), and always with the date. The server
// renders with the same zone the browser hydrates with, so a page never shows two different days.

export const DEFAULT_TIME_ZONE = 'UTC';

export type Instant = Date | string | number;

const zones = new Set<string>(['UTC', ...Intl.supportedValuesOf('timeZone')]);

/** Whether `value` names a time zone this runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export function isTimeZone(value: unknown): value is string {
	return typeof value === 'string' && zones.has(value);
}

/** Every zone a person can pick, in a stable order. */
export function timeZones(): string[] {
	return [...zones].sort();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const zone = isTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
	const key = `${zone}|${JSON.stringify(options)}`;
	let format = formatters.get(key);
	if (!format) {
		format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: zone });
		formatters.set(key, format);
	}
	return format;
}

function toDate(value: Instant): Date {
	return value instanceof Date ? value : new Date(value);
}

/** "Dec 2, 2026" */
export function formatDate(value: Instant, timeZone: string): string {
	return formatter(timeZone, { dateStyle: 'medium' }).format(toDate(value));
}

/** "Dec 2, 2026, 5:00 PM": a time is never shown without its date. */
export function formatDateTime(value: Instant, timeZone: string): string {
	return formatter(timeZone, { dateStyle: 'medium', timeStyle: 'short' }).format(toDate(value));
}

/** "Wed, Dec 2, 2026": for due dates and session days. */
export function formatDay(value: Instant, timeZone: string): string {
	return formatter(timeZone, {
		weekday: 'short',
		month: 'short',
		day: 'numeric',
		year: 'numeric'
	}).format(toDate(value));
}

/** "Dec 2": only for chart axes, where the year is in the chart's caption. */
export function formatDayMonth(value: Instant, timeZone: string): string {
	return formatter(timeZone, { month: 'short', day: 'numeric' }).format(toDate(value));
}

/** The zone's short name at that instant ("PST", "GMT+1"), to say which clock a document uses. */
export function zoneLabel(value: Instant, timeZone: string): string {
	const parts = formatter(timeZone, { timeZoneName: 'short' }).formatToParts(toDate(value));
	return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

function wallClock(value: Date, timeZone: string) {
	const parts = formatter(timeZone, {
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
		hourCycle: 'h23'
	}).formatToParts(value);
	const part = (type: Intl.DateTimeFormatPartTypes) =>
		Number(parts.find((p) => p.type === type)?.value);
	return {
		year: part('year'),
		month: part('month'),
		day: part('day'),
		hour: part('hour'),
		minute: part('minute'),
		second: part('second')
	};
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in a zone. */
export function calendarDay(value: Instant, timeZone: string): string {
	const { year, month, day } = wallClock(toDate(value), timeZone);
	return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
	const w = wallClock(new Date(instant), timeZone);
	const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
	return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant the zone's clock reads midnight at the start of `day` (`YYYY-MM-DD`). */
export function startOfDay(day: string, timeZone: string): Date {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) throw new RangeError(`Not a calendar day: ${day}`);
	const wall = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
	// Two passes settle the offset even when the day starts on either side of a DST change.
	let instant = wall - offsetAt(wall, timeZone);
	instant = wall - offsetAt(instant, timeZone);
	return new Date(instant);
}

/**
 * A due date chosen as a day: the last millisecond of that day on the given clock (the couple's
 * therapist's), so "due Friday" holds until Friday ends where she works.
 */
export function endOfDay(day: string, timeZone: string): Date {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) throw new RangeError(`Not a calendar day: ${day}`);
	const next = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1));
	return new Date(startOfDay(next.toISOString().slice(0, 10), timeZone).getTime() - 1);
}
