// Two server processes sharing one PostgreSQL: partners on different instances share one room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connect as openDatabase } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import { freshSchemaName, schemaUrl } from '../helpers/database';
import { testExercise } from '../helpers/exercise-fixture';
import {
	assign,
	connected,
	makePractice,
	opId,
	recorder,
	type Client,
	type Practice
} from '../helpers/live';
import { startServer, type TestServer } from '../helpers/server';
import { io as connectClient } from 'socket.io-client';

const base = process.env.TEST_DATABASE_URL!;
const schema = freshSchemaName();
const database = openDatabase({ kind: 'postgres', url: base, schema, poolSize: 2 });
let servers: TestServer[] = [];
let practice: Practice;
let assignmentId: string;
const sockets: Client[] = [];

beforeAll(async () => {
	const admin = openDatabase({ kind: 'postgres', url: base, poolSize: 1 });
	await sql`create schema ${sql.id(schema)}`.execute(admin.db);
	await admin.close();
	await migrateToLatest(database.db);
	practice = await makePractice(database.db);
	assignmentId = await assign(database.db, practice, testExercise);
	const url = schemaUrl(base, schema);
	servers = await Promise.all([
		startServer({ databaseUrl: url }),
		startServer({ databaseUrl: url })
	]);
});

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await Promise.all(servers.map((s) => s.stop()));
	await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db);
	await database.close();
});

async function join(server: TestServer, who: Practice['alex']) {
	const socket = connectClient(`${server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: { cookie: who.cookie },
		reconnection: false
	}) as Client;
	sockets.push(socket);
	const events = recorder(socket);
	await connected(socket);
	const ack = await socket.emitWithAck('room:join', { assignmentId });
	expect(ack.ok).toBe(true);
	return { socket, events };
}

describe('rooms across instances', () => {
	it('delivers answers, presence and the reveal between partners on different processes', async () => {
		const [first, second] = servers;
		const alex = await join(first, practice.alex);
		const presence = new Promise((resolve) =>
			alex.socket.on('presence', (p) => p.userId === practice.sam.id && p.online && resolve(p))
		);
		const sam = await join(second, practice.sam);
		await presence;

		await alex.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'flirt',
			value: { choice: 'crosses-line' }
		});
		expect(await sam.events.next((e) => e.itemId === 'flirt')).toMatchObject({
			type: 'partner-answered'
		});

		await sam.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'flirt',
			value: { choice: 'ok' }
		});
		await alex.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });
		await sam.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });
		const atAlex = await alex.events.next((e) => e.type === 'section-revealed');
		const atSam = await sam.events.next((e) => e.type === 'section-revealed');
		expect(atAlex).toEqual(atSam);
		expect(atSam.answers).toMatchObject({
			[practice.alex.id]: { flirt: { choice: 'crosses-line' } }
		});
	});
});
