// Opens a Kysely instance over a PostgreSQL server (pg) or the embedded PGlite, one code path for both.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import type { Database } from './schema';

// Timestamps come back as Date objects from both drivers; bigints (audit ids, counts) as strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);

export type DatabaseTarget =
	| { kind: 'postgres'; url: string; schema?: string; poolSize?: number }
	| { kind: 'pglite'; dataDir: string | null };

export interface Connection {
	db: Kysely<Database>;
	target: DatabaseTarget;
	/** The underlying pg pool, when the target is a server (for LISTEN/NOTIFY adapters). */
	pool: pg.Pool | null;
	close(): Promise<void>;
}

export class DatabaseConfigError extends Error {}

const pools = new WeakMap<Kysely<Database>, pg.Pool>();
/**
 * The save batches that may run at once (commit-batch.ts), each on a connection of its own. Two, not
 * four: on two cores, two statements in flight overlap one batch's round trip with the next batch's
 * work, and more only add PostgreSQL backends competing with the server for the cores (8 paired
 * 1,000-room rounds: fan-out p99 median 11.0 ms with two, 28.1 ms with four; docs/benchmarks.md).
 */
export const SAVE_CONNECTIONS = 2;

/**
 * A small pool of its own for the answer-save batches (sent by name, planned once per connection), so
 * a burst of other room writes holding the main pool's connections cannot hold the saves up.
 */
export function poolOf(db: Kysely<Database>): pg.Pool | null {
	return pools.get(db) ?? null;
}

export function describeTarget(target: DatabaseTarget): string {
	if (target.kind === 'pglite')
		return target.dataDir ? `embedded PGlite in ${target.dataDir}` : 'in-memory PGlite';
	const url = new URL(target.url);
	return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

export function connect(target: DatabaseTarget): Connection {
	if (target.kind === 'postgres') {
		let parsed: URL;
		try {
			parsed = new URL(target.url);
		} catch {
			throw new DatabaseConfigError(
				'DATABASE_URL is not a valid URL (expected postgres://user@host:5432/dbname).'
			);
		}
		if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
			throw new DatabaseConfigError(
				`DATABASE_URL must start with postgres:// (got ${parsed.protocol}//).`
			);
		}
		const open = (max: number, setting?: string) => {
			const pool = new pg.Pool({
				connectionString: target.url,
				max,
				options: target.schema ? `-c search_path=${target.schema}` : undefined
			});
			// Sent first on each new connection (a client runs its queries in order). Not through
			// `options`, which an `options` parameter in DATABASE_URL would replace.
			if (setting)
				pool.on('connect', (client) => {
					client
						.query(setting)
						.catch((error: Error) => console.error(`[db] ${setting} failed: ${error.message}`));
				});
			// An idle client losing its server (a restart, a terminated backend) must not crash the process.
			pool.on('error', (error) => console.error(`[db] idle connection error: ${error.message}`));
			// A checked-out client (a query in flight, the Socket.IO adapter's LISTEN) has no pool listener:
			// without one of its own, a terminated backend would throw an unhandled 'error' and end the process.
			pool.on('connect', (client) =>
				client.on('error', (error) => console.error(`[db] connection error: ${error.message}`))
			);
			return pool;
		};
		const pool = open(target.poolSize ?? 10);
		// The batch statement's plan does not depend on its arrays' lengths (rooms are found by id, one
		// index probe each): planned once, the generic plan. Left to choose, PostgreSQL plans the first
		// five executions on every connection anew (about 1 ms each) and may go on doing so.
		const saves = open(SAVE_CONNECTIONS, 'set plan_cache_mode = force_generic_plan');
		const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
		pools.set(db, saves);
		let closed = false;
		return {
			db,
			target,
			pool,
			async close() {
				if (closed) return;
				closed = true;
				await db.destroy();
				await saves.end();
			}
		};
	}

	// Owner-only: the embedded database holds client data (every directory created here gets 0700).
	if (target.dataDir) mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
	const pglite = new PGlite(target.dataDir ?? undefined);
	const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
	let closed = false;
	return {
		db,
		target,
		pool: null,
		async close() {
			if (closed) return;
			closed = true;
			await db.destroy();
			if (!pglite.closed) await pglite.close();
		}
	};
}
