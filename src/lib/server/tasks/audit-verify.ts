// `npm run audit:verify`: walks the audit log's hash chain; exits non-zero naming the first bad row.
import { closeConnection, connection } from '../db';
import { describeTarget } from '../db/connect';
import * as audit from '../audit';

export default async function verifyAudit(): Promise<number> {
	const conn = connection();
	try {
		const result = await audit.verify(conn.db);
		if (result.ok) {
			console.log(`Audit chain intact: ${result.rows} rows in ${describeTarget(conn.target)}.`);
			return 0;
		}
		console.error(`Audit chain broken at row ${result.badRowId}: ${result.reason}.`);
		return 1;
	} finally {
		await closeConnection();
	}
}
