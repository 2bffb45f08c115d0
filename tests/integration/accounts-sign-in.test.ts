import { describe, expect, it } from 'vitest';
import { signIn } from '$lib/server/auth/sign-in';
import { signUpTherapist } from '$lib/server/auth/sign-up';
import { limits } from '$lib/server/auth/rate-limit';
import { SESSION_COOKIE, SHARED_TAB_COOKIE } from '$lib/server/auth/session';
import { useTestDatabase } from '../helpers/database';
import { PASSWORD, fakeCookies, makeUser } from './accounts-support';

const database = useTestDatabase();

const attempt = (email: string, password: string, ip = '127.0.0.1', sharedDevice = false) =>
	signIn(database.db, {
		email,
		password,
		ip,
		sharedDevice,
		userAgent: 'test',
		cookies: fakeCookies(),
		secure: false
	});

describe('signing in', () => {
	it('answers a wrong password and an unknown email with the same words, and audits both', async () => {
		await makeUser(database.db, 'p@example.test', 'partner');
		const wrongPassword = await attempt('p@example.test', 'not the password');
		const unknown = await attempt('nobody@example.test', PASSWORD);
		expect(wrongPassword).toEqual(unknown);
		expect(wrongPassword).toMatchObject({ ok: false, status: 400 });

		expect(await attempt('p@example.test', PASSWORD)).toEqual({ ok: true, next: '/c' });
		const audit = await database.db
			.selectFrom('audit_log')
			.select(['action', 'actor_id'])
			.orderBy('id')
			.execute();
		expect(audit.map((a) => a.action)).toEqual([
			'auth.sign-in.failed',
			'auth.sign-in.failed',
			'auth.sign-in'
		]);
	});

	it('sends a therapist without an authenticator to enrol, and one with it to the code', async () => {
		await makeUser(database.db, 'new@example.test', 'therapist');
		await makeUser(database.db, 'old@example.test', 'therapist', { totpKey: new Uint8Array(20) });
		expect(await attempt('new@example.test', PASSWORD)).toEqual({
			ok: true,
			next: '/login/totp/setup'
		});
		expect(await attempt('old@example.test', PASSWORD)).toEqual({ ok: true, next: '/login/totp' });
	});

	it('stops an account after 100 failed tries in an hour, from any number of addresses', async () => {
		await makeUser(database.db, 'p@example.test', 'partner');
		for (let i = 0; i < limits.signInPerAccount.max; i++) {
			const result = await attempt('p@example.test', `wrong ${i}`, `10.0.${i >> 8}.${i & 255}`);
			expect(result).toMatchObject({ status: 400 });
		}
		const blocked = await attempt('p@example.test', PASSWORD, '10.9.9.9');
		expect(blocked).toMatchObject({ ok: false, status: 429 });
		if (!blocked.ok) expect(blocked.message).toMatch(/Try again in \d+ minutes/);
	}, 60_000);

	it('stops one address after 60 tries in 15 minutes', async () => {
		for (let i = 0; i < limits.signInPerIp.max; i++) {
			await attempt(`someone${i}@example.test`, 'whatever password', '10.1.1.1');
		}
		expect(await attempt('other@example.test', 'x', '10.1.1.1')).toMatchObject({ status: 429 });
		expect(await attempt('other@example.test', 'x', '10.1.1.2')).toMatchObject({ status: 400 });
	}, 60_000);

	it('gives a partner on a shared device a browser-session cookie and the tab hand-off marker', async () => {
		await makeUser(database.db, 'p@example.test', 'partner');
		const cookies = fakeCookies();
		const result = await signIn(database.db, {
			email: 'p@example.test',
			password: PASSWORD,
			ip: '127.0.0.1',
			sharedDevice: true,
			userAgent: null,
			cookies,
			secure: false
		});
		expect(result.ok).toBe(true);
		expect(cookies.jar.has(SESSION_COOKIE)).toBe(true);
		expect(cookies.jar.get(SHARED_TAB_COOKIE)).toBe('1');
		const session = await database.db
			.selectFrom('sessions')
			.select('shared_device')
			.executeTakeFirstOrThrow();
		expect(session.shared_device).toBe(true);
	});
});

describe('signing up', () => {
	const signUp = (email: string, ip = '127.0.0.1') =>
		signUpTherapist(database.db, {
			name: 'Dr. Test',
			email,
			password: PASSWORD,
			ip,
			userAgent: null,
			cookies: fakeCookies(),
			secure: false
		});

	it('creates a therapist whose session still needs two-factor, and refuses a taken email', async () => {
		expect(await signUp('t@example.test')).toEqual({ ok: true });
		const session = await database.db
			.selectFrom('sessions')
			.innerJoin('users', 'users.id', 'sessions.user_id')
			.select(['users.role', 'sessions.two_factor_verified'])
			.executeTakeFirstOrThrow();
		expect(session).toEqual({ role: 'therapist', two_factor_verified: false });
		expect(await signUp('t@example.test')).toMatchObject({ ok: false, field: 'email' });
	});

	it('allows ten sign-ups an hour from one address', async () => {
		for (let i = 0; i < limits.signUpPerIp.max; i++) await signUp(`t${i}@example.test`, '10.2.2.2');
		expect(await signUp('late@example.test', '10.2.2.2')).toMatchObject({ status: 429 });
	}, 60_000);
});
