// Password hashing with argon2id at the parameters OWASP recommends, and the rules a new password must meet.
import { hash, verify } from '@node-rs/argon2';
import * as v from 'valibot';
import { isCommonPassword } from './common-passwords';

const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// A hash of a throwaway password, so an unknown email costs the same time as a wrong password.
let decoyHash: Promise<string> | null = null;
export async function verifyAgainstDecoy(password: string): Promise<false> {
	decoyHash ??= hashPassword('decoy password never used by anyone');
	await verifyPassword(await decoyHash, password);
	return false;
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

/** A password typed to prove who you are (checked against a hash, so no rules beyond a size limit). */
export const currentPassword = v.pipe(
	v.string('Password is required.'),
	v.nonEmpty('Password is required.'),
	v.maxLength(PASSWORD_MAX, 'Password is too long.')
);
