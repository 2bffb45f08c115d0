// Password reset links: a random single-use token (only its SHA-256 stored) that expires in 30 minutes,
// asked for by email or issued to a partner by the couple's therapist (issued_by).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('password_resets')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('used_at', 'timestamptz')
		.addColumn('issued_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
		.execute();
	await sql`create index password_resets_outstanding_idx
		on password_resets (user_id) where used_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('password_resets').execute();
}
