// The /live namespace: session-cookie handshake, per-couple rooms and presence. Handlers stay thin.
import type { Namespace, Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '$lib/realtime/events';
import { LIVE_NAMESPACE } from '$lib/realtime/events';
import { db } from '../db';
import { tokenFromCookieHeader, validateSessionToken } from '../auth/session';
import * as couples from '../couples';

export type LiveNamespace = Namespace<
	ClientToServerEvents,
	ServerToClientEvents,
	object,
	SocketData
>;
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

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

/** Disconnects every socket opened with these sessions (sign-out), on every instance. */
export function disconnectSessions(sessionIds: string[]) {
	const live = liveNamespace();
	if (!live || sessionIds.length === 0) return;
	live.in(sessionIds.map(sessionRoom)).disconnectSockets(true);
}

async function onlineUserIds(live: LiveNamespace, coupleId: string): Promise<string[]> {
	const sockets = await live.in(coupleRoom(coupleId)).fetchSockets();
	return [...new Set(sockets.map((s) => s.data.userId))];
}

export async function attachRealtime(io: Server): Promise<void> {
	const marked = io as Server & { [attached]?: boolean };
	if (marked[attached]) return;
	marked[attached] = true;

	const live = io.of(LIVE_NAMESPACE) as LiveNamespace;

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
				coupleIds: await couples.idsFor(db(), user)
			};
			next();
		} catch {
			next(new Error('unavailable: try again in a moment'));
		}
	});

	live.on('connection', async (socket: LiveSocket) => {
		const { userId, sessionId, coupleIds } = socket.data;
		await socket.join([sessionRoom(sessionId), ...coupleIds.map(coupleRoom)]);
		socket.emit('welcome', { userId, role: socket.data.role, coupleIds });
		for (const coupleId of coupleIds) {
			socket.to(coupleRoom(coupleId)).emit('presence', { userId, coupleId, online: true });
		}

		socket.on('presence:list', async (payload, ack) => {
			if (typeof ack !== 'function') return;
			const coupleId = typeof payload?.coupleId === 'string' ? payload.coupleId : '';
			if (!socket.data.coupleIds.includes(coupleId)) {
				return ack({ ok: false, error: { code: 'not-found', message: 'No such couple.' } });
			}
			ack({ ok: true, online: await onlineUserIds(live, coupleId) });
		});

		socket.on('disconnect', async () => {
			for (const coupleId of coupleIds) {
				const online = await onlineUserIds(live, coupleId).catch(() => [] as string[]);
				if (!online.includes(userId)) {
					live.to(coupleRoom(coupleId)).emit('presence', { userId, coupleId, online: false });
				}
			}
		});
	});
}
