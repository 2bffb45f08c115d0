// The /live namespace: session-cookie handshake, presence, and the live-room protocol (docs/realtime.md).
// Handlers stay thin: validate → authorize → call a domain module → ack → emit per recipient.
import type { Namespace, Server, Socket } from 'socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import type {
	Ack,
	AckError,
	RoomEvent,
	ClientToServerEvents,
	ServerToClientEvents,
	SocketData
} from '$lib/realtime/events';
import { LIVE_NAMESPACE, MAX_MESSAGES_PER_SECOND, MAX_PAYLOAD_BYTES } from '$lib/realtime/events';
import { connection, db } from '../db';
import { tokenFromCookieHeader, validateSessionToken } from '../auth/session';
import type { Session } from '../db/schema';
import { SessionWatch } from './session-watch';
import * as couples from '../couples';
import { tokenBucket } from '../message-rate';
import * as assignments from '../assignments';
import * as responses from '../responses';
import { viewFor } from '../room-view';
import * as roomEvents from '../room-events';
import type { RoomContext } from '../assignments';
import type { StoredEvent } from '../room-events';

/** Messages between instances of the app (through the PostgreSQL adapter). */
interface InterServerEvents {
	'room:deliver': (deliveries: Delivery[]) => void;
}

export type LiveNamespace = Namespace<
	ClientToServerEvents,
	ServerToClientEvents,
	InterServerEvents,
	SocketData
>;
export type LiveSocket = Socket<
	ClientToServerEvents,
	ServerToClientEvents,
	InterServerEvents,
	SocketData
>;

const attached = Symbol.for('trellis.realtime.attached');
const ioKey = '__trellisIo';

/** The Socket.IO server the entry (server.js, or the Vite plugin in dev) left on globalThis. */
export function liveServer(): Server | null {
	return ((globalThis as Record<string, unknown>)[ioKey] as Server | undefined) ?? null;
}

export function liveNamespace(): LiveNamespace | null {
	return (liveServer()?.of(LIVE_NAMESPACE) as LiveNamespace | undefined) ?? null;
}

export const coupleRoom = (coupleId: string) => `couple:${coupleId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const assignmentRoom = (assignmentId: string) => `assignment:${assignmentId}`;
const memberRoom = (assignmentId: string, userId: string) => `assignment:${assignmentId}:${userId}`;

/** Disconnects every socket opened with these sessions (sign-out), on every instance. */
export function disconnectSessions(sessionIds: string[]) {
	const live = liveNamespace();
	if (!live || sessionIds.length === 0) return;
	live.in(sessionIds.map(sessionRoom)).disconnectSockets(true);
}

/**
 * Sends committed events to each member of the room, each projected for its recipient.
 * Used by socket handlers and by pages that write to a room (homework saves, the couple page).
 */
export function broadcast(context: RoomContext, events: StoredEvent[]) {
	const live = liveNamespace();
	if (!live || events.length === 0) return;
	const recipients = [context.therapistId, ...assignments.partnerIds(context)];
	const none = new Set<string>();
	const deliveries: Delivery[] = [];
	for (const event of events) {
		for (const userId of recipients) {
			const projected = roomEvents.project(context, userId, event, none);
			if (projected)
				deliveries.push({ room: memberRoom(context.assignment.id, userId), event: projected });
		}
	}
	deliver(live, deliveries);
	// Other instances get the already-projected events in one message (one NOTIFY), not one per recipient.
	if (isClustered(live)) live.serverSideEmit(DELIVER, deliveries);
}

interface Delivery {
	room: string;
	event: RoomEvent;
}

const DELIVER = 'room:deliver' as const;
const clustered = new WeakSet<LiveNamespace>();
const isClustered = (live: LiveNamespace) => clustered.has(live);

function deliver(live: LiveNamespace, deliveries: Delivery[]) {
	for (const { room, event } of deliveries) live.local.to(room).emit('room:event', event);
}

async function onlineUserIds(live: LiveNamespace, room: string): Promise<string[]> {
	const sockets = await live.in(room).fetchSockets();
	return [...new Set(sockets.map((s) => s.data.userId))];
}

const fail = (code: AckError['code'], message: string) => ({
	ok: false as const,
	error: { code, message }
});

const KNOWN_EVENTS = new Set([
	'presence:list',
	'room:join',
	'answer:save',
	'answer:lock',
	'joint:save',
	'room:advance',
	'room:reveal',
	'room:reopen',
	'room:end',
	'room:leave'
]);

function payloadSize(payload: unknown): number {
	try {
		return Buffer.byteLength(JSON.stringify(payload) ?? '');
	} catch {
		return Infinity;
	}
}

export interface RealtimeOptions {
	/** How often this process re-reads the sessions of its sockets (session-watch.ts); 0 is off. */
	sessionSweepMs?: number;
	/** How stale a message's session check may be before it re-reads the session row. */
	sessionStaleMs?: number;
}

export async function attachRealtime(io: Server, options: RealtimeOptions = {}): Promise<void> {
	const marked = io as Server & { [attached]?: boolean };
	if (marked[attached]) return;
	marked[attached] = true;
	const sessions = new SessionWatch(db, {
		sweepMs: options.sessionSweepMs,
		staleMs: options.sessionStaleMs
	});
	// What the handshake found, until the connection handler hands it to the watch.
	const handshakes = new WeakMap<LiveSocket, Session>();

	// Several instances share rooms through PostgreSQL's LISTEN/NOTIFY; the embedded database has one process.
	const { pool, target } = connection();
	if (pool && target.kind === 'postgres') {
		const url = new URL(target.url);
		const scope =
			target.schema ??
			url.searchParams.get('options')?.match(/search_path=(\S+)/)?.[1] ??
			url.pathname.slice(1);
		io.adapter(
			createAdapter(pool, {
				channelPrefix: `trellis#${scope}`,
				errorHandler: (e) => console.error(`[realtime] adapter: ${e.message}`)
			})
		);
	}

	const live = io.of(LIVE_NAMESPACE) as LiveNamespace;
	if (pool && target.kind === 'postgres') {
		clustered.add(live);
		// Only server-to-server messages from other instances arrive here.
		live.on(DELIVER, (deliveries) => deliver(live, deliveries));
	}

	live.use(async (socket, next) => {
		try {
			const token = tokenFromCookieHeader(socket.request.headers.cookie);
			const { session, user } = token
				? await validateSessionToken(db(), token)
				: { session: null, user: null };
			if (!session || !user) return next(new Error('unauthenticated: sign in first'));
			if (user.role === 'therapist' && !session.two_factor_verified) {
				return next(new Error('unauthenticated: finish two-factor sign-in first'));
			}
			socket.data = {
				userId: user.id,
				sessionId: session.id,
				role: user.role,
				coupleIds: await couples.idsFor(db(), user),
				assignmentId: null
			};
			handshakes.set(socket, session);
			next();
		} catch {
			next(new Error('unavailable: try again in a moment'));
		}
	});

	live.on('connection', (socket: LiveSocket) => {
		const { userId, sessionId, coupleIds } = socket.data;
		const allow = tokenBucket(MAX_MESSAGES_PER_SECOND);
		let context: RoomContext | null = null;
		sessions.add(socket, handshakes.get(socket)!, socket.data.role);
		handshakes.delete(socket);

		void socket.join([sessionRoom(sessionId), ...coupleIds.map(coupleRoom)]);
		socket.emit('welcome', { userId, role: socket.data.role, coupleIds });
		for (const coupleId of coupleIds) {
			socket.to(coupleRoom(coupleId)).emit('presence', { userId, coupleId, online: true });
		}

		/** The session ended: the message is refused and the socket closed (it may not reconnect). */
		function signedOut(reply: (result: Ack<object>) => void) {
			reply(fail('unauthenticated', 'You are signed out. Sign in again to carry on.'));
			socket.disconnect(true);
		}

		/**
		 * Wraps a handler with the checks every message gets: an ack, a live session, size, rate,
		 * errors. A write also counts as activity on the session.
		 */
		function handle<P>(
			event: keyof ClientToServerEvents,
			run: (payload: P) => Promise<Ack<object>>,
			{ write = false } = {}
		) {
			socket.on(event, async (payload: unknown, ack: unknown) => {
				if (typeof ack !== 'function') return;
				const reply = ack as (result: Ack<object>) => void;
				if (!allow())
					return reply(
						fail('rate-limited', `Slow down: at most ${MAX_MESSAGES_PER_SECOND} messages a second.`)
					);
				if (payloadSize(payload) > MAX_PAYLOAD_BYTES) {
					return reply(
						fail('payload-too-large', `A message may carry at most ${MAX_PAYLOAD_BYTES / 1024} KB.`)
					);
				}
				if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
					return reply(fail('bad-request', 'The message must be an object.'));
				}
				try {
					const allowed = sessions.allows(sessionId);
					if (allowed !== true && !(await allowed)) return signedOut(reply);
					if (write) sessions.noteActivity(sessionId);
					reply(await run(payload as P));
				} catch (error) {
					console.error(
						`[realtime] ${event} failed: ${error instanceof Error ? error.message : 'unknown'}`
					);
					reply(fail('unavailable', 'That could not be saved just now; it will be retried.'));
				}
			});
		}

		socket.onAny((event: string, ...args: unknown[]) => {
			if (KNOWN_EVENTS.has(event)) return;
			const ack = args.at(-1);
			if (typeof ack === 'function')
				ack(fail('unknown-event', `There is no "${String(event).slice(0, 40)}" event.`));
		});

		handle<{ coupleId?: unknown }>('presence:list', async ({ coupleId }) => {
			if (typeof coupleId !== 'string' || !socket.data.coupleIds.includes(coupleId)) {
				return fail('not-found', 'No such couple.');
			}
			return { ok: true, online: await onlineUserIds(live, coupleRoom(coupleId)) };
		});

		async function leaveRoom() {
			if (!context) return;
			const left = context;
			context = null;
			socket.data.assignmentId = null;
			await socket.leave(assignmentRoom(left.assignment.id));
			await socket.leave(memberRoom(left.assignment.id, userId));
			const stillHere = await onlineUserIds(live, assignmentRoom(left.assignment.id));
			if (!stillHere.includes(userId)) {
				live.to(assignmentRoom(left.assignment.id)).emit('presence', {
					userId,
					coupleId: left.coupleId,
					assignmentId: left.assignment.id,
					online: false
				});
			}
		}

		handle<{ assignmentId?: unknown; sinceSeq?: unknown }>('room:join', async (payload) => {
			const found =
				typeof payload.assignmentId === 'string'
					? await assignments.loadContext(
							db(),
							{ id: userId, role: socket.data.role },
							payload.assignmentId
						)
					: null;
			if (!found) return fail('not-found', 'There is no such room, or it is not yours.');
			if (context && context.assignment.id !== found.assignment.id) await leaveRoom();
			context = found;
			socket.data.assignmentId = found.assignment.id;
			await socket.join([
				assignmentRoom(found.assignment.id),
				memberRoom(found.assignment.id, userId)
			]);
			live
				.to(assignmentRoom(found.assignment.id))
				.except(memberRoom(found.assignment.id, userId))
				.emit('presence', {
					userId,
					coupleId: found.coupleId,
					assignmentId: found.assignment.id,
					online: true
				});
			const view = await viewFor(db(), found);
			const sinceSeq =
				typeof payload.sinceSeq === 'number' &&
				Number.isInteger(payload.sinceSeq) &&
				payload.sinceSeq >= 0
					? payload.sinceSeq
					: null;
			const missed =
				sinceSeq === null ? [] : await roomEvents.since(db(), found.assignment.id, sinceSeq);
			const none = new Set<string>();
			return {
				ok: true,
				view,
				seq: view.seq,
				events: missed.flatMap((e) => roomEvents.project(found, userId, e, none) ?? []),
				online: await onlineUserIds(live, assignmentRoom(found.assignment.id))
			};
		});

		/** Runs a room write for the joined room, then broadcasts its committed events. */
		function roomWrite<P>(
			event: keyof ClientToServerEvents,
			write: (ctx: RoomContext, payload: P) => Promise<responses.WriteResult<object>>
		) {
			handle<P>(
				event,
				async (payload) => {
					const joined = context; // the socket may leave or switch rooms while the write runs
					if (!joined) return fail('not-joined', 'Join a room first (room:join).');
					const result = await write(joined, payload);
					if (!result.ok) return result;
					const { events, replayed: _replayed, ...ack } = result;
					broadcast(joined, events);
					return ack;
				},
				{ write: true }
			);
		}

		roomWrite<responses.AnswerInput>('answer:save', (ctx, p) => responses.saveAnswer(db(), ctx, p));
		roomWrite<{ opId: unknown; sectionId: unknown }>('answer:lock', (ctx, p) =>
			responses.lockSection(db(), ctx, p)
		);
		roomWrite<{ opId: unknown; itemId: unknown; value: unknown }>('joint:save', (ctx, p) =>
			responses.saveJoint(db(), ctx, p)
		);
		roomWrite<{ opId: unknown; sectionId: unknown }>('room:advance', (ctx, p) =>
			responses.advance(db(), ctx, p)
		);
		roomWrite<{ opId: unknown; sectionId: unknown }>('room:reveal', (ctx, p) =>
			responses.overrideSection(db(), ctx, { ...p, action: 'reveal' })
		);
		roomWrite<{ opId: unknown; sectionId: unknown }>('room:reopen', (ctx, p) =>
			responses.overrideSection(db(), ctx, { ...p, action: 'reopen' })
		);
		roomWrite<{ opId: unknown }>('room:end', (ctx, p) => responses.close(db(), ctx, p));

		handle('room:leave', async () => {
			await leaveRoom();
			return { ok: true };
		});

		socket.on('disconnect', async () => {
			sessions.remove(socket, sessionId);
			await leaveRoom().catch(() => undefined);
			for (const coupleId of coupleIds) {
				const online = await onlineUserIds(live, coupleRoom(coupleId)).catch(() => [] as string[]);
				if (!online.includes(userId)) {
					live.to(coupleRoom(coupleId)).emit('presence', { userId, coupleId, online: false });
				}
			}
		});
	});
}
