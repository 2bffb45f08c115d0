// Password hashing with argon2id at the parameters OWASP recommends, the rules a new password must meet,
// and the one check of a password against an account, which counts failures per account.
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database, User } from '../db/schema';
import * as audit from '../audit';
import { isCommonPassword } from './common-passwords';
import * as rateLimit from './rate-limit';

const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2);
}

// Not exported: every check of a password goes through checkPassword, which enforces the account's limit.
async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// A hash of a throwaway password, so an unknown email costs the same time as a wrong password.
let decoyHash: Promise<string> | null = null;
async function verifyAgainstDecoy(password: string): Promise<false> {
	decoyHash ??= hashPassword('decoy password never used by anyone');
	await verifyPassword(await decoyHash, password);
	return false;
}

export type PasswordCheck =
	| { ok: true; user: Pick<User, 'id' | 'role' | 'totp_key'> }
	| { ok: false; reason: 'wrong' }
	| { ok: false; reason: 'limited'; retryAfterSeconds: number };

/**
 * The one place a password is checked against an account (signing in; an existing partner accepting
 * an invite; re-entering it on the account page). While the account's failed tries are used up it refuses without looking; every failure
 * counts against the account, wherever it happened, and is audited; an unknown email costs the same
 * argon2 time as a wrong password.
 */
export async function checkPassword(
	db: Kysely<Database>,
	input: {
		email: string;
		password: string;
		ip?: string | null;
		via: 'sign-in' | 'invite' | 'account';
	}
): Promise<PasswordCheck> {
	const accountKey = `sign-in:account:${input.email}`;
	const limit = rateLimit.limits.signInPerAccount;
	const state = await rateLimit.check(db, accountKey, limit);
	if (state.limited)
		return { ok: false, reason: 'limited', retryAfterSeconds: state.retryAfterSeconds };

	const user = await db
		.selectFrom('users')
		.select(['id', 'role', 'password_hash', 'totp_key'])
		.where('email', '=', input.email)
		.executeTakeFirst();
	const valid = user?.password_hash
		? await verifyPassword(user.password_hash, input.password)
		: await verifyAgainstDecoy(input.password);
	if (!user || !valid) {
		await rateLimit.hit(db, accountKey, limit);
		await audit.record(db, {
			actorId: user?.id ?? null,
			action: 'auth.sign-in.failed',
			ip: input.ip ?? null,
			detail: input.via === 'sign-in' ? undefined : { via: input.via }
		});
		return { ok: false, reason: 'wrong' };
	}
	return { ok: true, user: { id: user.id, role: user.role, totp_key: user.totp_key } };
}

/** A new password: length limits and not one of the most common passwords; no composition rules. */
export const newPassword = v.pipe(
	v.string('Choose a password.'),
	v.nonEmpty('Choose a password.'),
	v.minLength(
		PASSWORD_MIN,
		`Use at least ${PASSWORD_MIN} characters; a short sentence works well.`
	),
	v.maxLength(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`),
	v.check(
		(password) => !isCommonPassword(password),
		'That password is one of the most common ones and easy to guess. Choose another.'
	)
);
