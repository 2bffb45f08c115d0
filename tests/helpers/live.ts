// An in-process Trellis realtime server (real Socket.IO over real HTTP) on the test database, and a practice to use it with.
import { createServer, type Server as HttpServer } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { Server } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { Kysely } from 'kysely';
import type { Database } from '$lib/server/db/schema';
import { attachRealtime, type RealtimeOptions } from '$lib/server/realtime';
import {
	createSession,
	generateSessionToken,
	sessionIdFromToken,
	SESSION_COOKIE
} from '$lib/server/auth/session';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { ClientToServerEvents, ServerToClientEvents } from '$lib/realtime/events';
import { useTestDatabase } from './database';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveServer {
	url: string;
	io: Server;
	close(): Promise<void>;
}

export async function startLiveServer(
	port = 0,
	options: RealtimeOptions = {}
): Promise<LiveServer> {
	const http: HttpServer = createServer();
	const io = new Server(http, { maxHttpBufferSize: 64_000 });
	(globalThis as Record<string, unknown>).__trellisIo = io;
	await attachRealtime(io, options);
	await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
	const address = http.address();
	const bound = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${bound}`,
		io,
		async close() {
			await io.close();
			delete (globalThis as Record<string, unknown>).__trellisIo;
		}
	};
}

export interface Person {
	id: string;
	name: string;
	cookie: string;
	/** The id of the session row behind the cookie. */
	sessionId: string;
}

export interface Practice {
	therapist: Person;
	alex: Person;
	sam: Person;
	coupleId: string;
	/** A therapist and couple that have nothing to do with the first. */
	stranger: Person;
}

async function person(
	db: Kysely<Database>,
	email: string,
	name: string,
	role: 'therapist' | 'partner'
): Promise<Person> {
	const user = await db
		.insertInto('users')
		.values({ email, display_name: name, role, password_hash: null })
		.returning(['id', 'role'])
		.executeTakeFirstOrThrow();
	const token = generateSessionToken();
	await createSession(db, token, user, { twoFactorVerified: role === 'therapist' });
	return {
		id: user.id,
		name,
		cookie: `${SESSION_COOKIE}=${token}`,
		sessionId: sessionIdFromToken(token)
	};
}

/** A therapist with one couple (Alex, injured; Sam, involved), and an unrelated therapist. */
export async function makePractice(db: Kysely<Database>): Promise<Practice> {
	const therapist = await person(db, 't@example.test', 'Therapist', 'therapist');
	const alex = await person(db, 'alex@example.test', 'Alex', 'partner');
	const sam = await person(db, 'sam@example.test', 'Sam', 'partner');
	const stranger = await person(db, 'other@example.test', 'Other therapist', 'therapist');
	const couple = await db
		.insertInto('couples')
		.values({ therapist_id: therapist.id, label: 'Alex & Sam', roles_apply: true })
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('couple_members')
		.values([
			{
				couple_id: couple.id,
				slot: 1,
				user_id: alex.id,
				display_name: 'Alex',
				role: 'injured',
				joined_at: new Date()
			},
			{
				couple_id: couple.id,
				slot: 2,
				user_id: sam.id,
				display_name: 'Sam',
				role: 'involved',
				joined_at: new Date()
			}
		])
		.execute();
	return { therapist, alex, sam, stranger, coupleId: couple.id };
}

export async function assign(
	db: Kysely<Database>,
	practice: Practice,
	definition: ExerciseDefinition,
	mode: 'live' | 'homework' = 'live'
) {
	const def = await db
		.insertInto('exercise_definitions')
		.values({
			key: definition.key,
			version: 1,
			owner_id: practice.therapist.id,
			definition: JSON.stringify(definition)
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	const assignment = await db
		.insertInto('assignments')
		.values({
			couple_id: practice.coupleId,
			definition_id: def.id,
			mode,
			current_section_id: mode === 'live' ? definition.sections[0].id : null,
			created_by: practice.therapist.id
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return assignment.id;
}

export function connect(
	server: LiveServer,
	who: Person | null,
	options: { reconnection?: boolean } = {}
): Client {
	return connectClient(`${server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: who ? { cookie: who.cookie } : {},
		reconnection: options.reconnection ?? false,
		forceNew: true
	});
}

/** Resolves with the reason once the socket is disconnected; fails if that takes longer than `withinMs`. */
export function disconnected(socket: Client, withinMs = 5000): Promise<string> {
	return new Promise((resolve, reject) => {
		if (!socket.connected) return resolve('already disconnected');
		const timer = setTimeout(
			() => reject(new Error(`still connected after ${withinMs} ms`)),
			withinMs
		);
		socket.once('disconnect', (reason) => {
			clearTimeout(timer);
			resolve(reason);
		});
	});
}

export function connected(socket: Client): Promise<void> {
	if (socket.connected) return Promise.resolve();
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve());
		socket.once('connect_error', reject);
	});
}

/** Collects every room:event a socket receives, and waits for one that matches. */
export function recorder(socket: Client) {
	const events: Record<string, unknown>[] = [];
	const waiters: {
		match: (e: Record<string, unknown>) => boolean;
		resolve: (e: Record<string, unknown>) => void;
	}[] = [];
	socket.on('room:event', (event) => {
		events.push(event);
		for (const waiter of [...waiters]) {
			if (waiter.match(event)) {
				waiters.splice(waiters.indexOf(waiter), 1);
				waiter.resolve(event);
			}
		}
	});
	return {
		events,
		next(match: (e: Record<string, unknown>) => boolean) {
			const earlier = events.find(match);
			if (earlier) return Promise.resolve(earlier);
			return new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve }));
		}
	};
}

let counter = 0;
export const opId = () =>
	`op-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * The setup every live-room test file shares: a migrated test database the app uses, a realtime
 * server for the file, and per test a fresh practice with a live assignment of the test exercise.
 */
export function useLiveSetup(definition: ExerciseDefinition, options: RealtimeOptions = {}) {
	const database = useTestDatabase({ asAppDatabase: true });
	const setup = {
		database,
		server: null as unknown as LiveServer,
		practice: null as unknown as Practice,
		assignmentId: '',
		/** Sockets to disconnect after each test. */
		sockets: [] as Client[]
	};
	beforeAll(async () => {
		setup.server = await startLiveServer(0, options);
	});
	afterAll(async () => {
		await setup.server.close();
	});
	beforeEach(async () => {
		setup.practice = await makePractice(database.db);
		setup.assignmentId = await assign(database.db, setup.practice, definition);
	});
	afterEach(() => {
		for (const socket of setup.sockets.splice(0)) socket.disconnect();
	});
	return setup;
}
