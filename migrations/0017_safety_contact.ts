// A therapist's optional second contact for safety alerts (a colleague or on-call address), who gets
// the same contentless email as she does when a partner's answer raises a safety flag.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').addColumn('safety_contact_email', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('safety_contact_email').execute();
}
