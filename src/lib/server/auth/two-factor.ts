// The second factor: checking a TOTP code, enrolling an authenticator, and signing in with the recovery code.
// Wrong codes of any kind count against the account, and five lock the step for 15 minutes. Passing the
// second factor replaces the session with a new, verified one; each TOTP time step is accepted once.
import type { Kysely } from 'kysely';
import type { Database, Session } from '../db/schema';
import { columnOf } from '../db/column';
import * as audit from '../audit';
import * as rateLimit from './rate-limit';
import type { RequestContext, SessionUser } from './session';
import { invalidateOtherSessions, rotateVerifiedSession, setSessionCookie } from './session';
import { appKeyring, type Keyring } from '../crypto/keyring';
import { openTotpKey, sealTotpKey, totpStep, type StoredTotpKey } from './totp';
import { generateRecoveryCode, hashRecoveryCode } from './recovery-code';

export type TwoFactorResult = { ok: true } | { ok: false; status: 400 | 429; message: string };

/** The request's cookies are where the new session's cookie goes when the second factor passes. */
interface Attempt extends Omit<RequestContext, 'userAgent'> {
	user: SessionUser;
	session: Session;
	code: string;
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

/** A wrong code: counted against the account's limit under `key`, audited as `action`, and refused. */
async function refuseCode(
	db: Kysely<Database>,
	key: string,
	attempt: Attempt,
	action: string,
	message: string
) {
	await rateLimit.hit(db, key, rateLimit.limits.totpPerSession);
	await audit.record(db, { actorId: attempt.user.id, action, ip: attempt.ip });
	return { ok: false as const, status: 400 as const, message };
}

/** The session was signed out while its second factor was checked: the transaction keeps nothing. */
class SessionEnded extends Error {}
const SESSION_ENDED = {
	ok: false as const,
	status: 400 as const,
	message: 'This sign-in has ended. Sign in again.'
};

async function rotate(trx: Kysely<Database>, attempt: Attempt) {
	const rotated = await rotateVerifiedSession(trx, attempt.session, attempt.user.role);
	if (!rotated) throw new SessionEnded();
	return rotated;
}

function setCookie(attempt: Attempt, rotated: { token: string; session: Session }) {
	setSessionCookie(attempt.cookies, rotated.token, rotated.session, attempt.secure);
}

async function unlessEnded<T>(run: () => Promise<T>): Promise<T | typeof SESSION_ENDED> {
	try {
		return await run();
	} catch (error) {
		if (error instanceof SessionEnded) return SESSION_ENDED;
		throw error;
	}
}

/**
 * Takes the code's time step for the account and replaces the session with a verified one, in one
 * transaction. The step is taken only if it is later than the last one taken, in one statement, so a
 * code works once even when it arrives twice at the same moment; null when it was taken before.
 */
function takeStep(
	db: Kysely<Database>,
	input: Attempt,
	step: number,
	resealed: Partial<StoredTotpKey>
) {
	return db.transaction().execute(async (trx) => {
		const taken = await trx
			.updateTable('users')
			.set({ totp_last_step: step, ...resealed })
			.where('id', '=', input.user.id)
			.where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
			.returning('id')
			.executeTakeFirst();
		if (!taken) return null;
		const rotated = await rotate(trx, input);
		await audit.record(trx, { actorId: input.user.id, action: 'auth.totp.verified', ip: input.ip });
		return rotated;
	});
}

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
	const step = secret ? totpStep(secret, input.code) : null;
	// A secret from before sealing, or under an older key, is sealed under the current one.
	const resealed =
		secret && row!.totp_key_id !== keyring.currentId
			? sealTotpKey(keyring, input.user.id, secret)
			: {};
	const outcome =
		step === null ? null : await unlessEnded(() => takeStep(db, input, step, resealed));
	if (outcome && 'ok' in outcome) return outcome;
	if (!outcome) return refuseCode(db, key, input, 'auth.totp.failed', WRONG_CODE);
	await rateLimit.reset(db, key);
	setCookie(input, outcome);
	return { ok: true };
}

/**
 * Who may enrol an authenticator: a two-factor-verified session (replacing one, or right after the
 * recovery code), or the password session of an account that has never had one. An account whose
 * authenticator a recovery code cleared needs the session that code verified, so the password alone
 * never lets someone put their own authenticator on the account.
 */
export function mayEnrol(user: SessionUser, session: Session): boolean {
	if (user.role !== 'therapist') return false;
	return session.two_factor_verified || (!user.hasTotp && !user.totpReset);
}

export const ENROL_AFTER_RECOVERY =
	'Your authenticator was reset with your recovery code. Set up the new one in the browser where you used your recovery code. If that sign-in has ended, ask whoever runs Trellis for your practice to reset two-factor sign-in for your account.';

export type EnrolResult =
	{ ok: true; recoveryCode: string } | { ok: false; status: 400 | 403 | 429; message: string };

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
	const step = totpStep(input.totpKey, input.code);
	if (step === null) {
		return refuseCode(
			db,
			key,
			input,
			'auth.totp.enrol-failed',
			'That code does not match. Scan the QR code again (or type the key), then enter the code your app shows now.'
		);
	}
	const recoveryCode = generateRecoveryCode();
	const verified = input.session.two_factor_verified;
	const outcome = await unlessEnded(() =>
		db.transaction().execute(async (trx) => {
			const saved = await trx
				.updateTable('users')
				.set({
					...sealTotpKey(keyring, input.user.id, input.totpKey),
					recovery_code_hash: hashRecoveryCode(recoveryCode),
					totp_last_step: step,
					totp_reset_at: null
				})
				.where('id', '=', input.user.id)
				// mayEnrol, checked against the row itself: without the second factor, only an
				// account that has never had an authenticator.
				.$if(!verified, (qb) => qb.where('totp_key', 'is', null).where('totp_reset_at', 'is', null))
				.returning('id')
				.executeTakeFirst();
			if (!saved) return null;
			const rotated = verified ? null : await rotate(trx, input);
			await audit.record(trx, {
				actorId: input.user.id,
				action: 'auth.totp.enrolled',
				ip: input.ip,
				detail: { replaced: input.user.hasTotp }
			});
			return { rotated };
		})
	);
	if (outcome && 'ok' in outcome) return outcome;
	if (!outcome) return { ok: false, status: 403, message: ENROL_AFTER_RECOVERY };
	await rateLimit.reset(db, key);
	if (outcome.rotated) setCookie(input, outcome.rotated);
	return { ok: true, recoveryCode };
}

/** Whether the therapist holds an unused recovery code (the account page says so). */
export async function hasRecoveryCode(db: Kysely<Database>, userId: string): Promise<boolean> {
	return !!(await columnOf(db, 'users', 'recovery_code_hash', userId));
}

export type RecoveryResult =
	{ ok: true; signedOutSessionIds: string[] } | { ok: false; status: 400 | 429; message: string };

/**
 * Signs in with the one-time recovery code instead of a TOTP code. The old authenticator is
 * forgotten (it may be on a lost phone), every other session ends, this one is replaced by a new
 * verified one, and only that session may enrol the new authenticator.
 */
export async function signInWithRecoveryCode(
	db: Kysely<Database>,
	input: Attempt
): Promise<RecoveryResult> {
	const key = recoveryKey(input.user.id);
	const locked = await lockedOut(db, key);
	if (locked) return locked;
	const hash = hashRecoveryCode(input.code);
	const outcome = await unlessEnded(() =>
		db.transaction().execute(async (trx) => {
			// The compare-and-clear is one statement, so a code works exactly once.
			const used = await trx
				.updateTable('users')
				.set({
					totp_key: null,
					totp_key_id: null,
					totp_nonce: null,
					recovery_code_hash: null,
					totp_last_step: null,
					totp_reset_at: new Date()
				})
				.where('id', '=', input.user.id)
				.where('recovery_code_hash', '=', hash)
				.returning('id')
				.executeTakeFirst();
			if (!used) return null;
			const others = await invalidateOtherSessions(trx, input.user.id, input.session.id);
			const rotated = await rotate(trx, input);
			await audit.record(trx, {
				actorId: input.user.id,
				action: 'auth.recovery-code.used',
				ip: input.ip
			});
			return { rotated, signedOutSessionIds: [...others, input.session.id] };
		})
	);
	if (outcome && 'ok' in outcome) return outcome;
	if (!outcome) {
		return refuseCode(
			db,
			key,
			input,
			'auth.recovery-code.failed',
			'That recovery code is not right, or it has been used already.'
		);
	}
	await rateLimit.reset(db, key);
	setCookie(input, outcome.rotated);
	return { ok: true, signedOutSessionIds: outcome.signedOutSessionIds };
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
