// A real database for integration tests: in-memory PGlite, or a fresh schema on TEST_DATABASE_URL.
// Migrated once per file, every table truncated between tests.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { connect, type Connection } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import type { Database } from '$lib/server/db/schema';

export type TestDbKind = 'pglite' | 'postgres';

export function testDbKind(): TestDbKind {
	return process.env.TEST_DB_KIND === 'postgres' ? 'postgres' : 'pglite';
}

export function freshSchemaName() {
	return `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Opens a migrated database of the run's kind; close() drops the schema on a server. */
export async function openTestDatabase(): Promise<
	Connection & { schema: string | null; url: string | null }
> {
	if (testDbKind() === 'pglite') {
		const conn = connect({ kind: 'pglite', dataDir: null });
		await migrateToLatest(conn.db);
		return { ...conn, schema: null, url: null };
	}
	const base = process.env.TEST_DATABASE_URL;
	if (!base) throw new Error('TEST_DB_KIND=postgres needs TEST_DATABASE_URL');
	const schema = freshSchemaName();
	const admin = connect({ kind: 'postgres', url: base, poolSize: 1 });
	await sql`create schema ${sql.id(schema)}`.execute(admin.db);
	await admin.close();
	const conn = connect({ kind: 'postgres', url: base, schema, poolSize: 5 });
	await migrateToLatest(conn.db);
	return {
		...conn,
		schema,
		url: schemaUrl(base, schema),
		async close() {
			await sql`drop schema ${sql.id(schema)} cascade`.execute(conn.db);
			await conn.close();
		}
	};
}

/** A connection string whose sessions use the given schema (pg reads `options`). */
export function schemaUrl(base: string, schema: string) {
	const url = new URL(base);
	url.searchParams.set('options', `-c search_path=${schema}`);
	return url.toString();
}

export async function truncateAll(db: Kysely<Database>) {
	const tables = await sql<{ tablename: string }>`
		select tablename from pg_tables
		where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(db);
	if (tables.rows.length === 0) return;
	const list = sql.join(tables.rows.map((t) => sql.id(t.tablename)));
	await sql`truncate ${list} restart identity cascade`.execute(db);
}

const appDatabaseKey = Symbol.for('trellis.database');

/**
 * Gives each test in the file a clean, migrated database. With `asAppDatabase`, the app's own
 * `db()` (used by socket handlers and routes) points at it too.
 */
export function useTestDatabase(options: { asAppDatabase?: boolean } = {}) {
	let conn: Awaited<ReturnType<typeof openTestDatabase>> | null = null;
	beforeAll(async () => {
		conn = await openTestDatabase();
		if (options.asAppDatabase) (globalThis as Record<symbol, unknown>)[appDatabaseKey] = conn;
	});
	afterEach(async () => {
		if (conn) await truncateAll(conn.db);
	});
	afterAll(async () => {
		if (options.asAppDatabase) delete (globalThis as Record<symbol, unknown>)[appDatabaseKey];
		await conn?.close();
	});
	return {
		get db(): Kysely<Database> {
			if (!conn) throw new Error('The test database is opened in beforeAll');
			return conn.db;
		},
		get connection() {
			if (!conn) throw new Error('The test database is opened in beforeAll');
			return conn;
		}
	};
}
