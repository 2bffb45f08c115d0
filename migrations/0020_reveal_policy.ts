// How a homework assignment's simultaneous sections are revealed: at once when both partners have
// locked ('on_lock', as before), or held for the session ('session'): both lock at home and nothing
// is shown to either until the therapist reveals it. A schedule passes its policy to each occurrence.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	for (const table of ['assignments', 'schedules']) {
		await db.schema
			.alterTable(table)
			.addColumn('reveal_policy', 'text', (c) =>
				c
					.notNull()
					.defaultTo('on_lock')
					.check(sql`reveal_policy in ('on_lock', 'session')`)
			)
			.execute();
	}
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['assignments', 'schedules']) {
		await db.schema.alterTable(table).dropColumn('reveal_policy').execute();
	}
}
