// Email-and-password sign-in: rate limits, a constant-cost check, a new session, an audit row.
import type { Cookies } from '@sveltejs/kit';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import * as audit from '../audit';
import { verifyAgainstDecoy, verifyPassword } from './password';
import * as rateLimit from './rate-limit';
import {
	createSession,
	generateSessionToken,
	setSessionCookie,
	setSharedTabCookie
} from './session';

export interface SignInInput {
	email: string;
	password: string;
	sharedDevice: boolean;
	ip: string;
	userAgent: string | null;
	cookies: Cookies;
	secure: boolean;
}

export type SignInResult =
	{ ok: true; next: string } | { ok: false; status: 400 | 429; message: string };

const WRONG = 'That email or password is wrong.';

export async function signIn(db: Kysely<Database>, input: SignInInput): Promise<SignInResult> {
	const ipKey = `sign-in:ip:${input.ip}`;
	const accountKey = `sign-in:account:${input.email}`;
	const ipState = await rateLimit.hit(db, ipKey, rateLimit.limits.signInPerIp);
	const accountState = await rateLimit.check(db, accountKey, rateLimit.limits.signInPerAccount);
	for (const state of [ipState, accountState]) {
		if (state.limited) {
			return {
				ok: false,
				status: 429,
				message: `Too many sign-in attempts. Try again ${rateLimit.describeWait(state.retryAfterSeconds)}.`
			};
		}
	}

	const user = await db
		.selectFrom('users')
		.select(['id', 'role', 'password_hash', 'totp_key'])
		.where('email', '=', input.email)
		.executeTakeFirst();
	const valid = user?.password_hash
		? await verifyPassword(user.password_hash, input.password)
		: await verifyAgainstDecoy(input.password);

	if (!user || !valid) {
		await rateLimit.hit(db, accountKey, rateLimit.limits.signInPerAccount);
		await audit.record(db, {
			actorId: user?.id ?? null,
			action: 'auth.sign-in.failed',
			ip: input.ip
		});
		return { ok: false, status: 400, message: WRONG };
	}

	const token = generateSessionToken();
	const session = await createSession(db, token, user, {
		// Shared-device mode is for partners; a therapist always gets the strict therapist policy.
		sharedDevice: user.role === 'partner' && input.sharedDevice,
		userAgent: input.userAgent
	});
	setSessionCookie(input.cookies, token, session, input.secure);
	if (session.shared_device) setSharedTabCookie(input.cookies, input.secure);
	await audit.record(db, { actorId: user.id, action: 'auth.sign-in', ip: input.ip });

	if (user.role === 'partner') return { ok: true, next: '/c' };
	return { ok: true, next: user.totp_key ? '/login/totp' : '/login/totp/setup' };
}
