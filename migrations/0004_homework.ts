// Homework reminders (nudges) and each therapist's crisis resources shown when a safety item triggers.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('nudges')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('assignment_id', 'uuid', (c) => c.notNull().references('assignments.id'))
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('sent_by', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('emailed_at', 'timestamptz')
		.addColumn('dismissed_at', 'timestamptz')
		.execute();
	await db.schema
		.createIndex('nudges_user_idx')
		.on('nudges')
		.columns(['user_id', 'dismissed_at'])
		.execute();

	// A practice is one therapist for now; when practices arrive the rows move with their therapist.
	await db.schema
		.createTable('crisis_resources')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('therapist_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('phone', 'text')
		.addColumn('text_line', 'text')
		.addColumn('url', 'text')
		.execute();
	await db.schema
		.createIndex('crisis_resources_therapist_idx')
		.on('crisis_resources')
		.columns(['therapist_id', 'position'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('crisis_resources').execute();
	await db.schema.dropTable('nudges').execute();
}
