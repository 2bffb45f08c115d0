// Table types for migration 0004 (nudges, crisis resources; reminder kinds from 0015), added to a Kysely instance with withTables.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
	Date | null,
	Date | string | null | undefined,
	Date | string | null
>;

/** A therapist's nudge, or one of the scheduler's reminders (src/lib/server/reminders.ts). */
export type ReminderKind = 'nudge' | 'opened' | 'due-tomorrow' | 'overdue';

export interface NudgesTable {
	id: Generated<string>;
	assignment_id: string;
	user_id: string;
	/** The therapist who nudged; null for the scheduler's reminders. */
	sent_by: string | null;
	kind: Generated<ReminderKind>;
	/** The reminder email in the outbox, when one was queued. */
	email_id: string | null;
	created_at: Timestamp;
	emailed_at: NullableTimestamp;
	dismissed_at: NullableTimestamp;
}

export interface CrisisResourcesTable {
	id: Generated<string>;
	therapist_id: string;
	position: Generated<number>;
	name: string;
	phone: string | null;
	text_line: string | null;
	url: string | null;
}

// A type alias (not an interface) so it satisfies withTables' record constraint.
export type HomeworkTables = {
	nudges: NudgesTable;
	crisis_resources: CrisisResourcesTable;
};
