// Secrets handed to a person (a session cookie, an invite or reset link, a recovery code): random
// bytes from the platform, and the SHA-256 that is all the database keeps of one.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** `length` random bytes in lower-case base32 (eight characters for every five bytes). */
export function generateToken(length: number): string {
	const bytes = new Uint8Array(length);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

/** The hex SHA-256 of a token: what is stored, and looked up, in its place. */
export function hashToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** The token of a single-use link (an invite, a password reset): 25 random bytes. */
export function generateLinkToken(): string {
	return generateToken(25);
}

/** Link tokens are 40 base32 characters; anything else is not looked up at all. */
export function isLinkToken(token: string): boolean {
	return /^[a-z2-7]{40}$/.test(token);
}
