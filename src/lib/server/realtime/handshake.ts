// Who may open a /live socket: a page of Trellis's own origin, with a signed-in session (a therapist's
// past the second factor). What the handshake learns is kept on socket.data for every message after.
import { db } from '../db';
import { tokenFromCookieHeader, validateSessionToken } from '../auth/session';
import { mayOpenSocket } from '../auth/origin';
import { publicOrigin } from '../config';
import * as couples from '../couples';
import type { Session } from '../db/schema';
import type { LiveNamespace, LiveSocket } from './server';

/** What each handshake found, until the connection handler hands it to the session watch. */
export const handshakeSessions = new WeakMap<LiveSocket, Session>();

type Next = (error?: Error) => void;

/** A page of another site must not open a socket with the visitor's cookie (docs/security.md). */
export function checkOrigin(socket: LiveSocket, next: Next) {
	const { origin, host } = socket.handshake.headers;
	if (mayOpenSocket(origin, host, publicOrigin())) return next();
	next(new Error('forbidden-origin: open Trellis from its own address'));
}

/** The same session cookie as the pages, and the same two-factor rule as the gate in hooks.server.ts. */
export async function authenticate(socket: LiveSocket, next: Next) {
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
		handshakeSessions.set(socket, session);
		next();
	} catch {
		next(new Error('unavailable: try again in a moment'));
	}
}

export function useHandshake(live: LiveNamespace) {
	live.use(checkOrigin);
	live.use(authenticate);
}
