// Table types for migration 0004 (nudges, crisis resources), added to a Kysely instance with withTables.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
	Date | null,
	Date | string | null | undefined,
	Date | string | null
>;

export interface NudgesTable {
	id: Generated<string>;
	assignment_id: string;
	user_id: string;
	sent_by: string;
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
