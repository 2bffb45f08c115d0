// What the server does once before answering: reach the database, migrate it, seed the demo when it
// is new, and start the background work (the outbox sender and the scheduler) until shutdown.
import { sql, type Kysely } from 'kysely';
import { config } from './config';
import type { Database } from './db/schema';
import { connection } from './db';
import { describeTarget, DatabaseConfigError } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { seedDemo, printDemoSignIns } from './demo/seed';
import { appKeyring, KeyringError } from './crypto/keyring';
import { verifyStoredKeys } from './crypto/stored-keys';
import { installBuiltIns } from './exercises';
import * as outbox from './outbox';
import * as scheduler from './scheduler';
import * as schedules from './schedules';
import type { PollLoop } from './poll-loop';

const key = Symbol.for('trellis.startup');
type Holder = { [key]?: Promise<void> };

export class StartupError extends Error {}

/** Reads part of the configuration; its own error (a sentence for the operator) stops the start. */
function configured<T>(read: () => T, ConfigError: new (message: string) => Error): T {
	try {
		return read();
	} catch (error) {
		if (error instanceof ConfigError) throw new StartupError(error.message);
		throw error;
	}
}

async function run() {
	// Clinical text is encrypted at rest: without its keys in production, refuse to start at all.
	const keyring = configured(appKeyring, KeyringError);
	const conn = configured(connection, DatabaseConfigError);
	const where = describeTarget(conn.target);
	try {
		await sql`select 1`.execute(conn.db);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		const variable = conn.target.kind === 'postgres' ? 'DATABASE_URL' : 'DATA_DIR';
		throw new StartupError(`Cannot reach the database (${where}); check ${variable}. ${reason}`);
	}
	const applied = await migrateToLatest(conn.db);
	if (applied.length) console.log(`[db] ${where}: applied ${applied.length} migration(s)`);
	// A keyring that cannot open what is stored (a dropped or wrong key) stops here, with the key's id.
	try {
		await verifyStoredKeys(conn.db, keyring);
	} catch (error) {
		if (error instanceof KeyringError) throw new StartupError(error.message);
		throw error;
	}
	await installBuiltIns(conn.db);

	// Demo data only ever lands in a brand-new embedded database; a server database is seeded on purpose.
	if (conn.target.kind === 'pglite' && config().seedsDemo) {
		const seeded = await seedDemo(conn.db, { onlyIfEmpty: true });
		if (seeded) printDemoSignIns();
	}
	startBackgroundWork(conn.db);
}

const backgroundKey = Symbol.for('trellis.background');
type BackgroundHolder = { [backgroundKey]?: PollLoop[] };

/** Every instance runs both loops: the database decides which instance does each piece of work. */
function startBackgroundWork(db: Kysely<Database>) {
	const holder = globalThis as BackgroundHolder;
	if (holder[backgroundKey]) return;
	const sender = outbox.startSender(db);
	const work = scheduler.start(db, schedules.work, {
		// Reminders the scheduler queued are sent at once rather than at the sender's next look.
		afterRound: (done) => {
			if (done > 0) sender.wake();
		}
	});
	holder[backgroundKey] = [work, sender];
}

/** Stops the scheduler and the sender, each after its work in flight, before the database closes. */
export async function stopBackgroundWork(): Promise<void> {
	const holder = globalThis as BackgroundHolder;
	const loops = holder[backgroundKey] ?? [];
	delete holder[backgroundKey];
	for (const loop of loops) await loop.stop();
}

export function startup(): Promise<void> {
	const holder = globalThis as Holder;
	holder[key] ??= run();
	return holder[key];
}
