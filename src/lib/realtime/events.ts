// The /live Socket.IO protocol, typed once for the server and every client (see docs/realtime.md).

export type ErrorCode =
	| 'unauthenticated'
	| 'bad-request'
	| 'payload-too-large'
	| 'rate-limited'
	| 'not-found'
	| 'forbidden'
	| 'section-locked'
	| 'section-not-current'
	| 'room-closed'
	| 'invalid-answer'
	| 'unavailable'
	| 'unknown-event';

export type Ack<T extends object = object> =
	({ ok: true } & T) | { ok: false; error: { code: ErrorCode; message: string } };

export interface PresencePayload {
	userId: string;
	coupleId: string;
	online: boolean;
}

export interface ServerToClientEvents {
	/** Sent once on connection: who the server takes this socket to be. */
	welcome: (payload: {
		userId: string;
		role: 'therapist' | 'partner';
		coupleIds: string[];
	}) => void;
	presence: (payload: PresencePayload) => void;
	'room:event': (event: { seq: number; type: string; [key: string]: unknown }) => void;
}

export interface ClientToServerEvents {
	'presence:list': (
		payload: { coupleId: string },
		ack: (result: Ack<{ online: string[] }>) => void
	) => void;
}

export interface SocketData {
	userId: string;
	sessionId: string;
	role: 'therapist' | 'partner';
	coupleIds: string[];
}

export const LIVE_NAMESPACE = '/live';
