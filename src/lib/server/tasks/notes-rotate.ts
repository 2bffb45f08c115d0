// `npm run notes:rotate`: re-encrypts every note, addendum, TOTP secret and waiting email under the first key of NOTES_KEYS.
import { closeConnection, connection } from '../db';
import { appKeyring } from '../crypto/keyring';
import * as notes from '../notes';
import { rotateTotpKeys } from '../auth/two-factor';
import * as outbox from '../outbox';

export default async function rotateNotes(): Promise<number> {
	const keyring = appKeyring();
	try {
		const moved = await notes.rotate(connection().db, keyring);
		const secrets = await rotateTotpKeys(connection().db, keyring);
		const emails = await outbox.rotate(connection().db, keyring);
		console.log(
			`Re-encrypted ${moved} note row(s), ${secrets} TOTP secret(s) and ${emails} waiting email(s) under key "${keyring.currentId}".`
		);
		return 0;
	} finally {
		await closeConnection();
	}
}
