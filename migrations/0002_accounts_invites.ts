// One person holds at most one place in a couple, and an invite is looked up by member and state quickly.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await sql`create unique index couple_members_one_place_per_person
		on couple_members (couple_id, user_id) where user_id is not null`.execute(db);
	await sql`create index invites_outstanding_idx
		on invites (member_id) where used_at is null and revoked_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('invites_outstanding_idx').execute();
	await db.schema.dropIndex('couple_members_one_place_per_person').execute();
}
