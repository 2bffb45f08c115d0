// One-time recovery codes: 80 random bits shown once as XXXX-XXXX-XXXX-XXXX, only their SHA-256 stored.
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { hashToken } from './token';

export function generateRecoveryCode(): string {
	const bytes = new Uint8Array(10);
	crypto.getRandomValues(bytes);
	const raw = encodeBase32UpperCaseNoPadding(bytes);
	return raw.match(/.{4}/g)!.join('-');
}

/** Normalises what a person typed (case, dashes, spaces) before hashing, so formatting never matters. */
export function hashRecoveryCode(code: string): string {
	const normalised = code.replace(/[\s-]+/g, '').toUpperCase();
	return hashToken(normalised);
}
