// The Socket.IO server the entry made (server.js, or the Vite plugin in dev), the /live namespace's
// types, and the rooms a socket joins: one per session, per couple, per assignment and per member.
import type { Namespace, Server, Socket } from 'socket.io';
import type {
	ClientToServerEvents,
	RoomEvent,
	ServerToClientEvents,
	SocketData
} from '$lib/realtime/events';
import { LIVE_NAMESPACE } from '$lib/realtime/events';

/** One projected event for one member's room, as passed between instances. */
export interface Delivery {
	room: string;
	event: RoomEvent;
}

/** Messages between instances of the app (through the PostgreSQL adapter). */
export interface InterServerEvents {
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

const ioKey = '__trellisIo';

/** The Socket.IO server the entry left on globalThis. */
export function liveServer(): Server | null {
	return ((globalThis as Record<string, unknown>)[ioKey] as Server | undefined) ?? null;
}

export function liveNamespace(): LiveNamespace | null {
	return (liveServer()?.of(LIVE_NAMESPACE) as LiveNamespace | undefined) ?? null;
}

export const coupleRoom = (coupleId: string) => `couple:${coupleId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
/** Every socket of one user, on any page: where a therapist's safety alerts go. */
export const userRoom = (userId: string) => `user:${userId}`;
export const assignmentRoom = (assignmentId: string) => `assignment:${assignmentId}`;
export const memberRoom = (assignmentId: string, userId: string) =>
	`assignment:${assignmentId}:${userId}`;

const clustered = new WeakSet<LiveNamespace>();

/** Marks the namespace as shared with other instances (the PostgreSQL adapter is on). */
export function markClustered(live: LiveNamespace) {
	clustered.add(live);
}

export const isClustered = (live: LiveNamespace) => clustered.has(live);

/** Disconnects every socket opened with these sessions (sign-out), on every instance. */
export function disconnectSessions(sessionIds: string[]) {
	const live = liveNamespace();
	if (!live || sessionIds.length === 0) return;
	live.in(sessionIds.map(sessionRoom)).disconnectSockets(true);
}

export async function onlineUserIds(live: LiveNamespace, room: string): Promise<string[]> {
	const sockets = await live.in(room).fetchSockets();
	return [...new Set(sockets.map((s) => s.data.userId))];
}
