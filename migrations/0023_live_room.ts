// The live room's arrival and its joint answers as proposals: when the therapist first opened the room
// (partners are told "starts when your therapist opens the room" until then), and for each joint
// answer who proposed it, who confirmed it and a revision a confirmation names. A joint answer is an
// agreement only once confirmed; the rows written under the earlier one-tap rule count as agreed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('assignments').addColumn('opened_at', 'timestamptz').execute();
	await db.schema
		.alterTable('joint_answers')
		.addColumn('proposed_by', 'uuid', (c) => c.references('users.id'))
		.addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
		.addColumn('confirmed_by', 'uuid', (c) => c.references('users.id'))
		.addColumn('confirmed_at', 'timestamptz')
		.execute();
	await sql`update joint_answers set proposed_by = updated_by, confirmed_at = updated_at`.execute(
		db
	);
	// Rooms already under way were opened by the therapist in the earlier sense: partners could join.
	await sql`update assignments set opened_at = created_at where mode = 'live' and (status = 'closed' or last_seq > 0)`.execute(
		db
	);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('joint_answers')
		.dropColumn('confirmed_at')
		.dropColumn('confirmed_by')
		.dropColumn('revision')
		.dropColumn('proposed_by')
		.execute();
	await db.schema.alterTable('assignments').dropColumn('opened_at').execute();
}
