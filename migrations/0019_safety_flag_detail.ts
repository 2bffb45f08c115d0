// What a safety flag needs to be acted on: a phone number on the therapist's record of each partner,
// the answer given and the crisis resources the partner was shown (as they were when the flag was raised), and the
// therapist's acknowledgement — what she did, and an optional short note sealed like session notes.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('couple_members').addColumn('phone', 'text').execute();
	await db.schema
		.alterTable('safety_flags')
		// The answer that raised the flag (the response itself may change later).
		.addColumn('answer', 'jsonb')
		// null: the practice had no list of its own, so the default list was shown.
		.addColumn('resources_shown', 'jsonb')
		.addColumn('acknowledged_action', 'text', (c) =>
			c.check(sql`acknowledged_action in ('called', 'messaged', 'session', 'other')`)
		)
		.execute();
	await db.schema
		.createTable('safety_ack_notes')
		// The flag's id: one note per acknowledgement, sealed with that id as its additional data.
		.addColumn('id', 'uuid', (c) => c.primaryKey().references('safety_flags.id'))
		.addColumn('key_id', 'text', (c) => c.notNull())
		.addColumn('nonce', 'bytea', (c) => c.notNull())
		.addColumn('ciphertext', 'bytea', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('safety_ack_notes').execute();
	await db.schema
		.alterTable('safety_flags')
		.dropColumn('answer')
		.dropColumn('resources_shown')
		.dropColumn('acknowledged_action')
		.execute();
	await db.schema.alterTable('couple_members').dropColumn('phone').execute();
}
