// Email-and-password sign-in: rate limits, the one password check, a new session, an audit row.
import type { Kysely } from 'kysely';
import type { Database, Session, User } from '../db/schema';
import * as audit from '../audit';
import { disconnectSessions } from '../realtime/server';
import { checkPassword } from './password';
import * as rateLimit from './rate-limit';
import * as timeZones from './time-zone';
import {
	SESSION_COOKIE,
	createSession,
	generateSessionToken,
	invalidateSession,
	sessionIdFromToken,
	setSessionCookie,
	setSharedTabCookie,
	type RequestContext
} from './session';

export interface SignInInput extends RequestContext {
	email: string;
	password: string;
	sharedDevice: boolean;
	/** The zone the browser reported: adopted while the account still has the default. */
	timeZone?: string;
}

export type SignInResult =
	{ ok: true; next: string } | { ok: false; status: 400 | 429; message: string };

const WRONG = 'That email or password is wrong.';

const tooMany = (seconds: number) => ({
	ok: false as const,
	status: 429 as const,
	message: `Too many sign-in attempts. Try again ${rateLimit.describeWait(seconds)}.`
});

export async function signIn(db: Kysely<Database>, input: SignInInput): Promise<SignInResult> {
	const ipState = await rateLimit.hit(db, `sign-in:ip:${input.ip}`, rateLimit.limits.signInPerIp);
	if (ipState.limited) return tooMany(ipState.retryAfterSeconds);

	const check = await checkPassword(db, { ...input, via: 'sign-in' });
	if (!check.ok) {
		return check.reason === 'limited'
			? tooMany(check.retryAfterSeconds)
			: { ok: false, status: 400, message: WRONG };
	}
	const { user } = check;
	await beginSession(db, {
		user,
		// Shared-device mode is for partners; a therapist always gets the strict therapist policy.
		sharedDevice: user.role === 'partner' && input.sharedDevice,
		userAgent: input.userAgent,
		cookies: input.cookies,
		secure: input.secure
	});
	await audit.record(db, { actorId: user.id, action: 'auth.sign-in', ip: input.ip });
	await timeZones.adoptDetected(db, user.id, input.timeZone);

	if (user.role === 'partner') return { ok: true, next: '/c' };
	return { ok: true, next: user.totp_key ? '/login/totp' : '/login/totp/setup' };
}

/**
 * Gives this browser a new session (sign-in, sign-up, an accepted invite). Whatever session its
 * cookie held before ends with it, sockets included: it may have been someone else's, and a
 * replaced cookie must not leave a live session behind.
 */
export async function beginSession(
	db: Kysely<Database>,
	input: Omit<RequestContext, 'ip'> & { user: Pick<User, 'id' | 'role'>; sharedDevice: boolean }
): Promise<Session> {
	const previous = input.cookies.get(SESSION_COOKIE);
	if (previous) {
		const previousId = sessionIdFromToken(previous);
		await invalidateSession(db, previousId);
		disconnectSessions([previousId]);
	}
	const token = generateSessionToken();
	const session = await createSession(db, token, input.user, {
		sharedDevice: input.sharedDevice,
		userAgent: input.userAgent
	});
	setSessionCookie(input.cookies, token, session, input.secure);
	if (session.shared_device) setSharedTabCookie(input.cookies, input.secure);
	return session;
}
