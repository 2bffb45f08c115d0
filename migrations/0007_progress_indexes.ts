// Indexes the therapist home needs once a practice has a year of history (plans in docs/benchmarks.md):
// the open assignments of a therapist's couples, and the last reminder per assignment and partner.
// Answers, locks, reveals and joint answers are already reached by their primary keys (assignment first).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	// Open assignments are a handful per couple whatever the history, so a partial index stays small.
	await db.schema
		.createIndex('assignments_open_idx')
		.on('assignments')
		.columns(['couple_id', 'created_at'])
		.where('status', '=', 'open')
		.execute();
	await db.schema
		.createIndex('nudges_assignment_idx')
		.on('nudges')
		.columns(['assignment_id', 'user_id', 'created_at'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('nudges_assignment_idx').execute();
	await db.schema.dropIndex('assignments_open_idx').execute();
}
