// A running Trellis for a test file: the production server over a database of the run's kind, seeded with the demo.
import { afterAll, beforeAll } from 'vitest';
import { sql } from 'kysely';
import { connect } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import { seedDemo } from '$lib/server/demo/seed';
import { freshSchemaName, schemaUrl, testDbKind } from './database';
import { removeDir, startServer, tempDataDir, type ServerOptions, type TestServer } from './server';

export interface AppUnderTest {
	server: TestServer;
	/** Where the data lives, to restart a server on the same data. */
	storage: { dataDir: string; databaseUrl?: string };
	restart(options?: Partial<ServerOptions>): Promise<TestServer>;
}

/** Creates the database (a fresh schema on a server), seeds the demo, returns how to reach it. */
export async function prepareStorage(options: { seed?: boolean } = {}) {
	const dataDir = tempDataDir();
	if (testDbKind() === 'pglite') {
		// The server seeds a new embedded database itself on first start.
		return {
			dataDir,
			env: (options.seed === false ? { TRELLIS_SEED_DEMO: 'off' } : {}) as Record<string, string>,
			async drop() {
				removeDir(dataDir);
			}
		};
	}
	const base = process.env.TEST_DATABASE_URL!;
	const schema = freshSchemaName();
	const admin = connect({ kind: 'postgres', url: base, poolSize: 1 });
	await sql`create schema ${sql.id(schema)}`.execute(admin.db);
	const conn = connect({ kind: 'postgres', url: base, schema, poolSize: 1 });
	await migrateToLatest(conn.db);
	if (options.seed !== false) await seedDemo(conn.db);
	await conn.close();
	return {
		dataDir,
		databaseUrl: schemaUrl(base, schema),
		env: {} as Record<string, string>,
		async drop() {
			await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
			await admin.close();
			removeDir(dataDir);
		}
	};
}

export function useApp(options: { seed?: boolean; env?: Record<string, string> } = {}) {
	let storage: Awaited<ReturnType<typeof prepareStorage>> | null = null;
	let server: TestServer | null = null;
	const app = {} as AppUnderTest;

	beforeAll(async () => {
		storage = await prepareStorage(options);
		const start = (extra: Partial<ServerOptions> = {}) =>
			startServer({
				dataDir: storage!.dataDir,
				databaseUrl: storage!.databaseUrl,
				...extra,
				env: { ...storage!.env, ...options.env, ...extra.env }
			});
		server = await start();
		app.server = server;
		app.storage = { dataDir: storage.dataDir, databaseUrl: storage.databaseUrl };
		app.restart = async (extra) => {
			await server?.stop();
			server = await start(extra);
			app.server = server;
			return server;
		};
	});
	afterAll(async () => {
		await server?.stop();
		await storage?.drop();
	});
	return app;
}
