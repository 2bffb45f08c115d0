// Clients that keep writing through crashes and drops, and the counts that prove nothing was lost or doubled.
import { io as connectClient } from 'socket.io-client';
import { sql, type Kysely } from 'kysely';
import type { Database } from '$lib/server/db/schema';
import { connect as openDatabase, type Connection } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import { freshSchemaName, schemaUrl } from '../helpers/database';
import type { Client, Person } from '../helpers/live';

export function serverDatabaseUrl(): string {
	const url = process.env.TEST_DATABASE_URL;
	if (!url) {
		throw new Error(
			'The fault tests need a PostgreSQL server: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).'
		);
	}
	return url;
}

/** A fresh schema on the server, migrated; `url` points the app at it. */
export async function freshDatabase(
	applicationName: string
): Promise<Connection & { url: string; drop(): Promise<void> }> {
	const base = serverDatabaseUrl();
	const schema = freshSchemaName();
	const admin = openDatabase({ kind: 'postgres', url: base, poolSize: 1 });
	await sql`create schema ${sql.id(schema)}`.execute(admin.db);
	const conn = openDatabase({ kind: 'postgres', url: base, schema, poolSize: 2 });
	await migrateToLatest(conn.db);
	const url = new URL(schemaUrl(base, schema));
	url.searchParams.set('application_name', applicationName);
	return {
		...conn,
		url: url.toString(),
		async drop() {
			await conn.close();
			await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
			await admin.close();
		}
	};
}

/** A socket that re-joins its room after every (re)connection, as the browser's room store does. */
export function resilientClient(baseUrl: () => string, who: Person, assignmentId: string) {
	const socket = connectClient(`${baseUrl()}/live`, {
		transports: ['websocket'],
		extraHeaders: { cookie: who.cookie },
		reconnectionDelay: 50,
		reconnectionDelayMax: 300,
		forceNew: true
	}) as Client;
	let lastSeq = 0;
	const seqs: number[] = [];
	// One promise per "not joined" period: writers waiting on it are all released by the next join.
	let isJoined = false;
	let markJoined = () => undefined as void;
	let joined = new Promise<void>((resolve) => (markJoined = resolve));
	const resetJoin = () => {
		if (!isJoined) return;
		isJoined = false;
		joined = new Promise<void>((resolve) => (markJoined = resolve));
	};
	socket.on('disconnect', resetJoin);
	// As docs/realtime.md asks of clients: join with sinceSeq, and on a gap join again to replay it.
	async function join() {
		const ack = await socket
			.timeout(3000)
			.emitWithAck('room:join', { assignmentId, sinceSeq: lastSeq })
			.catch(() => null);
		// A join that timed out or was refused (rate-limited under load) is tried again while the
		// socket is up, as the browser's room store does; otherwise a gap could stay unfilled.
		if (!ack || !ack.ok) {
			if (socket.connected) setTimeout(() => void join(), 200);
			return;
		}
		for (const event of ack.events) take(event.seq);
		isJoined = true;
		markJoined();
	}
	socket.on('connect', () => void join());
	function take(seq: number) {
		if (seq <= lastSeq) return;
		if (seq > lastSeq + 1) {
			void join();
			return;
		}
		seqs.push(seq);
		lastSeq = seq;
	}
	socket.on('room:event', (event) => take(event.seq));
	return {
		socket,
		/** Every seq this client applied, in the order it applied them. */
		seqs,
		get lastSeq() {
			return lastSeq;
		},
		whenJoined: () => joined
	};
}

export interface WriterStats {
	sent: number;
	acked: Set<string>;
	attempts: number;
	errorAcks: number;
}

/** Saves `count` answers one after another, each retried with the same opId until acknowledged. */
export async function writeAnswers(
	client: ReturnType<typeof resilientClient>,
	label: string,
	count: number,
	onAck?: (n: number) => void
): Promise<WriterStats> {
	const stats: WriterStats = { sent: 0, acked: new Set(), attempts: 0, errorAcks: 0 };
	for (let i = 0; i < count; i++) {
		const opId = `${label}-${i}-${Math.random().toString(36).slice(2, 10)}`;
		stats.sent += 1;
		for (;;) {
			await client.whenJoined();
			stats.attempts += 1;
			const ack = await client.socket
				.timeout(1000)
				.emitWithAck('answer:save', { opId, itemId: 'hope', value: `${label} ${i}` })
				.catch(() => null);
			if (ack?.ok) {
				stats.acked.add(opId);
				onAck?.(stats.acked.size);
				break;
			}
			if (ack && !ack.ok) {
				stats.errorAcks += 1;
				// The server said "not now" (its database is away): back off a little, as the browser does.
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		}
	}
	return stats;
}

/** What the database holds for these writers: applied writes, receipts, and any acked op without a receipt. */
export async function tally(db: Kysely<Database>, writers: WriterStats[]) {
	const events = await db
		.selectFrom('room_events')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('type', '=', 'answer-saved')
		.executeTakeFirstOrThrow();
	const receipts = await db.selectFrom('op_receipts').select('op_id').execute();
	const stored = new Set(receipts.map((r) => r.op_id));
	const sent = writers.reduce((n, w) => n + w.sent, 0);
	const acked = writers.reduce((n, w) => n + w.acked.size, 0);
	const ackedMissing = writers.flatMap((w) => [...w.acked].filter((op) => !stored.has(op))).length;
	const figures = {
		sent,
		acked,
		stored: stored.size,
		lost: sent - stored.size + ackedMissing,
		duplicated: Number(events.n) - stored.size,
		retries: writers.reduce((n, w) => n + w.attempts, 0) - sent,
		errorAcks: writers.reduce((n, w) => n + w.errorAcks, 0)
	};
	return figures;
}
