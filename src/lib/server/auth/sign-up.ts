// Therapist sign-up: a rate limit per IP, one account per email, a session that still needs two-factor.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import * as audit from '../audit';
import { hashPassword } from './password';
import * as rateLimit from './rate-limit';
import type { RequestContext } from './session';
import { beginSession } from './sign-in';
import * as timeZones from './time-zone';
import { DEFAULT_TIME_ZONE } from '$lib/dates';

export interface SignUpInput extends RequestContext {
	name: string;
	email: string;
	password: string;
	/** The zone the browser reported (kept only when it is a real one). */
	timeZone?: string;
}

export type SignUpResult =
	{ ok: true } | { ok: false; status: 400 | 429; message: string; field?: 'email' };

export const EMAIL_TAKEN =
	'There is already a Trellis account with this email. Sign in instead, or use another email.';

export function isUniqueViolation(error: unknown): boolean {
	return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

export async function signUpTherapist(
	db: Kysely<Database>,
	input: SignUpInput
): Promise<SignUpResult> {
	const state = await rateLimit.hit(db, `sign-up:ip:${input.ip}`, rateLimit.limits.signUpPerIp);
	if (state.limited) {
		return {
			ok: false,
			status: 429,
			message: `Too many new accounts from this network. Try again ${rateLimit.describeWait(state.retryAfterSeconds)}.`
		};
	}
	const taken = await db
		.selectFrom('users')
		.select('id')
		.where('email', '=', input.email)
		.executeTakeFirst();
	if (taken) return { ok: false, status: 400, message: EMAIL_TAKEN, field: 'email' };

	const passwordHash = await hashPassword(input.password);
	let user;
	try {
		user = await db
			.insertInto('users')
			.values({
				email: input.email,
				password_hash: passwordHash,
				role: 'therapist',
				display_name: input.name,
				time_zone: timeZones.detected(input.timeZone) ?? DEFAULT_TIME_ZONE
			})
			.returning(['id', 'role'])
			.executeTakeFirstOrThrow();
	} catch (error) {
		// Two sign-ups with one email at the same moment: the second loses the unique index.
		if (isUniqueViolation(error)) {
			return { ok: false, status: 400, message: EMAIL_TAKEN, field: 'email' };
		}
		throw error;
	}
	await beginSession(db, {
		user,
		sharedDevice: false,
		userAgent: input.userAgent,
		cookies: input.cookies,
		secure: input.secure
	});
	await audit.record(db, { actorId: user.id, action: 'auth.sign-up', ip: input.ip });
	return { ok: true };
}
