// `npm run notes:rotate`: re-encrypts every note and addendum under the first key of NOTES_KEYS.
import { closeConnection, connection } from '../db';
import { appKeyring } from '../crypto/keyring';
import * as notes from '../notes';

export default async function rotateNotes(): Promise<number> {
	const keyring = appKeyring();
	try {
		const moved = await notes.rotate(connection().db, keyring);
		console.log(`Re-encrypted ${moved} note row(s) under key "${keyring.currentId}".`);
		return 0;
	} finally {
		await closeConnection();
	}
}
