// Sessions the Lucia way: a random token in a cookie, only its SHA-256 in the database, sliding expiry.
import type { Cookies, RequestEvent } from '@sveltejs/kit';
import type { Kysely } from 'kysely';
import type { Database, Session, User } from '../db/schema';
import { generateToken, hashToken } from './token';

export const SESSION_COOKIE = 'trellis_session';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** How long a session lives, by who holds it: therapists and shared devices time out when idle. */
export const sessionPolicy = {
	therapist: { idleMs: 15 * MINUTE, absoluteMs: 12 * 60 * MINUTE },
	sharedDevice: { idleMs: 10 * MINUTE, absoluteMs: 12 * 60 * MINUTE },
	partner: { idleMs: 30 * DAY, absoluteMs: 365 * DAY }
} as const;

export type SessionUser = Pick<User, 'id' | 'email' | 'role' | 'display_name'> & {
	hasTotp: boolean;
	/** A recovery code cleared the authenticator: only a two-factor-verified session may enrol one. */
	totpReset: boolean;
	/** The IANA zone this user's dates are shown in (`$lib/dates`). */
	timeZone: string;
};

export type SessionValidation =
	{ session: Session; user: SessionUser } | { session: null; user: null };

/**
 * What a sign-in step takes from its request: the client's address (limits, audit), its browser (the
 * devices list), and the cookie jar with whether cookies must be Secure.
 */
export interface RequestContext {
	ip: string;
	userAgent: string | null;
	cookies: Cookies;
	secure: boolean;
}

export function requestContext(
	event: Pick<RequestEvent, 'request' | 'cookies' | 'url' | 'getClientAddress'>
): RequestContext {
	return {
		ip: event.getClientAddress(),
		userAgent: event.request.headers.get('user-agent'),
		cookies: event.cookies,
		secure: event.url.protocol === 'https:'
	};
}

export function generateSessionToken(): string {
	return generateToken(20);
}

/** A session's id is its token's hash: the cookie's value is never stored. */
export const sessionIdFromToken = hashToken;

function policyFor(role: User['role'], sharedDevice: boolean) {
	if (sharedDevice) return sessionPolicy.sharedDevice;
	return role === 'therapist' ? sessionPolicy.therapist : sessionPolicy.partner;
}

function nextExpiry(createdAt: Date, now: Date, policy: { idleMs: number; absoluteMs: number }) {
	return new Date(Math.min(createdAt.getTime() + policy.absoluteMs, now.getTime() + policy.idleMs));
}

export async function createSession(
	db: Kysely<Database>,
	token: string,
	user: Pick<User, 'id' | 'role'>,
	options: { twoFactorVerified?: boolean; sharedDevice?: boolean; userAgent?: string | null } = {}
): Promise<Session> {
	const now = new Date();
	const sharedDevice = options.sharedDevice ?? false;
	return db
		.insertInto('sessions')
		.values({
			id: sessionIdFromToken(token),
			user_id: user.id,
			created_at: now,
			last_seen_at: now,
			expires_at: nextExpiry(now, now, policyFor(user.role, sharedDevice)),
			two_factor_verified: options.twoFactorVerified ?? false,
			shared_device: sharedDevice,
			user_agent: options.userAgent?.slice(0, 300) ?? null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Activity slides a session's expiry, written at most this often so busy pages and rooms stay cheap. */
export const TOUCH_INTERVAL_MS = MINUTE;

/**
 * Records activity on a live session: slides its idle limit (never past the absolute one). Never
 * revives a session that has already expired. Returns the new expiry, or null if the session is over.
 */
export async function touchSession(
	db: Kysely<Database>,
	session: Pick<Session, 'id' | 'created_at' | 'shared_device'>,
	role: User['role']
): Promise<Date | null> {
	const now = new Date();
	const expires = nextExpiry(session.created_at, now, policyFor(role, session.shared_device));
	const row = await db
		.updateTable('sessions')
		.set({ last_seen_at: now, expires_at: expires })
		.where('id', '=', session.id)
		.where('expires_at', '>', now)
		.returning('expires_at')
		.executeTakeFirst();
	return row?.expires_at ?? null;
}

/**
 * Looks a token up and slides its expiry. Writes at most once a minute per session so that
 * a busy page does not turn every request into an UPDATE.
 */
export async function validateSessionToken(
	db: Kysely<Database>,
	token: string,
	options: { touch?: boolean } = {}
): Promise<SessionValidation> {
	if (!/^[a-z2-7]{32}$/.test(token)) return { session: null, user: null };
	const id = sessionIdFromToken(token);
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.selectAll('sessions')
		.select([
			'users.email',
			'users.role',
			'users.display_name',
			'users.totp_key',
			'users.totp_reset_at',
			'users.time_zone'
		])
		.where('sessions.id', '=', id)
		.executeTakeFirst();
	if (!row) return { session: null, user: null };

	const now = new Date();
	if (now.getTime() >= row.expires_at.getTime()) {
		await db.deleteFrom('sessions').where('id', '=', id).execute();
		return { session: null, user: null };
	}

	const { email, role, display_name, totp_key, totp_reset_at, time_zone, ...session } = row;
	if (
		options.touch !== false &&
		now.getTime() - session.last_seen_at.getTime() >= TOUCH_INTERVAL_MS
	) {
		const expires = await touchSession(db, session, role);
		if (!expires) return { session: null, user: null };
		session.last_seen_at = now;
		session.expires_at = expires;
	}
	return {
		session,
		user: {
			id: session.user_id,
			email,
			role,
			display_name,
			hasTotp: totp_key !== null,
			totpReset: totp_reset_at !== null,
			timeZone: time_zone
		}
	};
}

/** Keeps an idle-limited session alive now (the "stay signed in" button). */
export async function extendSession(db: Kysely<Database>, session: Session, role: User['role']) {
	const now = new Date();
	const expires = nextExpiry(session.created_at, now, policyFor(role, session.shared_device));
	await db
		.updateTable('sessions')
		.set({ last_seen_at: now, expires_at: expires })
		.where('id', '=', session.id)
		.execute();
	return expires;
}

/**
 * A shared-device tab is going away (closed, or reloading): the session now ends in `graceMs` unless
 * the next page of the same tab resumes it with extendSession.
 */
export async function shortenSession(db: Kysely<Database>, sessionId: string, graceMs: number) {
	const until = new Date(Date.now() + graceMs);
	await db
		.updateTable('sessions')
		.set({ expires_at: until })
		.where('id', '=', sessionId)
		.where('expires_at', '>', until)
		.execute();
}

/**
 * Replaces a session that has just passed the second factor with a new one (a new token, so a new
 * id), two-factor verified, and deletes the old one: a token seen before the second factor (in a
 * log, on a shared screen, planted by someone else) never becomes a verified session. The new one
 * keeps the old one's start, so the absolute limit still counts from the password sign-in.
 * Returns null when the old session has ended meanwhile (signed out, expired): nothing is created.
 * The caller sets the new cookie once its transaction has committed.
 */
export async function rotateVerifiedSession(
	db: Kysely<Database>,
	old: Session,
	role: User['role']
): Promise<{ token: string; session: Session } | null> {
	const now = new Date();
	const ended = await db
		.deleteFrom('sessions')
		.where('id', '=', old.id)
		.where('expires_at', '>', now)
		.returning('id')
		.executeTakeFirst();
	if (!ended) return null;
	const token = generateSessionToken();
	const session = await db
		.insertInto('sessions')
		.values({
			id: sessionIdFromToken(token),
			user_id: old.user_id,
			created_at: old.created_at,
			last_seen_at: now,
			expires_at: nextExpiry(old.created_at, now, policyFor(role, old.shared_device)),
			two_factor_verified: true,
			shared_device: old.shared_device,
			user_agent: old.user_agent
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	return { token, session };
}

/**
 * Turns a partner's session into a shared-device one (10 idle minutes, ends with its tab and its
 * browser) or back. Therapists always have their own strict policy. Returns the updated session, or
 * null when it has ended meanwhile; the caller sets the cookie again (a browser-session one when shared).
 */
export async function setSharedDevice(
	db: Kysely<Database>,
	session: Pick<Session, 'id' | 'created_at'>,
	role: User['role'],
	shared: boolean
): Promise<Session | null> {
	if (role !== 'partner') return null;
	const now = new Date();
	const row = await db
		.updateTable('sessions')
		.set({
			shared_device: shared,
			last_seen_at: now,
			expires_at: nextExpiry(session.created_at, now, policyFor(role, shared))
		})
		.where('id', '=', session.id)
		.where('expires_at', '>', now)
		.returningAll()
		.executeTakeFirst();
	return row ?? null;
}

export async function invalidateSession(db: Kysely<Database>, sessionId: string) {
	await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function invalidateUserSessions(db: Kysely<Database>, userId: string) {
	const rows = await db
		.deleteFrom('sessions')
		.where('user_id', '=', userId)
		.returning('id')
		.execute();
	return rows.map((r) => r.id);
}

/** Ends every session of the user except the one given; returns the ended ids (to close their sockets). */
export async function invalidateOtherSessions(
	db: Kysely<Database>,
	userId: string,
	keepSessionId: string
) {
	const rows = await db
		.deleteFrom('sessions')
		.where('user_id', '=', userId)
		.where('id', '!=', keepSessionId)
		.returning('id')
		.execute();
	return rows.map((r) => r.id);
}

export async function listUserSessions(db: Kysely<Database>, userId: string) {
	return db
		.selectFrom('sessions')
		.select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'shared_device'])
		.where('user_id', '=', userId)
		.where('expires_at', '>', new Date())
		.orderBy('last_seen_at', 'desc')
		.execute();
}

export function setSessionCookie(
	cookies: Cookies,
	token: string,
	session: Pick<Session, 'expires_at' | 'shared_device'>,
	secure: boolean
) {
	cookies.set(SESSION_COOKIE, token, {
		httpOnly: true,
		sameSite: 'lax',
		path: '/',
		secure,
		// A shared device gets a browser-session cookie: it ends when the browser closes.
		expires: session.shared_device ? undefined : session.expires_at
	});
}

/**
 * A shared-device sign-in also leaves this short-lived, script-readable marker. The first page of the
 * tab moves it into sessionStorage; a tab that finds neither (a new tab, or the browser reopened) signs
 * out, so closing the tab ends the session even if the browser keeps its cookies.
 */
export const SHARED_TAB_COOKIE = 'trellis_tab';

export function setSharedTabCookie(cookies: Cookies, secure: boolean) {
	cookies.set(SHARED_TAB_COOKIE, '1', {
		httpOnly: false,
		sameSite: 'strict',
		path: '/',
		secure,
		maxAge: 120
	});
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean) {
	cookies.delete(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure });
}

/** Reads the session token out of a raw Cookie header (the Socket.IO handshake has no SvelteKit cookies). */
export function tokenFromCookieHeader(header: string | undefined): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		if (part.slice(0, eq).trim() === SESSION_COOKIE) {
			try {
				return decodeURIComponent(part.slice(eq + 1).trim());
			} catch {
				return null;
			}
		}
	}
	return null;
}
