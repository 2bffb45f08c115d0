// TOTP two-factor (RFC 6238: SHA-1, 6 digits, 30 s) for therapists, via @oslojs/otp.
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { open, seal, type Keyring } from '../crypto/keyring';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

export function generateTotpKey(): Uint8Array {
	const key = new Uint8Array(20);
	crypto.getRandomValues(key);
	return key;
}

export function totpKeyToBase32(key: Uint8Array): string {
	return encodeBase32UpperCaseNoPadding(key);
}

export function totpKeyFromBase32(secret: string): Uint8Array {
	return decodeBase32IgnorePadding(secret.replace(/\s+/g, '').toUpperCase());
}

export function totpUri(key: Uint8Array, accountName: string): string {
	return createTOTPKeyURI('Trellis', accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/**
 * The 30-second time step a code belongs to, or null if it is not right. Accepts the current step and
 * the ones either side of it, for clocks that drift a little; the caller refuses a step used before.
 */
export function totpStep(key: Uint8Array, code: string, now = Date.now()): number | null {
	const digits = code.replace(/\s+/g, '');
	if (!/^\d{6}$/.test(digits)) return null;
	const current = Math.floor(now / (TOTP_PERIOD_SECONDS * 1000));
	for (const step of [current - 1, current, current + 1]) {
		if (verifyHOTP(key, BigInt(step), TOTP_DIGITS, digits)) return step;
	}
	return null;
}

/** The columns a TOTP secret is stored in. */
export interface StoredTotpKey {
	totp_key: Uint8Array | null;
	totp_key_id: string | null;
	totp_nonce: Uint8Array | null;
}

const aad = (userId: string) => `totp:${userId}`;

/** Seals a secret for one user's row; it opens only for that user id. */
export function sealTotpKey(keyring: Keyring, userId: string, key: Uint8Array): StoredTotpKey {
	const sealed = seal(keyring, aad(userId), totpKeyToBase32(key));
	return { totp_key: sealed.ciphertext, totp_key_id: sealed.keyId, totp_nonce: sealed.nonce };
}

/** The secret from a user's row, or null when there is none. Rows without a key id are plain bytes. */
export function openTotpKey(
	keyring: Keyring,
	userId: string,
	row: StoredTotpKey
): Uint8Array | null {
	if (!row.totp_key) return null;
	if (!row.totp_key_id || !row.totp_nonce) return row.totp_key;
	return totpKeyFromBase32(
		open(keyring, aad(userId), {
			keyId: row.totp_key_id,
			nonce: row.totp_nonce,
			ciphertext: row.totp_key
		})
	);
}
