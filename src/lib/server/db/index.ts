// The application's one database connection, opened from the environment on first use.
import { connect, type Connection } from './connect';
import { databaseTarget } from '../config';

export type { Database } from './schema';

const key = Symbol.for('trellis.database');
type Holder = { [key]?: Connection };

/** The process-wide connection; shared through globalThis so dev's module copies agree. */
export function connection(): Connection {
	const holder = globalThis as Holder;
	holder[key] ??= connect(databaseTarget());
	return holder[key];
}

export function db() {
	return connection().db;
}

export async function closeConnection(): Promise<void> {
	const holder = globalThis as Holder;
	const current = holder[key];
	if (!current) return;
	delete holder[key];
	await current.close();
}
