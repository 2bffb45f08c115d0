// Start-up's check that the keyring opens what is stored: every key id that a note, an addendum, a
// safety acknowledgement note or a TOTP secret names is in the keyring, and each of those keys opens one of the rows sealed with it.
// A dropped or wrong key stops start-up with a sentence, instead of a 500 at the first sign-in.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { openTotpKey } from '../auth/totp';
import { KeyringError, openColumns, type Keyring } from './keyring';

interface KeyUse {
	keyId: string;
	/** How many rows of this kind the key sealed. */
	uses: number;
	/** Opens one of those rows; throws when the key is not the one that sealed it. */
	openSample: (keyring: Keyring) => void;
}

interface StoredKind {
	one: string;
	many: string;
	read: (db: Kysely<Database>) => Promise<KeyUse[]>;
}

const counted = (kind: StoredKind, n: number) => `${n} ${n === 1 ? kind.one : kind.many}`;

const usesPerKey = sql<number>`(count(*) over (partition by key_id))::int`.as('uses');

/** Notes, addenda and safety acknowledgement notes are sealed the same way, by their own row id. */
function sealedRows(table: 'notes' | 'note_addenda' | 'safety_ack_notes'): StoredKind['read'] {
	return async (db) => {
		const rows = await db
			.selectFrom(table)
			.distinctOn('key_id')
			.select(['id', 'key_id', 'nonce', 'ciphertext', usesPerKey])
			.orderBy('key_id')
			.orderBy('id')
			.execute();
		return rows.map((row) => ({
			keyId: row.key_id,
			uses: row.uses,
			openSample: (keyring) => void openColumns(keyring, row.id, row)
		}));
	};
}

const kinds: StoredKind[] = [
	{ one: 'note', many: 'notes', read: sealedRows('notes') },
	{ one: 'addendum', many: 'addenda', read: sealedRows('note_addenda') },
	{
		one: 'safety acknowledgement note',
		many: 'safety acknowledgement notes',
		read: sealedRows('safety_ack_notes')
	},
	{
		one: 'TOTP secret',
		many: 'TOTP secrets',
		async read(db) {
			const rows = await db
				.selectFrom('users')
				.distinctOn('totp_key_id')
				.select([
					'id',
					'totp_key',
					'totp_key_id',
					'totp_nonce',
					sql<number>`(count(*) over (partition by totp_key_id))::int`.as('uses')
				])
				.where('totp_key_id', 'is not', null)
				.where('totp_key', 'is not', null)
				.orderBy('totp_key_id')
				.orderBy('id')
				.execute();
			return rows.map((row) => ({
				keyId: row.totp_key_id!,
				uses: row.uses,
				openSample: (keyring) => void openTotpKey(keyring, row.id, row)
			}));
		}
	}
];

/** Throws a KeyringError naming the first key id that is missing or wrong; returns when all open. */
export async function verifyStoredKeys(db: Kysely<Database>, keyring: Keyring): Promise<void> {
	const missing = new Map<string, string[]>();
	for (const kind of kinds) {
		for (const use of await kind.read(db)) {
			if (!keyring.keys.has(use.keyId)) {
				missing.set(use.keyId, [...(missing.get(use.keyId) ?? []), counted(kind, use.uses)]);
				continue;
			}
			try {
				use.openSample(keyring);
			} catch {
				throw new KeyringError(
					`The key "${use.keyId}" in NOTES_KEYS does not open the ${kind.many} stored under that id: it is not the key they were sealed with. Put the original key back under that id.`
				);
			}
		}
	}
	const [keyId, what] = [...missing][0] ?? [];
	if (keyId) {
		throw new KeyringError(
			`NOTES_KEYS has no key "${keyId}", which sealed ${what!.join(', ')} in the database: add it back after the current key (NOTES_KEYS=<new id>:<key>,${keyId}:<its key>) so they can be read.`
		);
	}
}
