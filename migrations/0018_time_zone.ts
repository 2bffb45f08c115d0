// Each user's time zone (an IANA name), so every date on every page is shown in one clock: the
// viewer's. Filled in from the browser at sign-up or first sign-in, editable on the account page.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('users')
		.addColumn('time_zone', 'text', (col) => col.notNull().defaultTo('UTC'))
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('time_zone').execute();
}
