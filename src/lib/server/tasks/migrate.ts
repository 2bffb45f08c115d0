// `npm run migrate`: applies pending migrations to the configured database.
import { closeConnection, connection } from '../db';
import { describeTarget } from '../db/connect';
import { migrateToLatest } from '../db/migrate';

export default async function migrate(): Promise<number> {
	const conn = connection();
	try {
		const applied = await migrateToLatest(conn.db);
		console.log(
			applied.length
				? `Applied ${applied.join(', ')} to ${describeTarget(conn.target)}.`
				: `${describeTarget(conn.target)} is up to date.`
		);
		return 0;
	} finally {
		await closeConnection();
	}
}
