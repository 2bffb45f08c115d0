import { describe, expect, it } from 'vitest';
import { generateHOTP, generateTOTP } from '@oslojs/otp';
import { randomBytes } from 'node:crypto';
import {
	enrolTotp,
	rotateTotpKeys,
	signInWithRecoveryCode,
	verifySecondFactor
} from '$lib/server/auth/two-factor';
import { generateTotpKey, openTotpKey } from '$lib/server/auth/totp';
import { appKeyring, parseKeyring } from '$lib/server/crypto/keyring';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { useTestDatabase } from '../helpers/database';
import { fakeCookies, makeUser, signedInSession } from './accounts-support';

const database = useTestDatabase();
const code = (key: Uint8Array) => generateTOTP(key, 30, 6);
/** The code of the step after the current one, which the server also accepts (clock drift). */
const nextCode = (key: Uint8Array) =>
	generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + 1), 6);
/** Where a second factor that passes puts the new session's cookie. */
const browser = () => ({ cookies: fakeCookies(), secure: false });
/** A code that is certainly wrong now (the right one with its last digit changed). */
const wrong = (key: Uint8Array) => code(key).replace(/.$/, (d) => String((Number(d) + 1) % 10));

async function actions() {
	const rows = await database.db.selectFrom('audit_log').select('action').orderBy('id').execute();
	return rows.map((r) => r.action);
}

async function therapistWithTotp() {
	const key = generateTotpKey();
	const user = await makeUser(database.db, 't@example.test', 'therapist', { totpKey: key });
	const signedIn = await signedInSession(database.db, user);
	return { key, user: signedIn.user!, session: signedIn.session!, token: signedIn.token };
}

describe('enrolling an authenticator', () => {
	it('saves the key only once a code proves it, and issues a one-time recovery code', async () => {
		const user = await makeUser(database.db, 't@example.test', 'therapist');
		const { user: sessionUser, session } = await signedInSession(database.db, user);
		const key = generateTotpKey();

		const failed = await enrolTotp(database.db, {
			user: sessionUser!,
			session: session!,
			totpKey: key,
			code: wrong(key),
			ip: '127.0.0.1',
			...browser()
		});
		expect(failed).toMatchObject({ ok: false, status: 400 });
		const before = await database.db
			.selectFrom('users')
			.select(['totp_key', 'recovery_code_hash'])
			.executeTakeFirstOrThrow();
		expect(before.totp_key).toBeNull();

		const enrolled = await enrolTotp(database.db, {
			user: sessionUser!,
			session: session!,
			totpKey: key,
			code: code(key),
			ip: '127.0.0.1',
			...browser()
		});
		expect(enrolled.ok).toBe(true);
		if (!enrolled.ok) return;
		expect(enrolled.recoveryCode).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
		const after = await database.db
			.selectFrom('users')
			.select(['totp_key', 'totp_key_id', 'totp_nonce', 'recovery_code_hash'])
			.executeTakeFirstOrThrow();
		// The secret is stored sealed under the keyring, bound to this user, never as it is.
		expect(after.totp_key_id).toBe(appKeyring().currentId);
		expect(Buffer.from(after.totp_key!).includes(Buffer.from(key))).toBe(false);
		expect(openTotpKey(appKeyring(), user.id, after)).toEqual(key);
		expect(() => openTotpKey(appKeyring(), 'someone-else', after)).toThrow();
		// Only a hash of the recovery code is kept.
		expect(after.recovery_code_hash).not.toContain(enrolled.recoveryCode.replace(/-/g, ''));
		const verified = await database.db
			.selectFrom('sessions')
			.select('two_factor_verified')
			.executeTakeFirstOrThrow();
		expect(verified.two_factor_verified).toBe(true);
		expect(await actions()).toEqual(['auth.totp.enrol-failed', 'auth.totp.enrolled']);
	});
});

describe('the second factor at sign-in', () => {
	it('locks the step for 15 minutes after five wrong codes, even for the right code', async () => {
		const { key, user, session } = await therapistWithTotp();
		const attempt = (value: string) =>
			verifySecondFactor(database.db, {
				user,
				session,
				code: value,
				ip: '127.0.0.1',
				...browser()
			});

		for (let i = 0; i < 5; i++) expect(await attempt(wrong(key))).toMatchObject({ status: 400 });
		const locked = await attempt(code(key));
		expect(locked).toMatchObject({ ok: false, status: 429 });
		if (!locked.ok) expect(locked.message).toMatch(/Try again in (15|14) minutes/);
		expect((await actions()).filter((a) => a === 'auth.totp.failed')).toHaveLength(5);

		// A fresh session for the same account is locked too.
		const other = await signedInSession(database.db, user);
		expect(
			await verifySecondFactor(database.db, {
				user,
				session: other.session!,
				code: code(key),
				ip: '127.0.0.1',
				...browser()
			})
		).toMatchObject({ status: 429 });

		// Fifteen minutes later the right code works again.
		await database.db
			.updateTable('rate_limits')
			.set({ window_start: new Date(Date.now() - 15 * 60_000 - 1000) })
			.execute();
		expect(await attempt(code(key))).toEqual({ ok: true });
		expect((await actions()).at(-1)).toBe('auth.totp.verified');
	});
});

describe('passing the second factor', () => {
	it('replaces the session: a new token in the cookie, verified, and the old session gone', async () => {
		const { key, user, session, token } = await therapistWithTotp();
		const cookies = browser();
		expect(
			await verifySecondFactor(database.db, {
				user,
				session,
				code: code(key),
				ip: '127.0.0.1',
				...cookies
			})
		).toEqual({ ok: true });
		expect((await validateSessionToken(database.db, token)).session).toBeNull();
		const replaced = cookies.cookies.jar.get(SESSION_COOKIE)!;
		expect(replaced).not.toBe(token);
		const now = await validateSessionToken(database.db, replaced);
		expect(now.session).toMatchObject({ two_factor_verified: true, user_id: user.id });
		// The absolute limit still counts from the password sign-in.
		expect(now.session!.created_at).toEqual(session.created_at);
	});

	it('accepts each time step once: the same code, or an earlier one, is a wrong code', async () => {
		const { key, user } = await therapistWithTotp();
		const attempt = async (value: string) => {
			const { session } = await signedInSession(database.db, user);
			return verifySecondFactor(database.db, {
				user,
				session: session!,
				code: value,
				ip: '127.0.0.1',
				...browser()
			});
		};
		const now = code(key);
		const next = nextCode(key);
		expect(await attempt(next)).toEqual({ ok: true });
		expect(await attempt(next)).toMatchObject({ ok: false, status: 400, message: /not right/ });
		expect(await attempt(now)).toMatchObject({ ok: false, status: 400, message: /not right/ });
		expect((await actions()).filter((a) => a === 'auth.totp.failed')).toHaveLength(2);
	});

	it('does not verify a session that ended while its code was checked', async () => {
		const { key, user, session } = await therapistWithTotp();
		await database.db.deleteFrom('sessions').execute();
		const cookies = browser();
		expect(
			await verifySecondFactor(database.db, {
				user,
				session,
				code: code(key),
				ip: '127.0.0.1',
				...cookies
			})
		).toMatchObject({ ok: false, status: 400 });
		expect(await database.db.selectFrom('sessions').select('id').execute()).toEqual([]);
		expect(cookies.cookies.jar.has(SESSION_COOKIE)).toBe(false);
		// The code was not used up either.
		const again = await signedInSession(database.db, user);
		expect(
			await verifySecondFactor(database.db, {
				user,
				session: again.session!,
				code: code(key),
				ip: '127.0.0.1',
				...browser()
			})
		).toEqual({ ok: true });
	});
});

describe('enrolling after the recovery code', () => {
	it('takes the session the recovery code verified, never a password-only one', async () => {
		const user = await makeUser(database.db, 't@example.test', 'therapist');
		const first = await signedInSession(database.db, user);
		const key = generateTotpKey();
		const ok = await enrolTotp(database.db, {
			user: first.user!,
			session: first.session!,
			totpKey: key,
			code: code(key),
			ip: '127.0.0.1',
			...browser()
		});
		if (!ok.ok) throw new Error('enrolment failed');

		const laptop = await signedInSession(database.db, user);
		const recovered = browser();
		const used = await signInWithRecoveryCode(database.db, {
			user: laptop.user!,
			session: laptop.session!,
			code: ok.recoveryCode,
			ip: '127.0.0.1',
			...recovered
		});
		expect(used.ok).toBe(true);

		// A session from the password alone, even with a working code for a key of its own.
		const intruder = await signedInSession(database.db, user);
		expect(intruder.user!.totpReset).toBe(true);
		const theirs = generateTotpKey();
		expect(
			await enrolTotp(database.db, {
				user: intruder.user!,
				session: intruder.session!,
				totpKey: theirs,
				code: code(theirs),
				ip: '127.0.0.1',
				...browser()
			})
		).toMatchObject({ ok: false, status: 403 });
		const untouched = await database.db
			.selectFrom('users')
			.select(['totp_key', 'recovery_code_hash'])
			.executeTakeFirstOrThrow();
		expect(untouched).toEqual({ totp_key: null, recovery_code_hash: null });

		// The recovery session enrols, and the account is back to normal.
		const verified = await validateSessionToken(
			database.db,
			recovered.cookies.jar.get(SESSION_COOKIE)!
		);
		const mine = generateTotpKey();
		expect(
			await enrolTotp(database.db, {
				user: verified.user!,
				session: verified.session!,
				totpKey: mine,
				code: code(mine),
				ip: '127.0.0.1',
				...browser()
			})
		).toMatchObject({ ok: true });
		const after = await validateSessionToken(
			database.db,
			recovered.cookies.jar.get(SESSION_COOKIE)!
		);
		expect(after.user).toMatchObject({ hasTotp: true, totpReset: false });
	});
});

describe('stored secrets', () => {
	const stored = () =>
		database.db
			.selectFrom('users')
			.select(['id', 'totp_key', 'totp_key_id', 'totp_nonce'])
			.executeTakeFirstOrThrow();

	it('seals a secret stored before sealing the first time its owner signs in with it', async () => {
		// therapistWithTotp stores the key as plain bytes, as rows from before migration 0010 are.
		const { key, user, session } = await therapistWithTotp();
		expect((await stored()).totp_key_id).toBeNull();
		expect(
			await verifySecondFactor(database.db, {
				user,
				session,
				code: code(key),
				ip: '127.0.0.1',
				...browser()
			})
		).toEqual({ ok: true });
		const row = await stored();
		expect(row.totp_key_id).toBe(appKeyring().currentId);
		expect(openTotpKey(appKeyring(), user.id, row)).toEqual(key);
		const again = await signedInSession(database.db, user);
		expect(
			await verifySecondFactor(database.db, {
				user,
				session: again.session!,
				code: nextCode(key),
				ip: '127.0.0.1',
				...browser()
			})
		).toEqual({ ok: true });
	});

	it('re-seals every secret under the current key when keys rotate', async () => {
		const { key, user } = await therapistWithTotp();
		const current = appKeyring();
		const rotated = parseKeyring(
			`next:${randomBytes(32).toString('base64')},${current.currentId}:${Buffer.from(
				current.keys.get(current.currentId)!
			).toString('base64')}`
		);
		expect(await rotateTotpKeys(database.db, rotated)).toBe(1);
		const row = await stored();
		expect(row.totp_key_id).toBe('next');
		expect(openTotpKey(rotated, user.id, row)).toEqual(key);
		expect(await rotateTotpKeys(database.db, rotated)).toBe(0);
	});
});

describe('the recovery code', () => {
	it('signs in once, forgets the old authenticator and ends every other session', async () => {
		const { user, session: unverified } = await therapistWithTotp();
		const { session, token } = await signedInSession(database.db, user, {
			twoFactorVerified: true
		});
		const key = generateTotpKey();
		const enrolled = await enrolTotp(database.db, {
			user,
			session: session!,
			totpKey: key,
			code: code(key),
			ip: '127.0.0.1',
			...browser()
		});
		if (!enrolled.ok) throw new Error('enrolment failed');

		// Later, on a new device, with the phone lost.
		const laptop = await signedInSession(database.db, user);
		const wrongCode = await signInWithRecoveryCode(database.db, {
			user,
			session: laptop.session!,
			code: 'AAAA-BBBB-CCCC-DDDD',
			ip: '127.0.0.1',
			...browser()
		});
		expect(wrongCode).toMatchObject({ ok: false, status: 400 });

		const typed = enrolled.recoveryCode.toLowerCase().replace(/-/g, ' ');
		const laptopBrowser = browser();
		const used = await signInWithRecoveryCode(database.db, {
			user,
			session: laptop.session!,
			code: typed,
			ip: '127.0.0.1',
			...laptopBrowser
		});
		expect(used.ok).toBe(true);
		// The other sessions, and the laptop's password-only one, which a new verified one replaced.
		if (used.ok) {
			expect(used.signedOutSessionIds.sort()).toEqual(
				[unverified.id, session!.id, laptop.session!.id].sort()
			);
		}
		expect((await validateSessionToken(database.db, token)).session).toBeNull();
		expect((await validateSessionToken(database.db, laptop.token)).session).toBeNull();

		const now = await validateSessionToken(
			database.db,
			laptopBrowser.cookies.jar.get(SESSION_COOKIE)!
		);
		expect(now.session!.two_factor_verified).toBe(true);
		expect(now.user).toMatchObject({ hasTotp: false, totpReset: true });

		// It works exactly once.
		const again = await signInWithRecoveryCode(database.db, {
			user,
			session: laptop.session!,
			code: enrolled.recoveryCode,
			ip: '127.0.0.1',
			...browser()
		});
		expect(again).toMatchObject({ ok: false, status: 400 });
		expect(await actions()).toContain('auth.recovery-code.used');
		expect(await actions()).toContain('auth.recovery-code.failed');
	});

	it('locks after five wrong recovery codes', async () => {
		const { user, session } = await therapistWithTotp();
		for (let i = 0; i < 5; i++) {
			await signInWithRecoveryCode(database.db, {
				user,
				session,
				code: `WRONG-${i}`,
				ip: '127.0.0.1',
				...browser()
			});
		}
		expect(
			await signInWithRecoveryCode(database.db, {
				user,
				session,
				code: 'x',
				ip: '127.0.0.1',
				...browser()
			})
		).toMatchObject({ status: 429 });
	});
});
