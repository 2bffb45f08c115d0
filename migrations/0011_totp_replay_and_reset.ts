// Two-factor hardening. `totp_last_step` is the 30-second time step of the last TOTP code accepted
// for the account, so a code (or an older one) is never accepted twice; an integer holds steps until
// the year 4000. `totp_reset_at` is set when a recovery code clears the authenticator: until a new one
// is enrolled, only the session the recovery code verified may enrol it, not a password alone.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('users')
		.addColumn('totp_last_step', 'integer')
		.addColumn('totp_reset_at', 'timestamptz')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('users')
		.dropColumn('totp_reset_at')
		.dropColumn('totp_last_step')
		.execute();
}
