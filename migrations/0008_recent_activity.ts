// The therapist home lists each couple's answers of the last two weeks: reading them by time keeps
// that query to the recent rows, whatever the length of the practice's history.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createIndex('responses_updated_at_idx')
		.on('responses')
		.column('updated_at')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('responses_updated_at_idx').execute();
}
