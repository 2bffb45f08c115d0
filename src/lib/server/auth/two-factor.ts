// The second factor: checking a TOTP code, enrolling an authenticator, and signing in with the recovery code.
// Wrong codes of any kind count against the account, and five lock the step for 15 minutes.
import type { Kysely } from 'kysely';
import type { Database, Session } from '../db/schema';
import * as audit from '../audit';
import * as rateLimit from './rate-limit';
import type { SessionUser } from './session';
import { invalidateOtherSessions, markTwoFactorVerified } from './session';
import { appKeyring, type Keyring } from '../crypto/keyring';
import { openTotpKey, sealTotpKey, verifyTotpCode } from './totp';
import { generateRecoveryCode, hashRecoveryCode } from './recovery-code';

export type TwoFactorResult = { ok: true } | { ok: false; status: 400 | 429; message: string };

interface Attempt {
	user: SessionUser;
	session: Session;
	code: string;
	ip: string;
}

// Keyed by account, so a new session cannot reset the count.
const totpKey = (userId: string) => `totp:${userId}`;
const recoveryKey = (userId: string) => `recovery:${userId}`;

async function lockedOut(db: Kysely<Database>, key: string) {
	const state = await rateLimit.check(db, key, rateLimit.limits.totpPerSession);
	if (!state.limited) return null;
	return {
		ok: false as const,
		status: 429 as const,
		message: `Too many wrong codes. Try again ${rateLimit.describeWait(state.retryAfterSeconds)}.`
	};
}

const WRONG_CODE = 'That code is not right. Check the time on your phone and try again.';

export async function verifySecondFactor(
	db: Kysely<Database>,
	input: Attempt,
	keyring: Keyring = appKeyring()
): Promise<TwoFactorResult> {
	const key = totpKey(input.user.id);
	const locked = await lockedOut(db, key);
	if (locked) return locked;
	const row = await db
		.selectFrom('users')
		.select(['totp_key', 'totp_key_id', 'totp_nonce'])
		.where('id', '=', input.user.id)
		.executeTakeFirst();
	const secret = row ? openTotpKey(keyring, input.user.id, row) : null;
	if (!secret || !verifyTotpCode(secret, input.code)) {
		await rateLimit.hit(db, key, rateLimit.limits.totpPerSession);
		await audit.record(db, { actorId: input.user.id, action: 'auth.totp.failed', ip: input.ip });
		return { ok: false, status: 400, message: WRONG_CODE };
	}
	await rateLimit.reset(db, key);
	await markTwoFactorVerified(db, input.session.id);
	if (row!.totp_key_id !== keyring.currentId) {
		// A secret from before sealing, or under an older key: seal it under the current one.
		await db
			.updateTable('users')
			.set(sealTotpKey(keyring, input.user.id, secret))
			.where('id', '=', input.user.id)
			.execute();
	}
	await audit.record(db, { actorId: input.user.id, action: 'auth.totp.verified', ip: input.ip });
	return { ok: true };
}

export type EnrolResult =
	{ ok: true; recoveryCode: string } | { ok: false; status: 400 | 429; message: string };

/**
 * Saves a new authenticator once the person proves it works with a code, and issues a fresh
 * recovery code (shown once). Also used to replace an authenticator from a verified session.
 */
export async function enrolTotp(
	db: Kysely<Database>,
	input: Attempt & { totpKey: Uint8Array },
	keyring: Keyring = appKeyring()
): Promise<EnrolResult> {
	const key = totpKey(input.user.id);
	const locked = await lockedOut(db, key);
	if (locked) return locked;
	if (!verifyTotpCode(input.totpKey, input.code)) {
		await rateLimit.hit(db, key, rateLimit.limits.totpPerSession);
		await audit.record(db, {
			actorId: input.user.id,
			action: 'auth.totp.enrol-failed',
			ip: input.ip
		});
		return {
			ok: false,
			status: 400,
			message:
				'That code does not match. Scan the QR code again (or type the key), then enter the code your app shows now.'
		};
	}
	const recoveryCode = generateRecoveryCode();
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({
				...sealTotpKey(keyring, input.user.id, input.totpKey),
				recovery_code_hash: hashRecoveryCode(recoveryCode)
			})
			.where('id', '=', input.user.id)
			.execute();
		await markTwoFactorVerified(trx, input.session.id);
		await audit.record(trx, {
			actorId: input.user.id,
			action: 'auth.totp.enrolled',
			ip: input.ip,
			detail: { replaced: input.user.hasTotp }
		});
	});
	await rateLimit.reset(db, key);
	return { ok: true, recoveryCode };
}

export type RecoveryResult =
	{ ok: true; signedOutSessionIds: string[] } | { ok: false; status: 400 | 429; message: string };

/**
 * Signs in with the one-time recovery code instead of a TOTP code. The old authenticator is
 * forgotten (it may be on a lost phone), every other session ends, and the person enrols again.
 */
export async function signInWithRecoveryCode(
	db: Kysely<Database>,
	input: Attempt
): Promise<RecoveryResult> {
	const key = recoveryKey(input.user.id);
	const locked = await lockedOut(db, key);
	if (locked) return locked;
	const hash = hashRecoveryCode(input.code);
	const signedOutSessionIds = await db.transaction().execute(async (trx) => {
		// The compare-and-clear is one statement, so a code works exactly once.
		const used = await trx
			.updateTable('users')
			.set({ totp_key: null, totp_key_id: null, totp_nonce: null, recovery_code_hash: null })
			.where('id', '=', input.user.id)
			.where('recovery_code_hash', '=', hash)
			.returning('id')
			.executeTakeFirst();
		if (!used) return null;
		await markTwoFactorVerified(trx, input.session.id);
		const others = await invalidateOtherSessions(trx, input.user.id, input.session.id);
		await audit.record(trx, {
			actorId: input.user.id,
			action: 'auth.recovery-code.used',
			ip: input.ip
		});
		return others;
	});
	if (!signedOutSessionIds) {
		await rateLimit.hit(db, key, rateLimit.limits.totpPerSession);
		await audit.record(db, {
			actorId: input.user.id,
			action: 'auth.recovery-code.failed',
			ip: input.ip
		});
		return {
			ok: false,
			status: 400,
			message: 'That recovery code is not right, or it has been used already.'
		};
	}
	await rateLimit.reset(db, key);
	return { ok: true, signedOutSessionIds };
}

/** Re-seals every TOTP secret not under the keyring's current key (plain ones too); returns how many. */
export async function rotateTotpKeys(db: Kysely<Database>, keyring: Keyring): Promise<number> {
	const rows = await db
		.selectFrom('users')
		.select(['id', 'totp_key', 'totp_key_id', 'totp_nonce'])
		.where('totp_key', 'is not', null)
		.where((eb) =>
			eb.or([eb('totp_key_id', 'is', null), eb('totp_key_id', '!=', keyring.currentId)])
		)
		.execute();
	for (const row of rows) {
		const secret = openTotpKey(keyring, row.id, row)!;
		await db
			.updateTable('users')
			.set(sealTotpKey(keyring, row.id, secret))
			.where('id', '=', row.id)
			.execute();
	}
	return rows.length;
}
