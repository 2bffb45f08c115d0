// The demo couple "Alex & Sam" does the weekly trust check-in on a schedule: its last few weeks of
// history and the check-in open now are occurrences of it, and the next one opens on its own.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { DEFAULT_TIME_ZONE } from '$lib/dates';
import { endOfDayOf, opensAt, planNextOpening, planReminders } from '../schedules';

/** How many of the finished weekly check-ins belong to the schedule (the rest were set by hand). */
export const SCHEDULED_WEEKS = 4;
const OCCURRENCES = 12;
/** The demo's check-ins open about four days before they are due. */
const OPENS_DAYS_BEFORE = 4;
const DAY = 86_400_000;

/**
 * Makes the schedule the given assignments (oldest first, the last one open) are occurrences of, one
 * week apart and due on the open one's weekday, and plans its work as the scheduler would have.
 */
export async function seedSchedule(
	db: Kysely<Database>,
	input: { coupleId: string; therapistId: string; occurrences: string[] }
): Promise<string> {
	const open = await db
		.selectFrom('assignments')
		.select(['definition_id', 'due_at'])
		.where('id', '=', input.occurrences.at(-1)!)
		.executeTakeFirstOrThrow();
	// A new demo's people are on the default clock until they first sign in (auth/time-zone.ts).
	const currentDue = endOfDayOf(open.due_at ?? new Date(), DEFAULT_TIME_ZONE);
	const opened = input.occurrences.length;
	const dueOf = (index: number) => new Date(currentDue.getTime() - (opened - 1 - index) * 7 * DAY);
	const nextDue = dueOf(opened);
	const schedule = await db
		.insertInto('schedules')
		.values({
			couple_id: input.coupleId,
			definition_id: open.definition_id,
			created_by: input.therapistId,
			cadence: 'weekly',
			due_day: currentDue.getUTCDay(),
			occurrences: OCCURRENCES,
			opens_days_before: OPENS_DAYS_BEFORE,
			next_occurrence: opened,
			next_due_at: nextDue,
			created_at: new Date(opensAt(dueOf(0), OPENS_DAYS_BEFORE).getTime() - DAY)
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	for (const [index, id] of input.occurrences.entries()) {
		await db
			.updateTable('assignments')
			.set({ schedule_id: schedule.id, occurrence: index, due_at: dueOf(index) })
			.where('id', '=', id)
			.execute();
	}
	await planNextOpening(db, schedule, schedule.created_at);
	await planReminders(
		db,
		{
			assignmentId: input.occurrences.at(-1)!,
			dueAt: currentDue,
			opensDaysBefore: OPENS_DAYS_BEFORE,
			zone: DEFAULT_TIME_ZONE
		},
		schedule.created_at
	);
	return schedule.id;
}
