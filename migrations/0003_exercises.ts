// Exercises as versioned data, assignments, answers, live-room events and idempotency receipts, safety flags.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('exercise_definitions')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('key', 'text', (c) => c.notNull())
		.addColumn('version', 'integer', (c) => c.notNull())
		.addColumn('owner_id', 'uuid', (c) => c.references('users.id'))
		.addColumn('definition', 'jsonb', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('archived_at', 'timestamptz')
		.execute();
	await sql`create unique index exercise_definitions_key_version on exercise_definitions (key, version, owner_id) nulls not distinct`.execute(
		db
	);

	await db.schema
		.createTable('assignments')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('couple_id', 'uuid', (c) => c.notNull().references('couples.id'))
		.addColumn('definition_id', 'uuid', (c) => c.notNull().references('exercise_definitions.id'))
		.addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('homework', 'live')`))
		.addColumn('status', 'text', (c) =>
			c
				.notNull()
				.defaultTo('open')
				.check(sql`status in ('open', 'closed')`)
		)
		.addColumn('due_at', 'timestamptz')
		.addColumn('note', 'text')
		.addColumn('current_section_id', 'text')
		.addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('created_by', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('closed_at', 'timestamptz')
		.execute();
	await db.schema
		.createIndex('assignments_couple_idx')
		.on('assignments')
		.columns(['couple_id', 'created_at'])
		.execute();

	await db.schema
		.createTable('responses')
		.addColumn('assignment_id', 'uuid', (c) => c.notNull().references('assignments.id'))
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('item_id', 'text', (c) => c.notNull())
		.addColumn('value', 'jsonb', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('responses_pk', ['assignment_id', 'user_id', 'item_id'])
		.execute();

	await db.schema
		.createTable('section_locks')
		.addColumn('assignment_id', 'uuid', (c) => c.notNull().references('assignments.id'))
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('section_id', 'text', (c) => c.notNull())
		.addColumn('locked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('section_locks_pk', ['assignment_id', 'user_id', 'section_id'])
		.execute();

	await db.schema
		.createTable('section_reveals')
		.addColumn('assignment_id', 'uuid', (c) => c.notNull().references('assignments.id'))
		.addColumn('section_id', 'text', (c) => c.notNull())
		.addColumn('revealed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('revealed_by', 'uuid', (c) => c.references('users.id'))
		.addPrimaryKeyConstraint('section_reveals_pk', ['assignment_id', 'section_id'])
		.execute();

	await db.schema
		.createTable('joint_answers')
		.addColumn('assignment_id', 'uuid', (c) => c.notNull().references('assignments.id'))
		.addColumn('item_id', 'text', (c) => c.notNull())
		.addColumn('value', 'jsonb', (c) => c.notNull())
		.addColumn('updated_by', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('joint_answers_pk', ['assignment_id', 'item_id'])
		.execute();

	await db.schema
		.createTable('room_events')
		.addColumn('assignment_id', 'uuid', (c) => c.notNull().references('assignments.id'))
		.addColumn('seq', 'integer', (c) => c.notNull())
		.addColumn('type', 'text', (c) => c.notNull())
		.addColumn('actor_id', 'uuid')
		.addColumn('payload', 'jsonb', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('room_events_pk', ['assignment_id', 'seq'])
		.execute();

	await db.schema
		.createTable('op_receipts')
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('op_id', 'text', (c) => c.notNull())
		.addColumn('assignment_id', 'uuid', (c) => c.notNull())
		.addColumn('result', 'jsonb', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('op_receipts_pk', ['user_id', 'op_id'])
		.execute();

	// The table @socket.io/postgres-adapter uses for payloads too large for NOTIFY.
	await db.schema
		.createTable('socket_io_attachments')
		.addColumn('id', 'bigserial', (c) => c.unique())
		.addColumn('created_at', 'timestamptz', (c) => c.defaultTo(sql`now()`))
		.addColumn('payload', 'bytea')
		.execute();

	await db.schema
		.createTable('safety_flags')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('assignment_id', 'uuid', (c) => c.notNull().references('assignments.id'))
		.addColumn('couple_id', 'uuid', (c) => c.notNull().references('couples.id'))
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('item_id', 'text', (c) => c.notNull())
		.addColumn('raised_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('acknowledged_by', 'uuid', (c) => c.references('users.id'))
		.addColumn('acknowledged_at', 'timestamptz')
		.execute();
	await db.schema
		.createIndex('safety_flags_open_idx')
		.on('safety_flags')
		.columns(['couple_id', 'acknowledged_at'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'safety_flags',
		'socket_io_attachments',
		'op_receipts',
		'room_events',
		'joint_answers',
		'section_reveals',
		'section_locks',
		'responses',
		'assignments',
		'exercise_definitions'
	]) {
		await db.schema.dropTable(table).execute();
	}
}
