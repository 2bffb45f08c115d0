// Recurring homework: schedules, the due-work table the in-process scheduler polls, each occurrence's
// place in its schedule, automatic reminders beside the therapist's nudges, and the switches that
// turn reminders off (per couple for the therapist, email per partner).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('schedules')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('couple_id', 'uuid', (c) => c.notNull().references('couples.id'))
		.addColumn('definition_id', 'uuid', (c) => c.notNull().references('exercise_definitions.id'))
		.addColumn('created_by', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('cadence', 'text', (c) =>
			c.notNull().check(sql`cadence in ('weekly', 'fortnightly', 'monthly')`)
		)
		// A weekday (0 = Sunday) for weekly and fortnightly, a day of the month for monthly.
		.addColumn('due_day', 'integer', (c) => c.notNull().check(sql`due_day between 0 and 31`))
		.addColumn('occurrences', 'integer', (c) => c.check(sql`occurrences between 1 and 52`))
		.addColumn('until_at', 'timestamptz')
		.addColumn('opens_days_before', 'integer', (c) =>
			c
				.notNull()
				.defaultTo(3)
				.check(sql`opens_days_before between 0 and 6`)
		)
		.addColumn('note', 'text')
		.addColumn('status', 'text', (c) =>
			c
				.notNull()
				.defaultTo('active')
				.check(sql`status in ('active', 'paused', 'stopped', 'ended')`)
		)
		.addColumn('next_occurrence', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('next_due_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('paused_at', 'timestamptz')
		.addColumn('stopped_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('schedules_couple_idx').on('schedules').column('couple_id').execute();

	await db.schema
		.createTable('scheduled_work')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		// What makes the work unique (one occurrence, one reminder): a restart or a second instance
		// that plans the same work again finds the key taken.
		.addColumn('key', 'text', (c) => c.notNull().unique())
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('run_at', 'timestamptz', (c) => c.notNull())
		.addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('last_error', 'text')
		.addColumn('done_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await sql`create index scheduled_work_due_idx on scheduled_work (run_at) where done_at is null`.execute(
		db
	);

	await db.schema
		.alterTable('assignments')
		.addColumn('schedule_id', 'uuid', (c) => c.references('schedules.id'))
		.addColumn('occurrence', 'integer')
		.addColumn('missed_at', 'timestamptz')
		.execute();
	await db.schema
		.createIndex('assignments_schedule_occurrence')
		.unique()
		.on('assignments')
		.columns(['schedule_id', 'occurrence'])
		.execute();

	await db.schema
		.alterTable('couples')
		.addColumn('auto_reminders', 'boolean', (c) => c.notNull().defaultTo(true))
		.execute();
	await db.schema
		.alterTable('users')
		.addColumn('email_reminders', 'boolean', (c) => c.notNull().defaultTo(true))
		.execute();

	// A nudge is the therapist's; the other kinds are the scheduler's, each at most once per partner.
	await db.schema
		.alterTable('nudges')
		.addColumn('kind', 'text', (c) =>
			c
				.notNull()
				.defaultTo('nudge')
				.check(sql`kind in ('nudge', 'opened', 'due-tomorrow', 'overdue')`)
		)
		.addColumn('email_id', 'uuid', (c) => c.references('outbox.id'))
		.execute();
	await db.schema
		.alterTable('nudges')
		.alterColumn('sent_by', (c) => c.dropNotNull())
		.execute();
	await sql`create unique index nudges_automatic_once on nudges (assignment_id, user_id, kind) where kind <> 'nudge'`.execute(
		db
	);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('nudges_automatic_once').execute();
	await db.deleteFrom('nudges').where('sent_by', 'is', null).execute();
	await db.schema
		.alterTable('nudges')
		.alterColumn('sent_by', (c) => c.setNotNull())
		.execute();
	await db.schema.alterTable('nudges').dropColumn('email_id').dropColumn('kind').execute();
	await db.schema.alterTable('users').dropColumn('email_reminders').execute();
	await db.schema.alterTable('couples').dropColumn('auto_reminders').execute();
	await db.schema.dropIndex('assignments_schedule_occurrence').execute();
	await db.schema
		.alterTable('assignments')
		.dropColumn('missed_at')
		.dropColumn('occurrence')
		.dropColumn('schedule_id')
		.execute();
	await db.schema.dropTable('scheduled_work').execute();
	await db.schema.dropTable('schedules').execute();
}
