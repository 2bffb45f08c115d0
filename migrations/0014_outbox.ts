// Outgoing email as rows: written in the same transaction as what caused it, sent afterwards by a
// background sender with retries (src/lib/server/outbox.ts). The message is sealed with the notes
// keyring (an invite link is a credential) and cleared once it is sent or given up on.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('outbox')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('to_address', 'text', (c) => c.notNull())
		.addColumn('key_id', 'text')
		.addColumn('nonce', 'bytea')
		.addColumn('ciphertext', 'bytea')
		.addColumn('status', 'text', (c) =>
			c
				.notNull()
				.defaultTo('pending')
				.check(sql`status in ('pending', 'sent', 'retrying', 'failed')`)
		)
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('lease_until', 'timestamptz')
		.addColumn('last_error', 'text')
		.addColumn('dedupe_key', 'text', (c) => c.unique())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('sent_at', 'timestamptz')
		.execute();
	// The sender reads only what is still to send, oldest due first.
	await sql`create index outbox_due_idx on outbox (next_attempt_at) where status in ('pending', 'retrying')`.execute(
		db
	);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('outbox').execute();
}
