// `npm run notes:rotate`: re-encrypts every note, addendum and TOTP secret under the first key of NOTES_KEYS.
import { closeConnection, connection } from '../db';
import { appKeyring } from '../crypto/keyring';
import * as notes from '../notes';
import { rotateTotpKeys } from '../auth/two-factor';

export default async function rotateNotes(): Promise<number> {
	const keyring = appKeyring();
	try {
		const moved = await notes.rotate(connection().db, keyring);
		const secrets = await rotateTotpKeys(connection().db, keyring);
		console.log(
			`Re-encrypted ${moved} note row(s) and ${secrets} TOTP secret(s) under key "${keyring.currentId}".`
		);
		return 0;
	} finally {
		await closeConnection();
	}
}
