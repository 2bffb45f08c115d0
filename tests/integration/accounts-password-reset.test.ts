// Password reset: the emailed link over a real SMTP conversation (an in-process SMTP server and the
// outbox sender), its 30-minute expiry (moved through the domain's clock, no waiting), single use, the
// limits per address and per client address, every session ended, the authenticator untouched, the
// audit rows; then over HTTP against the production server: one answer for every address, the whole
// flow from the email to signing in, and the therapist's link for a partner.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '$lib/server/db/schema';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { smtpTransport } from '$lib/server/email';
import * as outbox from '$lib/server/outbox';
import * as passwordReset from '$lib/server/auth/password-reset';
import { checkPassword, hashPassword } from '$lib/server/auth/password';
import { RESET_TTL_MS } from '$lib/server/auth/password-reset';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { useTestDatabase } from '../helpers/database';
import { makePractice, type Practice } from '../helpers/live';
import { startMailServer, type MailServer } from '../helpers/mail-server';
import { useApp } from '../helpers/app';
import { Browser, SERVER_ENV } from './accounts-browser';

const NEW_PASSWORD = 'a brand new and unusual passphrase';
const linkFor = (token: string) => `http://trellis.test/login/reset/${token}`;
const tokenIn = (text: string) => text.match(/\/login\/reset\/([a-z2-7]{40})/)?.[1] ?? null;

describe('password reset (the domain, over SMTP)', () => {
	const t = useTestDatabase();
	let mail: MailServer | null = null;
	let practice: Practice;

	afterEach(async () => {
		delete process.env.SMTP_URL;
		await mail?.close();
		mail = null;
	});

	async function setUp(db: Kysely<Database>) {
		mail = await startMailServer();
		process.env.SMTP_URL = mail.url;
		practice = await makePractice(db);
		const hash = await hashPassword(DEMO_PASSWORD);
		await db.updateTable('users').set({ password_hash: hash }).execute();
	}

	async function deliver(db: Kysely<Database>, count: number) {
		await outbox.deliverDue(db, { now: new Date(), mailer: smtpTransport()! });
		return mail!.arrived(count);
	}

	const auditActions = async (db: Kysely<Database>) =>
		(await db.selectFrom('audit_log').select('action').orderBy('id').execute()).map(
			(r) => r.action
		);

	it('emails a link that sets the new password, ends every session, keeps the authenticator and is audited', async () => {
		const db = t.db;
		await setUp(db);
		// Two more sessions for Alex (three in all), and an authenticator on the therapist.
		for (let i = 0; i < 2; i++)
			await createSession(db, generateSessionToken(), { id: practice.alex.id, role: 'partner' });
		const requested = await passwordReset.request(db, {
			email: 'alex@example.test',
			ip: '10.0.0.1',
			linkFor
		});
		expect(requested).toMatchObject({ ok: true });
		const [message] = await deliver(db, 1);
		expect(message.to).toEqual(['alex@example.test']);
		expect(message.text).toContain('Reset your Trellis password');
		expect(message.text).toContain('30 minutes');
		const token = tokenIn(message.text)!;
		expect(token).toBeTruthy();
		// Only the token's hash is stored.
		const stored = await db.selectFrom('password_resets').selectAll().execute();
		expect(stored).toHaveLength(1);
		expect(JSON.stringify(stored)).not.toContain(token);
		expect(stored[0].token_hash).toBe(passwordReset.hashResetToken(token));
		expect(await passwordReset.lookup(db, token)).toBe('valid');

		const done = await passwordReset.complete(db, {
			token,
			password: NEW_PASSWORD,
			ip: '10.0.0.2',
			origin: 'http://trellis.test'
		});
		expect(done).toMatchObject({ ok: true, role: 'partner' });
		expect(done.ok && done.endedSessionIds).toHaveLength(3);
		const left = await db
			.selectFrom('sessions')
			.select('id')
			.where('user_id', '=', practice.alex.id)
			.execute();
		expect(left).toEqual([]);
		// Sam's session is not Alex's: it stays.
		const sams = await db
			.selectFrom('sessions')
			.select('id')
			.where('user_id', '=', practice.sam.id)
			.execute();
		expect(sams).toHaveLength(1);
		const signIn = (password: string) =>
			checkPassword(db, { email: 'alex@example.test', password, via: 'sign-in' });
		expect((await signIn(NEW_PASSWORD)).ok).toBe(true);
		expect((await signIn(DEMO_PASSWORD)).ok).toBe(false);

		const [, changed] = await deliver(db, 2);
		expect(changed.text).toContain('Your Trellis password was changed');
		expect(changed.text).not.toContain(token);
		expect(await auditActions(db)).toEqual(
			expect.arrayContaining(['auth.password-reset.requested', 'auth.password-reset.completed'])
		);
		const completed = await db
			.selectFrom('audit_log')
			.selectAll()
			.where('action', '=', 'auth.password-reset.completed')
			.executeTakeFirstOrThrow();
		expect(completed.actor_id).toBe(practice.alex.id);
		expect(completed.detail).toMatchObject({ sessions: 3, issuedByTherapist: false });
		expect(JSON.stringify(completed)).not.toContain(token);
	});

	it('never clears a therapist’s authenticator', async () => {
		const db = t.db;
		await setUp(db);
		const key = new Uint8Array(20).fill(7);
		await db
			.updateTable('users')
			.set({ totp_key: key, recovery_code_hash: 'kept' })
			.where('id', '=', practice.therapist.id)
			.execute();
		await passwordReset.request(db, { email: 't@example.test', ip: '10.0.0.3', linkFor });
		const [message] = await deliver(db, 1);
		const done = await passwordReset.complete(db, {
			token: tokenIn(message.text)!,
			password: NEW_PASSWORD,
			ip: null,
			origin: 'http://trellis.test'
		});
		expect(done).toMatchObject({ ok: true, role: 'therapist' });
		const after = await db
			.selectFrom('users')
			.select(['totp_key', 'recovery_code_hash', 'totp_reset_at'])
			.where('id', '=', practice.therapist.id)
			.executeTakeFirstOrThrow();
		expect(after.totp_key).not.toBeNull();
		expect(after).toMatchObject({ recovery_code_hash: 'kept', totp_reset_at: null });
	});

	it('refuses a link after 30 minutes and leaves the password as it was', async () => {
		const db = t.db;
		await setUp(db);
		const asked = new Date(Date.now() - RESET_TTL_MS - 1000);
		await passwordReset.request(db, {
			email: 'alex@example.test',
			ip: null,
			linkFor,
			now: asked
		});
		const [message] = await deliver(db, 1);
		const token = tokenIn(message.text)!;
		expect(await passwordReset.lookup(db, token)).toBe('expired');
		// A minute before the end it still worked.
		expect(
			await passwordReset.lookup(db, token, new Date(asked.getTime() + RESET_TTL_MS - 60_000))
		).toBe('valid');
		const done = await passwordReset.complete(db, {
			token,
			password: NEW_PASSWORD,
			ip: null,
			origin: 'http://trellis.test'
		});
		expect(done).toEqual({ ok: false, status: 'expired' });
		expect(
			(
				await checkPassword(db, {
					email: 'alex@example.test',
					password: DEMO_PASSWORD,
					via: 'sign-in'
				})
			).ok
		).toBe(true);
		expect(
			await db.selectFrom('sessions').select('id').where('user_id', '=', practice.alex.id).execute()
		).toHaveLength(1);
	});

	it('works once: a used link, and every other outstanding link of the account, is refused', async () => {
		const db = t.db;
		await setUp(db);
		for (let i = 0; i < 2; i++)
			await passwordReset.request(db, { email: 'alex@example.test', ip: null, linkFor });
		const messages = await deliver(db, 2);
		const [first, second] = messages.map((m) => tokenIn(m.text)!);
		expect(first).not.toBe(second);
		const use = (token: string, password = NEW_PASSWORD) =>
			passwordReset.complete(db, { token, password, ip: null, origin: 'http://trellis.test' });
		expect((await use(first)).ok).toBe(true);
		expect(await use(first, 'yet another unusual passphrase')).toEqual({
			ok: false,
			status: 'used'
		});
		expect(await use(second, 'yet another unusual passphrase')).toEqual({
			ok: false,
			status: 'used'
		});
		// Two uses at the same moment: exactly one sets the password.
		await passwordReset.request(db, { email: 'alex@example.test', ip: null, linkFor });
		const third = tokenIn((await deliver(db, 4))[3].text)!;
		const outcomes = await Promise.all([
			use(third, 'racing passphrase one'),
			use(third, 'racing passphrase two')
		]);
		expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
		expect(await passwordReset.lookup(db, 'a'.repeat(40))).toBe('unknown');
		expect(await passwordReset.lookup(db, 'not a token')).toBe('unknown');
	});

	it('answers an unknown address as a known one and sends nothing to it', async () => {
		const db = t.db;
		await setUp(db);
		const unknown = await passwordReset.request(db, {
			email: 'nobody@example.test',
			ip: null,
			linkFor
		});
		expect(unknown).toEqual({ ok: true, emailId: null });
		expect(await db.selectFrom('outbox').select('id').execute()).toEqual([]);
		expect(await db.selectFrom('password_resets').select('id').execute()).toEqual([]);
	});

	it('limits requests per address (silently: the same answer, no email) and per client address', async () => {
		const db = t.db;
		await setUp(db);
		const { max } = (await import('$lib/server/auth/rate-limit')).limits.resetPerEmail;
		const results = [];
		for (let i = 0; i < max + 2; i++)
			results.push(
				await passwordReset.request(db, { email: 'alex@example.test', ip: `10.1.0.${i}`, linkFor })
			);
		expect(results.every((r) => r.ok)).toBe(true);
		expect(await db.selectFrom('outbox').select('id').execute()).toHaveLength(max);
		// An unknown address is counted the same way, so the limit says nothing about who has an account.
		const unknown = [];
		for (let i = 0; i < max + 1; i++)
			unknown.push(
				await passwordReset.request(db, {
					email: 'nobody@example.test',
					ip: `10.2.0.${i}`,
					linkFor
				})
			);
		expect(unknown.every((r) => r.ok && r.emailId === null)).toBe(true);

		const perIp = (await import('$lib/server/auth/rate-limit')).limits.resetPerIp.max;
		const fromOne = [];
		for (let i = 0; i < perIp + 1; i++)
			fromOne.push(
				await passwordReset.request(db, { email: `x${i}@example.test`, ip: '10.9.9.9', linkFor })
			);
		expect(fromOne.slice(0, perIp).every((r) => r.ok)).toBe(true);
		expect(fromOne[perIp]).toMatchObject({ ok: false, reason: 'limited' });
	});

	it('queues nothing and says so without SMTP_URL', async () => {
		const db = t.db;
		practice = await makePractice(db);
		const result = await passwordReset.request(db, {
			email: 'alex@example.test',
			ip: null,
			linkFor
		});
		expect(result).toEqual({ ok: false, reason: 'not-configured' });
		expect(await db.selectFrom('password_resets').select('id').execute()).toEqual([]);
	});

	it('lets a therapist make a link only for a joined partner of her own couple, audited', async () => {
		const db = t.db;
		practice = await makePractice(db);
		const issue = (therapistId: string, slot: 1 | 2, coupleId = practice.coupleId) =>
			passwordReset.issueForPartner(db, { therapistId, coupleId, slot, ip: '10.0.0.7' });
		const issued = await issue(practice.therapist.id, 1);
		expect(issued).toMatchObject({ ok: true, name: 'Alex' });
		expect(await issue(practice.stranger.id, 1)).toEqual({ ok: false, reason: 'not-found' });
		expect(await issue(practice.therapist.id, 1, 'not-an-id')).toEqual({
			ok: false,
			reason: 'not-found'
		});
		await db.updateTable('couple_members').set({ user_id: null }).where('slot', '=', 2).execute();
		expect(await issue(practice.therapist.id, 2)).toEqual({ ok: false, reason: 'not-joined' });
		const row = await db
			.selectFrom('audit_log')
			.selectAll()
			.where('action', '=', 'auth.password-reset.issued')
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({ actor_id: practice.therapist.id, couple_id: practice.coupleId });
		if (!issued.ok) return;
		const done = await passwordReset.complete(db, {
			token: issued.token,
			password: NEW_PASSWORD,
			ip: null,
			origin: 'http://trellis.test'
		});
		expect(done.ok).toBe(true);
		const completed = await db
			.selectFrom('audit_log')
			.select('detail')
			.where('action', '=', 'auth.password-reset.completed')
			.executeTakeFirstOrThrow();
		expect(completed.detail).toMatchObject({ issuedByTherapist: true });
	});
});

describe('password reset over HTTP', () => {
	let mail: MailServer;
	const env: Record<string, string> = { ...SERVER_ENV };
	beforeAll(async () => {
		mail = await startMailServer();
		env.SMTP_URL = mail.url;
	});
	const app = useApp({ env });
	afterAll(() => mail.close());

	/** The reset links in messages to this address, once `count` of them have arrived (other mail may come too). */
	async function resetLinks(address: string, count: number) {
		for (let seen = 1; ; seen++) {
			const received = await mail.arrived(seen);
			const links = received
				.filter((m) => m.to[0] === address)
				.map((m) => tokenIn(m.text))
				.filter((token): token is string => token !== null);
			if (links.length >= count) return links;
		}
	}

	/** The page with what differs between any two renders (CSP nonces) and the typed address taken out. */
	const normalized = (body: string, email: string) =>
		body.replace(/nonce="[^"]*"/g, 'nonce=""').replaceAll(email, '<email>');

	async function ask(browser: Browser, email: string, enhanced = false) {
		const response = await browser.request('/login/forgot', {
			method: 'POST',
			body: new URLSearchParams({ email }),
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				...(enhanced
					? { accept: 'application/json', 'x-sveltekit-action': 'true' }
					: { accept: 'text/html' })
			}
		});
		return { status: response.status, body: normalized(await response.text(), email) };
	}

	it('answers an address with an account and one without exactly alike', async () => {
		const known = await ask(new Browser(app.server.url), 'jordan@trellis.test');
		const unknown = await ask(new Browser(app.server.url), 'nobody1@trellis.test');
		expect(known.status).toBe(200);
		expect(unknown).toEqual(known);
		expect(known.body).toContain('If an account uses');
		const knownJson = await ask(new Browser(app.server.url), 'jordan@trellis.test', true);
		const unknownJson = await ask(new Browser(app.server.url), 'nobody2@trellis.test', true);
		expect(unknownJson).toEqual(knownJson);
		// The address with an account got its emails; the others none.
		expect(await resetLinks('jordan@trellis.test', 2)).toHaveLength(2);
		expect(mail.received.some((m) => m.to[0].startsWith('nobody'))).toBe(false);
	});

	it('refuses a malformed address with the form kept, and signs nobody in', async () => {
		const browser = new Browser(app.server.url);
		const response = await browser.postForm('/login/forgot', { email: 'not an address' });
		expect(response.status).toBe(400);
		const body = await response.text();
		expect(body).toContain('Enter an email address like name@example.com.');
		expect(body).toContain('value="not an address"');
		expect(browser.cookies.size).toBe(0);
	});

	it('takes a partner from the email to a new password: other devices signed out, old password refused', async () => {
		const phone = await new Browser(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		expect((await phone.get('/c')).status).toBe(200);
		const asker = new Browser(app.server.url);
		expect((await ask(asker, 'alex@trellis.test')).status).toBe(200);
		const [token] = await resetLinks('alex@trellis.test', 1);
		const message = mail.received.find((m) => m.text.includes(token))!;
		expect(message.text).toContain(`${app.server.url}/login/reset/${token}`);

		const page = await asker.html(`/login/reset/${token}`);
		expect(page.status).toBe(200);
		expect(page.body).toContain('New password');
		const short = await asker.postForm(`/login/reset/${token}`, { password: 'short' });
		expect(short.status).toBe(400);
		expect(await short.text()).toContain('Use at least 10 characters');
		const saved = await asker.postForm(`/login/reset/${token}`, { password: NEW_PASSWORD });
		expect([saved.status, saved.headers.get('location')]).toEqual([
			303,
			'/login?reason=password-reset'
		]);
		const after = await asker.html('/login?reason=password-reset');
		expect(after.body).toContain('every device that was signed in has been signed out');

		expect((await phone.get('/c')).headers.get('location')).toBe('/login');
		const again = await asker.postForm(`/login/reset/${token}`, { password: NEW_PASSWORD });
		expect(again.status).toBe(410);
		expect(await again.text()).toContain('This link has been used already');
		expect(
			(
				await new Browser(app.server.url).postForm('/login', {
					email: 'alex@trellis.test',
					password: DEMO_PASSWORD
				})
			).status
		).toBe(400);
		const fresh = await new Browser(app.server.url).signIn('alex@trellis.test', NEW_PASSWORD);
		expect((await fresh.get('/c')).status).toBe(200);
	});

	it('gives the couple’s therapist a link for a joined partner, shown once, that resets their password', async () => {
		const therapist = await new Browser(app.server.url).signIn(
			'therapist@trellis.test',
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);
		const home = await therapist.html('/app?show=all');
		const coupleIds = [
			...new Set([...home.body.matchAll(/\/app\/couples\/([0-9a-f-]{36})/g)].map((m) => m[1]))
		];
		let coupleId = '';
		for (const id of coupleIds) {
			if ((await therapist.html(`/app/couples/${id}`)).body.includes('Jordan &amp; Riley'))
				coupleId = id;
		}
		expect(coupleId).toBeTruthy();
		const couplePage = await therapist.html(`/app/couples/${coupleId}`);
		expect(couplePage.body).toContain('Make a password reset link');
		// Jordan is the first partner of the demo couple Jordan & Riley.
		const slot = '1';
		const fallback = await therapist.html(`/app/couples/${coupleId}/password-reset`);
		expect(fallback.body).toContain('Make a reset link');
		const made = await therapist.postForm(`/app/couples/${coupleId}/password-reset`, { slot });
		expect(made.status).toBe(200);
		const token = tokenIn(await made.text());
		expect(token).toBeTruthy();
		// A stranger therapist's couple page and a partner get nothing.
		const partner = await new Browser(app.server.url).signIn('jordan@trellis.test', DEMO_PASSWORD);
		const refused = await partner.postForm(`/app/couples/${coupleId}/password-reset`, { slot });
		expect([refused.status, refused.headers.get('location')]).toEqual([303, '/c']);
		const saved = await new Browser(app.server.url).postForm(`/login/reset/${token}`, {
			password: NEW_PASSWORD
		});
		expect(saved.status).toBe(303);
		expect((await partner.get('/c')).headers.get('location')).toBe('/login');
		await new Browser(app.server.url).signIn('jordan@trellis.test', NEW_PASSWORD);
	});

	it('still asks a therapist for her authenticator code after a reset', async () => {
		const asker = new Browser(app.server.url);
		await ask(asker, 'therapist@trellis.test');
		const [token] = await resetLinks('therapist@trellis.test', 1);
		const saved = await asker.postForm(`/login/reset/${token}`, { password: NEW_PASSWORD });
		expect(saved.status).toBe(303);
		const signIn = await asker.postForm('/login', {
			email: 'therapist@trellis.test',
			password: NEW_PASSWORD
		});
		expect([signIn.status, signIn.headers.get('location')]).toEqual([303, '/login/totp']);
		expect((await asker.get('/app')).headers.get('location')).toBe('/login/totp');
	});

	it('shows a dead link as dead, without a form', async () => {
		const page = await new Browser(app.server.url).html(`/login/reset/${'a'.repeat(40)}`);
		expect(page.status).toBe(200);
		expect(page.body).toContain('This link does not work');
		expect(page.body).not.toContain('name="password"');
	});
});
