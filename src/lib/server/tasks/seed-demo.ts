// `npm run seed:demo`: seeds the demo practice on purpose, also into a DATABASE_URL database.
import { closeConnection, connection } from '../db';
import { describeTarget } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { printDemoSignIns, seedDemo } from '../demo/seed';
import { installBuiltIns } from '../exercises';

export default async function seed(): Promise<number> {
	const conn = connection();
	try {
		await migrateToLatest(conn.db);
		await installBuiltIns(conn.db);
		const seeded = await seedDemo(conn.db);
		if (seeded) printDemoSignIns();
		else console.log(`The demo practice is already in ${describeTarget(conn.target)}.`);
		return 0;
	} finally {
		await closeConnection();
	}
}
