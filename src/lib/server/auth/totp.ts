// TOTP two-factor (RFC 6238: SHA-1, 6 digits, 30 s) for therapists, via @oslojs/otp.
import { createTOTPKeyURI, verifyTOTPWithGracePeriod } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

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

/** Accepts the current code and the ones either side of it, for clocks that drift a little. */
export function verifyTotpCode(key: Uint8Array, code: string): boolean {
	const digits = code.replace(/\s+/g, '');
	if (!/^\d{6}$/.test(digits)) return false;
	return verifyTOTPWithGracePeriod(
		key,
		TOTP_PERIOD_SECONDS,
		TOTP_DIGITS,
		digits,
		TOTP_PERIOD_SECONDS
	);
}
