// Session notes and their addenda, stored only as AES-256-GCM ciphertext (never plaintext).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('notes')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('couple_id', 'uuid', (c) => c.notNull().references('couples.id'))
		.addColumn('author_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('progress', 'psychotherapy')`))
		.addColumn('template', 'text', (c) =>
			c.notNull().check(sql`template in ('soap', 'dap', 'birp', 'free')`)
		)
		.addColumn('session_date', 'date', (c) => c.notNull())
		// Set when the note was written beside a live room: the draft of that session.
		.addColumn('assignment_id', 'uuid', (c) => c.references('assignments.id'))
		.addColumn('key_id', 'text', (c) => c.notNull())
		.addColumn('nonce', 'bytea', (c) => c.notNull())
		.addColumn('ciphertext', 'bytea', (c) => c.notNull())
		.addColumn('content_hash', 'text')
		.addColumn('signed_at', 'timestamptz')
		.addColumn('signed_by', 'uuid', (c) => c.references('users.id'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('notes_couple_idx')
		.on('notes')
		.columns(['couple_id', 'session_date'])
		.execute();

	await db.schema
		.createTable('note_addenda')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('note_id', 'uuid', (c) => c.notNull().references('notes.id'))
		.addColumn('author_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('key_id', 'text', (c) => c.notNull())
		.addColumn('nonce', 'bytea', (c) => c.notNull())
		.addColumn('ciphertext', 'bytea', (c) => c.notNull())
		.addColumn('content_hash', 'text', (c) => c.notNull())
		.addColumn('signed_at', 'timestamptz', (c) => c.notNull())
		.execute();
	await db.schema
		.createIndex('note_addenda_note_idx')
		.on('note_addenda')
		.column('note_id')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('note_addenda').execute();
	await db.schema.dropTable('notes').execute();
}
