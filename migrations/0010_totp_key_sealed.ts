// TOTP secrets are sealed with the notes keyring (AES-256-GCM, the user id bound as additional data):
// `totp_key` holds the ciphertext, with its key id and nonce beside it. A row without a key id is a
// secret stored before this migration; it is sealed the next time its owner signs in.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('users')
		.addColumn('totp_key_id', 'text')
		.addColumn('totp_nonce', 'bytea')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('totp_nonce').dropColumn('totp_key_id').execute();
}
