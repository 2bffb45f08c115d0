// Accounts, sessions, couples, partner invites and the audit log: what sign-in and inviting need.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('users')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('email', 'text', (c) => c.notNull().unique())
		.addColumn('password_hash', 'text')
		.addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('therapist', 'partner')`))
		.addColumn('display_name', 'text', (c) => c.notNull())
		.addColumn('totp_key', 'bytea')
		.addColumn('recovery_code_hash', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('sessions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('two_factor_verified', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('shared_device', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('user_agent', 'text')
		.execute();
	await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

	await db.schema
		.createTable('couples')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('therapist_id', 'uuid', (c) => c.notNull().references('users.id'))
		.addColumn('label', 'text', (c) => c.notNull())
		.addColumn('roles_apply', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('progress_visible', 'boolean', (c) => c.notNull().defaultTo(true))
		.addColumn('archived_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('couples_therapist_idx')
		.on('couples')
		.column('therapist_id')
		.execute();

	await db.schema
		.createTable('couple_members')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('couple_id', 'uuid', (c) => c.notNull().references('couples.id'))
		.addColumn('slot', 'smallint', (c) => c.notNull().check(sql`slot in (1, 2)`))
		.addColumn('user_id', 'uuid', (c) => c.references('users.id'))
		.addColumn('display_name', 'text', (c) => c.notNull())
		.addColumn('email', 'text')
		.addColumn('role', 'text', (c) =>
			c
				.notNull()
				.defaultTo('none')
				.check(sql`role in ('injured', 'involved', 'none')`)
		)
		.addColumn('joined_at', 'timestamptz')
		.addUniqueConstraint('couple_members_slot_unique', ['couple_id', 'slot'])
		.execute();
	await db.schema
		.createIndex('couple_members_user_idx')
		.on('couple_members')
		.column('user_id')
		.execute();

	await db.schema
		.createTable('invites')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('member_id', 'uuid', (c) => c.notNull().references('couple_members.id'))
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('used_at', 'timestamptz')
		.addColumn('revoked_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('invites_member_idx').on('invites').column('member_id').execute();

	await db.schema
		.createTable('audit_log')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('actor_id', 'uuid')
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('target_type', 'text')
		.addColumn('target_id', 'text')
		.addColumn('couple_id', 'uuid')
		.addColumn('ip', 'text')
		.addColumn('detail', 'jsonb')
		.addColumn('prev_hash', 'text')
		.addColumn('hash', 'text')
		.execute();
	await db.schema
		.createIndex('audit_log_couple_idx')
		.on('audit_log')
		.columns(['couple_id', 'at'])
		.execute();

	await db.schema
		.createTable('rate_limits')
		.addColumn('key', 'text', (c) => c.primaryKey())
		.addColumn('window_start', 'timestamptz', (c) => c.notNull())
		.addColumn('count', 'integer', (c) => c.notNull())
		.addColumn('locked_until', 'timestamptz')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'rate_limits',
		'audit_log',
		'invites',
		'couple_members',
		'couples',
		'sessions',
		'users'
	]) {
		await db.schema.dropTable(table).execute();
	}
}
