// A database of the run's kind that outlives its connection, to close and open again like a server
// restart: PGlite in a directory, or a schema on TEST_DATABASE_URL.
import { sql } from 'kysely';
import { connect, type Connection } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import { freshSchemaName, testDbKind } from './database';
import { removeDir, tempDataDir } from './server';

export interface DurableDatabase {
	/** A new connection to the same data (migrated the first time). */
	open(): Promise<Connection>;
	drop(): Promise<void>;
}

export async function durableDatabase(): Promise<DurableDatabase> {
	if (testDbKind() === 'pglite') {
		const dataDir = tempDataDir('trellis-durable-');
		return {
			async open() {
				const conn = connect({ kind: 'pglite', dataDir });
				await migrateToLatest(conn.db);
				return conn;
			},
			async drop() {
				removeDir(dataDir);
			}
		};
	}
	const base = process.env.TEST_DATABASE_URL!;
	const schema = freshSchemaName();
	const admin = connect({ kind: 'postgres', url: base, poolSize: 1 });
	await sql`create schema ${sql.id(schema)}`.execute(admin.db);
	return {
		async open() {
			const conn = connect({ kind: 'postgres', url: base, schema, poolSize: 4 });
			await migrateToLatest(conn.db);
			return conn;
		},
		async drop() {
			await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
			await admin.close();
		}
	};
}
