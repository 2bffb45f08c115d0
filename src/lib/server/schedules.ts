// Recurring homework: a schedule gives a couple one assignment of the same exercise version per
// occurrence (weekly, fortnightly or monthly), each opened a few days before it is due, and closes an
// unfinished one as missed when the next opens. The scheduler (scheduler.ts) runs the work planned here.
import type { Kysely, Transaction } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { Cadence, Database, RevealPolicy, Schedule, ScheduleStatus } from './db/schema';
import { columnOf } from './db/column';
import * as audit from './audit';
import * as homework from './homework';
import * as reminders from './reminders';
import * as scheduler from './scheduler';
import { isId } from '$lib/input';
import * as assignments from './assignments';
import * as couples from './couples';
import * as timeZones from './auth/time-zone';
import { DEFAULT_TIME_ZONE, calendarDay, endOfDay, startOfDay } from '$lib/dates';

export type { Cadence, ScheduleStatus };

const DAY = 86_400_000;
/** Occurrences a schedule may have: at least two (one is plain homework), at most a year of weeks. */
export const MIN_OCCURRENCES = 2;
export const MAX_OCCURRENCES = 52;
export const DEFAULT_OPENS_DAYS_BEFORE = 3;
/** A reminder the scheduler could not send within a day of its moment (downtime) is not sent late. */
const STALE_REMINDER_MS = DAY;

// The calendar of a schedule is the couple's therapist's (docs/decisions.md, "One clock"): its days
// are her days, a due day ends at her midnight and an occurrence opens at the start of her day, also
// across daylight-saving changes. `zone` defaults to UTC only for callers that have none to give.

/** The calendar day `n` days after `day` (`YYYY-MM-DD`). */
function addDays(day: string, n: number): string {
	const [y, m, d] = day.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function partsOf(day: string) {
	const [year, month, date] = day.split('-').map(Number);
	return {
		year,
		month: month - 1,
		date,
		weekday: new Date(Date.UTC(year, month - 1, date)).getUTCDay()
	};
}

const daysInMonth = (year: number, month: number) =>
	new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** Day `day` of a month (the last day when the month is shorter), as a calendar day. */
function inMonth(year: number, month: number, day: number): string {
	const y = year + Math.floor(month / 12);
	const m = ((month % 12) + 12) % 12;
	return new Date(Date.UTC(y, m, Math.min(day, daysInMonth(y, m)))).toISOString().slice(0, 10);
}

/** A due moment at the end of the day it falls on, on the zone's clock (what a chosen day means). */
export function endOfDayOf(date: Date, zone: string = DEFAULT_TIME_ZONE): Date {
	return endOfDay(calendarDay(date, zone), zone);
}

/** The weekday (weekly, fortnightly) or day of the month (monthly) a due date falls on. */
export function dueDayOf(cadence: Cadence, due: Date, zone: string = DEFAULT_TIME_ZONE): number {
	const day = partsOf(calendarDay(due, zone));
	return cadence === 'monthly' ? day.date : day.weekday;
}

/** When the occurrence after one due at `previous` is due: the same day a week, two or a month on. */
export function followingDue(
	cadence: Cadence,
	dueDay: number,
	previous: Date,
	zone: string = DEFAULT_TIME_ZONE
): Date {
	const day = calendarDay(previous, zone);
	if (cadence === 'weekly') return endOfDay(addDays(day, 7), zone);
	if (cadence === 'fortnightly') return endOfDay(addDays(day, 14), zone);
	const { year, month } = partsOf(day);
	return endOfDay(inMonth(year, month + 1, dueDay), zone);
}

/** The first due date on the schedule's day after the day of `after`. */
export function firstDueAfter(
	cadence: Cadence,
	dueDay: number,
	after: Date,
	zone: string = DEFAULT_TIME_ZONE
): Date {
	const today = calendarDay(after, zone);
	const { year, month, weekday } = partsOf(today);
	if (cadence === 'monthly') {
		const thisMonth = inMonth(year, month, dueDay);
		return thisMonth > today
			? endOfDay(thisMonth, zone)
			: endOfDay(inMonth(year, month + 1, dueDay), zone);
	}
	const ahead = (dueDay - weekday + 7) % 7 || 7;
	return endOfDay(addDays(today, ahead), zone);
}

/**
 * The planned due date moved to a new day: for weekly and fortnightly the nearest date with the new
 * weekday (at most three days either way), for monthly the new day of the same month.
 */
export function movedDue(
	cadence: Cadence,
	dueDay: number,
	planned: Date,
	zone: string = DEFAULT_TIME_ZONE
): Date {
	const day = calendarDay(planned, zone);
	const { year, month, weekday } = partsOf(day);
	if (cadence === 'monthly') return endOfDay(inMonth(year, month, dueDay), zone);
	let offset = (dueDay - weekday + 7) % 7;
	if (offset > 3) offset -= 7;
	return endOfDay(addDays(day, offset), zone);
}

/** An occurrence opens at the start of the day `opensDaysBefore` days before its due day. */
export function opensAt(
	due: Date,
	opensDaysBefore: number,
	zone: string = DEFAULT_TIME_ZONE
): Date {
	return startOfDay(addDays(calendarDay(due, zone), -opensDaysBefore), zone);
}

/** "The day before it is due": from the start of that day. */
export const dueTomorrowAt = (due: Date, zone: string = DEFAULT_TIME_ZONE) =>
	startOfDay(addDays(calendarDay(due, zone), -1), zone);

/** The clock a couple's schedules keep: its therapist's. */
export async function clockOf(db: Kysely<Database>, coupleId: string): Promise<string> {
	const row = await db
		.selectFrom('couples')
		.innerJoin('users', 'users.id', 'couples.therapist_id')
		.select('users.time_zone')
		.where('couples.id', '=', coupleId)
		.executeTakeFirst();
	return row?.time_zone ?? DEFAULT_TIME_ZONE;
}

type EndRule = Pick<Schedule, 'occurrences' | 'until_at'>;

/** Whether occurrence `index` (0 first), due at `due`, is still within the schedule's end. */
function isWithinEnd(end: EndRule, index: number, due: Date): boolean {
	if (end.occurrences !== null && index >= end.occurrences) return false;
	if (end.until_at !== null && due.getTime() > end.until_at.getTime()) return false;
	return true;
}

/** How many occurrences a schedule ending on a date has, counting up to one past the limit. */
function countUntil(
	cadence: Cadence,
	dueDay: number,
	first: Date,
	until: Date,
	zone: string
): number {
	let count = 0;
	for (let due = first; due <= until && count <= MAX_OCCURRENCES; count++) {
		due = followingDue(cadence, dueDay, due, zone);
	}
	return count;
}

const workKey = {
	open: (scheduleId: string, occurrence: number) => `schedule:${scheduleId}:open:${occurrence}`,
	reminder: (assignmentId: string, kind: string) => `assignment:${assignmentId}:remind:${kind}`
};

export const WORK_KINDS = { open: 'schedule-open', reminder: 'assignment-reminder' } as const;

/** Plans the opening of the schedule's next occurrence, at its opening time. */
export async function planNextOpening(trx: Kysely<Database>, schedule: Schedule, now: Date) {
	if (schedule.status !== 'active' || !schedule.next_due_at) return;
	const zone = await clockOf(trx, schedule.couple_id);
	await scheduler.plan(
		trx,
		{
			key: workKey.open(schedule.id, schedule.next_occurrence),
			kind: WORK_KINDS.open,
			runAt: opensAt(schedule.next_due_at, schedule.opens_days_before, zone),
			payload: { scheduleId: schedule.id, occurrence: schedule.next_occurrence }
		},
		now
	);
}

/** Drops the planned opening that has not run yet (pause, stop, change of day). */
async function unplanNextOpening(trx: Kysely<Database>, schedule: Schedule) {
	await scheduler.unplan(trx, [workKey.open(schedule.id, schedule.next_occurrence)]);
}

/** Plans an occurrence's reminders: the day before it is due (when it opened earlier) and when overdue. */
export async function planReminders(
	trx: Kysely<Database>,
	occurrence: { assignmentId: string; dueAt: Date; opensDaysBefore: number; zone: string },
	now: Date
) {
	const tomorrow = dueTomorrowAt(occurrence.dueAt, occurrence.zone);
	const moments: [string, Date][] = [['overdue', occurrence.dueAt]];
	if (tomorrow > opensAt(occurrence.dueAt, occurrence.opensDaysBefore, occurrence.zone))
		moments.push(['due-tomorrow', tomorrow]);
	for (const [kind, runAt] of moments) {
		await scheduler.plan(
			trx,
			{
				key: workKey.reminder(occurrence.assignmentId, kind),
				kind: WORK_KINDS.reminder,
				runAt,
				payload: { assignmentId: occurrence.assignmentId, kind }
			},
			now
		);
	}
}

/** Whether every joined partner has locked all of their part of an assignment. */
async function isFinished(db: Kysely<Database>, assignmentId: string): Promise<boolean> {
	const [summary] = await homework.summaries(db, { assignmentId });
	return (
		!!summary && summary.partners.length > 0 && summary.partners.every((p) => p.status === 'locked')
	);
}

/** Closes the schedule's earlier occurrences that are still unfinished, as missed. */
async function closeMissed(trx: Kysely<Database>, scheduleId: string, now: Date) {
	const open = await trx
		.selectFrom('assignments')
		.select('id')
		.where('schedule_id', '=', scheduleId)
		.where('status', '=', 'open')
		.execute();
	for (const { id } of open) {
		if (await isFinished(trx, id)) continue;
		await trx
			.updateTable('assignments')
			.set({ status: 'closed', closed_at: now, missed_at: now })
			.where('id', '=', id)
			.where('status', '=', 'open')
			.execute();
	}
}

/**
 * The work of opening occurrence `occurrence`: its assignment (unique per schedule and occurrence),
 * the previous one closed if missed, its reminders planned, and the next opening planned.
 */
async function openOccurrence(
	trx: Transaction<Database>,
	payload: Record<string, unknown>,
	{ now }: { now: Date }
) {
	const { scheduleId, occurrence } = payload;
	if (typeof scheduleId !== 'string' || typeof occurrence !== 'number') return;
	const schedule = await trx
		.selectFrom('schedules')
		.selectAll()
		.where('id', '=', scheduleId)
		.forUpdate()
		.executeTakeFirst();
	// Paused, stopped or moved on since this was planned: nothing to open.
	if (!schedule || schedule.status !== 'active' || schedule.next_occurrence !== occurrence) return;
	const dueAt = schedule.next_due_at;
	if (!dueAt) return;
	const couple = await trx
		.selectFrom('couples')
		.select(['archived_at', 'auto_reminders'])
		.where('id', '=', schedule.couple_id)
		.executeTakeFirstOrThrow();
	if (couple.archived_at) return;
	const zone = await clockOf(trx, schedule.couple_id);

	await closeMissed(trx, schedule.id, now);
	const created = await trx
		.insertInto('assignments')
		.values({
			couple_id: schedule.couple_id,
			definition_id: schedule.definition_id,
			mode: 'homework',
			due_at: dueAt,
			note: schedule.note,
			reveal_policy: schedule.reveal_policy,
			created_by: schedule.created_by,
			created_at: now,
			schedule_id: schedule.id,
			occurrence
		})
		.onConflict((oc) => oc.doNothing())
		.returning('id')
		.executeTakeFirst();
	if (created) {
		if (couple.auto_reminders && dueAt > now) {
			await reminders.remindPartners(trx, { assignmentId: created.id, kind: 'opened', now });
		}
		await planReminders(
			trx,
			{ assignmentId: created.id, dueAt, opensDaysBefore: schedule.opens_days_before, zone },
			now
		);
	}

	const next = occurrence + 1;
	const nextDue = followingDue(schedule.cadence, schedule.due_day, dueAt, zone);
	const isLast = !isWithinEnd(schedule, next, nextDue);
	const advanced = await trx
		.updateTable('schedules')
		.set({
			next_occurrence: next,
			next_due_at: isLast ? null : nextDue,
			status: isLast ? 'ended' : 'active'
		})
		.where('id', '=', schedule.id)
		.returningAll()
		.executeTakeFirstOrThrow();
	await planNextOpening(trx, advanced, now);
}

/** The work of one automatic reminder, if it is still useful when it runs. */
async function remind(
	trx: Transaction<Database>,
	payload: Record<string, unknown>,
	{ now, runAt }: { now: Date; runAt: Date }
) {
	const { assignmentId, kind } = payload;
	if (typeof assignmentId !== 'string' || (kind !== 'due-tomorrow' && kind !== 'overdue')) return;
	const row = await trx
		.selectFrom('assignments as a')
		.innerJoin('couples as c', 'c.id', 'a.couple_id')
		.leftJoin('schedules as s', 's.id', 'a.schedule_id')
		.select(['a.status', 'a.due_at', 'c.archived_at', 'c.auto_reminders', 's.status as schedule'])
		.where('a.id', '=', assignmentId)
		.executeTakeFirst();
	if (!row || row.status !== 'open' || row.archived_at || !row.auto_reminders) return;
	if (row.schedule === 'paused' || row.schedule === 'stopped') return;
	if (now.getTime() - runAt.getTime() > STALE_REMINDER_MS) return;
	if (kind === 'due-tomorrow' && row.due_at && now >= row.due_at) return;
	await reminders.remindPartners(trx, { assignmentId, kind, now });
}

/** The scheduler's handlers for the work this module plans. */
export const work: scheduler.WorkHandlers = {
	[WORK_KINDS.open]: openOccurrence,
	[WORK_KINDS.reminder]: remind
};

export type End = { occurrences: number } | { until: Date };

export interface NewSchedule {
	coupleId: string;
	definitionId: string;
	cadence: Cadence;
	/** The first occurrence's due date (a whole day); its weekday or day of the month repeats. */
	firstDueAt: Date;
	end: End;
	opensDaysBefore?: number;
	note?: string | null;
	/** How each occurrence's simultaneous sections are revealed (default: when both lock). */
	revealPolicy?: RevealPolicy;
}

export type CreateResult =
	| { ok: true; scheduleId: string; openedAssignmentId: string | null }
	| { ok: false; field: 'definitionId' | 'occurrences' | 'until' | 'coupleId'; message: string };

/**
 * Creates a schedule for one of the therapist's couples. An occurrence whose opening time has already
 * come opens in the same transaction, so the partners see it at once.
 */
export async function create(
	db: Kysely<Database>,
	therapistId: string,
	input: NewSchedule,
	now = new Date()
): Promise<CreateResult> {
	// The therapist's clock: the days she picked are her days.
	const zone = await timeZones.zoneOf(db, therapistId);
	const firstDue = endOfDayOf(input.firstDueAt, zone);
	const dueDay = dueDayOf(input.cadence, firstDue, zone);
	const end: EndRule =
		'occurrences' in input.end
			? { occurrences: input.end.occurrences, until_at: null }
			: { occurrences: null, until_at: endOfDayOf(input.end.until, zone) };
	if (end.occurrences !== null) {
		if (end.occurrences < MIN_OCCURRENCES || end.occurrences > MAX_OCCURRENCES) {
			return {
				ok: false,
				field: 'occurrences',
				message: `Choose from ${MIN_OCCURRENCES} to ${MAX_OCCURRENCES} times.`
			};
		}
	} else {
		const count = countUntil(input.cadence, dueDay, firstDue, end.until_at!, zone);
		if (count < MIN_OCCURRENCES) {
			return {
				ok: false,
				field: 'until',
				message: 'Choose an end date that leaves room for at least two occurrences.'
			};
		}
		if (count > MAX_OCCURRENCES) {
			return {
				ok: false,
				field: 'until',
				message: `That end date makes more than ${MAX_OCCURRENCES} occurrences; choose an earlier one.`
			};
		}
	}
	if (!isId(input.coupleId) || !isId(input.definitionId)) {
		return { ok: false, field: 'definitionId', message: 'Choose an exercise from your library.' };
	}

	return db.transaction().execute(async (trx) => {
		const found = await assignments.assignable(
			trx,
			therapistId,
			input.coupleId,
			input.definitionId
		);
		if (!found.ok) {
			return {
				ok: false as const,
				field: found.field,
				message:
					found.field === 'coupleId'
						? 'There is no such couple.'
						: 'Choose an exercise from your library.'
			};
		}
		const { couple, definition } = found;
		const schedule = await trx
			.insertInto('schedules')
			.values({
				couple_id: couple.id,
				definition_id: definition.id,
				created_by: therapistId,
				cadence: input.cadence,
				due_day: dueDay,
				occurrences: end.occurrences,
				until_at: end.until_at,
				opens_days_before: input.opensDaysBefore ?? DEFAULT_OPENS_DAYS_BEFORE,
				note: input.note ?? null,
				reveal_policy: input.revealPolicy ?? 'on_lock',
				next_due_at: firstDue,
				created_at: now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		await audit.record(trx, {
			actorId: therapistId,
			action: 'schedule.created',
			targetType: 'schedule',
			targetId: schedule.id,
			coupleId: couple.id,
			detail: { cadence: schedule.cadence, occurrences: end.occurrences }
		});
		await planNextOpening(trx, schedule, now);
		let openedAssignmentId: string | null = null;
		if (opensAt(firstDue, schedule.opens_days_before, zone) <= now) {
			await runPlannedNow(trx, workKey.open(schedule.id, 0), now);
			const opened = await trx
				.selectFrom('assignments')
				.select('id')
				.where('schedule_id', '=', schedule.id)
				.where('occurrence', '=', 0)
				.executeTakeFirst();
			openedAssignmentId = opened?.id ?? null;
		}
		return { ok: true as const, scheduleId: schedule.id, openedAssignmentId };
	});
}

/** Does planned work at once in the caller's transaction, as the scheduler would, and marks it done. */
async function runPlannedNow(trx: Transaction<Database>, key: string, now: Date) {
	const planned = await trx
		.selectFrom('scheduled_work')
		.select(['id', 'kind', 'payload', 'run_at'])
		.where('key', '=', key)
		.where('done_at', 'is', null)
		.forUpdate()
		.executeTakeFirst();
	if (!planned) return;
	await work[planned.kind]?.(trx, planned.payload as Record<string, unknown>, {
		now,
		runAt: planned.run_at,
		key
	});
	await trx
		.updateTable('scheduled_work')
		.set({ done_at: now })
		.where('id', '=', planned.id)
		.execute();
}

export type ChangeResult = { ok: true } | { ok: false; status: 404 | 409; message: string };

const NOT_FOUND: ChangeResult = {
	ok: false,
	status: 404,
	message: 'There is no such schedule for this couple.'
};

/** Locks one of the therapist's schedules of a couple for a change, audited in the same transaction. */
async function changeOwnSchedule(
	db: Kysely<Database>,
	who: { therapistId: string; coupleId: string; scheduleId: string; ip?: string | null },
	action: string,
	change: (trx: Transaction<Database>, schedule: Schedule) => Promise<ChangeResult>
): Promise<ChangeResult> {
	if (!isId(who.scheduleId) || !isId(who.coupleId)) return NOT_FOUND;
	return db.transaction().execute(async (trx) => {
		const schedule = await trx
			.selectFrom('schedules')
			.selectAll('schedules')
			.where('schedules.id', '=', who.scheduleId)
			.where('schedules.couple_id', '=', who.coupleId)
			.where(({ exists, selectFrom }) =>
				exists(
					selectFrom('couples')
						.select('couples.id')
						.whereRef('couples.id', '=', 'schedules.couple_id')
						.where('couples.therapist_id', '=', who.therapistId)
				)
			)
			.forUpdate()
			.executeTakeFirst();
		if (!schedule) return NOT_FOUND;
		const result = await change(trx, schedule);
		if (result.ok) {
			await audit.record(trx, {
				actorId: who.therapistId,
				action,
				targetType: 'schedule',
				targetId: schedule.id,
				coupleId: schedule.couple_id,
				ip: who.ip ?? null
			});
		}
		return result;
	});
}

type Who = Parameters<typeof changeOwnSchedule>[1];

/** When the schedule's latest opened occurrence is due. */
async function lastOpenedDue(trx: Kysely<Database>, scheduleId: string): Promise<Date | null> {
	const last = await trx
		.selectFrom('assignments')
		.select((eb) => eb.fn.max('due_at').as('due'))
		.where('schedule_id', '=', scheduleId)
		.executeTakeFirst();
	return last?.due ? new Date(last.due) : null;
}

const conflict = (message: string): ChangeResult => ({ ok: false, status: 409, message });

/** Stops opening occurrences until resumed; the open one stays open, without automatic reminders. */
export function pause(db: Kysely<Database>, who: Who, now = new Date()) {
	return changeOwnSchedule(db, who, 'schedule.paused', async (trx, schedule) => {
		if (schedule.status !== 'active') return conflict('Only a running schedule can be paused.');
		await unplanNextOpening(trx, schedule);
		await trx
			.updateTable('schedules')
			.set({ status: 'paused', paused_at: now })
			.where('id', '=', schedule.id)
			.execute();
		return { ok: true };
	});
}

/** Pauses every running schedule of a couple (archiving it); in the caller's transaction. */
export async function pauseForCouple(trx: Kysely<Database>, coupleId: string, now = new Date()) {
	const running = await trx
		.selectFrom('schedules')
		.selectAll()
		.where('couple_id', '=', coupleId)
		.where('status', '=', 'active')
		.forUpdate()
		.execute();
	for (const schedule of running) await unplanNextOpening(trx, schedule);
	if (running.length === 0) return;
	await trx
		.updateTable('schedules')
		.set({ status: 'paused', paused_at: now })
		.where(
			'id',
			'in',
			running.map((s) => s.id)
		)
		.execute();
}

/**
 * Starts a paused schedule again from its next date after today: occurrences that fell in the pause
 * are skipped, not made up, and are not counted as missed.
 */
export function resume(db: Kysely<Database>, who: Who, now = new Date()) {
	return changeOwnSchedule(db, who, 'schedule.resumed', async (trx, schedule) => {
		if (schedule.status !== 'paused') return conflict('Only a paused schedule can be resumed.');
		const couple = await trx
			.selectFrom('couples')
			.select('archived_at')
			.where('id', '=', schedule.couple_id)
			.executeTakeFirstOrThrow();
		if (couple.archived_at) return conflict('Restore the couple before resuming its schedules.');
		// Never due before the one still open: it would close as missed before its own due date.
		const lastDue = await lastOpenedDue(trx, schedule.id);
		const after = lastDue && lastDue > now ? lastDue : now;
		const zone = await clockOf(trx, schedule.couple_id);
		const nextDue = firstDueAfter(schedule.cadence, schedule.due_day, after, zone);
		const isOver = !isWithinEnd(schedule, schedule.next_occurrence, nextDue);
		const resumed = await trx
			.updateTable('schedules')
			.set({
				status: isOver ? 'ended' : 'active',
				paused_at: null,
				next_due_at: isOver ? null : nextDue
			})
			.where('id', '=', schedule.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await planNextOpening(trx, resumed, now);
		return { ok: true };
	});
}

/** Ends a schedule for good: nothing more opens; what was done (and the open one) stays. */
export function stop(db: Kysely<Database>, who: Who, now = new Date()) {
	return changeOwnSchedule(db, who, 'schedule.stopped', async (trx, schedule) => {
		if (schedule.status !== 'active' && schedule.status !== 'paused')
			return conflict('This schedule has already ended.');
		await unplanNextOpening(trx, schedule);
		await trx
			.updateTable('schedules')
			.set({ status: 'stopped', stopped_at: now, next_due_at: null })
			.where('id', '=', schedule.id)
			.execute();
		return { ok: true };
	});
}

/**
 * Moves the occurrences still to open to another weekday (weekly, fortnightly) or day of the month
 * (monthly), from the next one on; never to a date already past or before the last one opened.
 */
export function changeDay(db: Kysely<Database>, who: Who, dueDay: number, now = new Date()) {
	return changeOwnSchedule(db, who, 'schedule.day-changed', async (trx, schedule) => {
		const isValid =
			Number.isInteger(dueDay) &&
			(schedule.cadence === 'monthly' ? dueDay >= 1 && dueDay <= 31 : dueDay >= 0 && dueDay <= 6);
		if (!isValid) {
			return {
				ok: false,
				status: 409,
				message:
					schedule.cadence === 'monthly'
						? 'Choose a day of the month from 1 to 31.'
						: 'Choose a day of the week.'
			};
		}
		if (schedule.status !== 'active' && schedule.status !== 'paused')
			return conflict('This schedule has ended; there is no day to change.');
		const floor = Math.max(now.getTime(), (await lastOpenedDue(trx, schedule.id))?.getTime() ?? 0);
		const zone = await clockOf(trx, schedule.couple_id);
		let nextDue = schedule.next_due_at
			? movedDue(schedule.cadence, dueDay, schedule.next_due_at, zone)
			: null;
		while (nextDue && nextDue.getTime() <= floor)
			nextDue = followingDue(schedule.cadence, dueDay, nextDue, zone);
		if (schedule.status === 'active') await unplanNextOpening(trx, schedule);
		const isOver = nextDue !== null && !isWithinEnd(schedule, schedule.next_occurrence, nextDue);
		const changed = await trx
			.updateTable('schedules')
			.set({
				due_day: dueDay,
				next_due_at: isOver ? null : nextDue,
				status: isOver ? 'ended' : schedule.status
			})
			.where('id', '=', schedule.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await planNextOpening(trx, changed, now);
		return { ok: true };
	});
}

/** The newest version of the schedule's exercise, when it is not the one the schedule uses. */
async function newerVersion(db: Kysely<Database>, definitionId: string) {
	const current = await db
		.selectFrom('exercise_definitions')
		.select(['key', 'owner_id', 'version'])
		.where('id', '=', definitionId)
		.executeTakeFirstOrThrow();
	let query = db
		.selectFrom('exercise_definitions')
		.select(['id', 'version'])
		.where('key', '=', current.key)
		.where('version', '>', current.version)
		.where('archived_at', 'is', null);
	query =
		current.owner_id === null
			? query.where('owner_id', 'is', null)
			: query.where('owner_id', '=', current.owner_id);
	return (await query.orderBy('version', 'desc').limit(1).executeTakeFirst()) ?? null;
}

/**
 * Moves a schedule to the newest version of its exercise from the next occurrence on; the ones already
 * opened keep the version they were given. Editing an exercise never does this by itself.
 */
export function useNewestVersion(db: Kysely<Database>, who: Who) {
	return changeOwnSchedule(db, who, 'schedule.version-changed', async (trx, schedule) => {
		if (schedule.status !== 'active' && schedule.status !== 'paused')
			return conflict('This schedule has ended; nothing more will open.');
		const newer = await newerVersion(trx, schedule.definition_id);
		if (!newer) return conflict('This schedule already uses the newest version.');
		await trx
			.updateTable('schedules')
			.set({ definition_id: newer.id })
			.where('id', '=', schedule.id)
			.execute();
		return { ok: true };
	});
}

export interface ScheduleView {
	id: string;
	title: string;
	version: number;
	newerVersion: number | null;
	cadence: Cadence;
	dueDay: number;
	/** "Every week on Tuesday", "Every month on the 12th". */
	repeatLabel: string;
	opensDaysBefore: number;
	status: ScheduleStatus;
	nextDueAt: Date | null;
	occurrences: number | null;
	untilAt: Date | null;
	opened: number;
	done: number;
	missed: number;
	/** The occurrence open now, if any (partners see only this one). */
	current: { assignmentId: string; dueAt: Date | null; occurrence: number } | null;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function ordinal(n: number) {
	const suffix =
		n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
	return `${n}${suffix}`;
}

export function repeatLabel(cadence: Cadence, dueDay: number): string {
	if (cadence === 'monthly') return `Every month on the ${ordinal(dueDay)}`;
	const day = WEEKDAYS[dueDay] ?? '';
	return cadence === 'weekly' ? `Every week on ${day}` : `Every other week on ${day}`;
}

/**
 * A couple's schedules with what each has done so far, from the couple's assignment summaries (the
 * couple page has them already).
 */
export async function forCouple(
	db: Kysely<Database>,
	coupleId: string,
	assignments?: homework.AssignmentSummary[]
): Promise<ScheduleView[]> {
	if (!isId(coupleId)) return [];
	const rows = await db
		.selectFrom('schedules as s')
		.innerJoin('exercise_definitions as d', 'd.id', 's.definition_id')
		.selectAll('s')
		.select(['d.definition', 'd.version'])
		.where('s.couple_id', '=', coupleId)
		.orderBy('s.created_at', 'desc')
		.execute();
	if (rows.length === 0) return [];
	const summaries = assignments ?? (await homework.summaries(db, { coupleId }));
	const views: ScheduleView[] = [];
	for (const row of rows) {
		const occurrences = summaries.filter((a) => a.scheduleId === row.id);
		const isDone = (a: homework.AssignmentSummary) =>
			a.partners.length > 0 && a.partners.every((p) => p.status === 'locked');
		const open = occurrences
			.filter((a) => a.status === 'open' && !isDone(a))
			.sort((x, y) => (y.occurrence ?? 0) - (x.occurrence ?? 0))[0];
		const newer =
			row.status === 'active' || row.status === 'paused'
				? await newerVersion(db, row.definition_id)
				: null;
		views.push({
			id: row.id,
			title: (row.definition as ExerciseDefinition).title,
			version: row.version,
			newerVersion: newer?.version ?? null,
			cadence: row.cadence,
			dueDay: row.due_day,
			repeatLabel: repeatLabel(row.cadence, row.due_day),
			opensDaysBefore: row.opens_days_before,
			status: row.status,
			nextDueAt: row.status === 'active' ? row.next_due_at : null,
			occurrences: row.occurrences,
			untilAt: row.until_at,
			opened: occurrences.length,
			done: occurrences.filter(isDone).length,
			missed: occurrences.filter((a) => a.missed).length,
			current: open
				? { assignmentId: open.id, dueAt: open.dueAt, occurrence: open.occurrence ?? 0 }
				: null
		});
	}
	return views;
}

/** How each schedule repeats, by id, for the partner's list ("Every week on Tuesday", of how many). */
export async function labels(
	db: Kysely<Database>,
	scheduleIds: string[]
): Promise<Map<string, { repeatLabel: string; occurrences: number | null }>> {
	const ids = [...new Set(scheduleIds)];
	if (ids.length === 0) return new Map();
	const rows = await db
		.selectFrom('schedules')
		.select(['id', 'cadence', 'due_day', 'occurrences'])
		.where((eb) => eb('id', '=', eb.fn.any(eb.val(ids))))
		.execute();
	return new Map(
		rows.map((r) => [
			r.id,
			{ repeatLabel: repeatLabel(r.cadence, r.due_day), occurrences: r.occurrences }
		])
	);
}

export interface MissedOccurrence {
	assignmentId: string;
	coupleId: string;
	coupleLabel: string;
	title: string;
	dueAt: Date | null;
}

/** The therapist's scheduled homework closed as missed since `since`, newest first. */
export async function missedSince(
	db: Kysely<Database>,
	therapistId: string,
	since: Date
): Promise<MissedOccurrence[]> {
	const rows = await db
		.selectFrom('assignments as a')
		.innerJoin('couples as c', 'c.id', 'a.couple_id')
		.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
		.select(['a.id', 'a.couple_id', 'a.due_at', 'c.label', 'd.definition'])
		.where('c.therapist_id', '=', therapistId)
		.where('c.archived_at', 'is', null)
		.where('a.missed_at', '>=', since)
		.orderBy('a.missed_at', 'desc')
		.execute();
	return rows.map((r) => ({
		assignmentId: r.id,
		coupleId: r.couple_id,
		coupleLabel: r.label,
		title: (r.definition as ExerciseDefinition).title,
		dueAt: r.due_at
	}));
}

/** The therapist's switch for a couple's automatic reminders, audited. False when not her couple. */
export function setAutoReminders(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	isOn: boolean,
	ip: string | null = null
): Promise<boolean> {
	return couples.setSwitch(db, therapistId, coupleId, 'auto_reminders', isOn, ip);
}

export async function autoRemindersOn(db: Kysely<Database>, coupleId: string): Promise<boolean> {
	if (!isId(coupleId)) return false;
	return (await columnOf(db, 'couples', 'auto_reminders', coupleId)) ?? false;
}
