// The account pages over HTTP against the production server: a wrong current password is refused with
// what was typed kept and the field marked, a changed email and password take effect, a new password
// signs the other devices out, the shared-device setting changes the session, and "sign out everywhere".
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { formatDate } from '$lib/dates';
import * as account from '$lib/server/auth/account';
import { hashPassword } from '$lib/server/auth/password';
import { createSession, generateSessionToken, sessionIdFromToken } from '$lib/server/auth/session';
import { useTestDatabase } from '../helpers/database';
import { makePractice } from '../helpers/live';
import { useApp } from '../helpers/app';
import { Browser, SERVER_ENV } from './accounts-browser';

const app = useApp({ env: SERVER_ENV });
const NEW_PASSWORD = 'another long and unusual passphrase';

const signIn = (email: string, password = DEMO_PASSWORD) =>
	new Browser(app.server.url).signIn(email, password);

async function post(browser: Browser, path: string, fields: Record<string, string>) {
	const response = await browser.postForm(path, fields);
	return {
		status: response.status,
		location: response.headers.get('location'),
		body: await response.text()
	};
}

describe('the partner’s account page', () => {
	it('shows the name, email, devices, the shared-device setting and the reminder switch', async () => {
		const alex = await signIn('alex@trellis.test');
		const page = await alex.html('/c/account');
		expect(page.status).toBe(200);
		for (const words of [
			'value="Alex"',
			'value="alex@trellis.test"',
			'Where you are signed in',
			'(this device)',
			'Is this device shared?',
			'Email me homework reminders'
		])
			expect(page.body).toContain(words);
	});

	it('refuses an email change with a wrong password, keeping the new address typed, then makes it with the right one', async () => {
		const priya = await signIn('priya@trellis.test');
		const wrong = await post(priya, '/c/account?/email', {
			email: 'priya.new@example.test',
			emailPassword: 'not my password at all'
		});
		expect(wrong.status).toBe(400);
		expect(wrong.body).toContain('That is not your current password.');
		expect(wrong.body).toContain('value="priya.new@example.test"');
		expect(wrong.body).toMatch(
			/id="email-password"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="email-password"/
		);
		expect(wrong.body).not.toContain('not my password at all');
		// Nothing changed: the old address still signs in.
		await signIn('priya@trellis.test');

		const taken = await post(priya, '/c/account?/email', {
			email: 'alex@trellis.test',
			emailPassword: DEMO_PASSWORD
		});
		expect(taken.status).toBe(400);
		expect(taken.body).toContain('There is already a Trellis account with this email');

		const changed = await post(priya, '/c/account?/email', {
			email: 'Priya.New@Example.test',
			emailPassword: DEMO_PASSWORD
		});
		expect(changed.status).toBe(200);
		expect(changed.body).toContain('You now sign in with priya.new@example.test.');
		await signIn('priya.new@example.test');
		const old = await new Browser(app.server.url).postForm('/login', {
			email: 'priya@trellis.test',
			password: DEMO_PASSWORD
		});
		expect(old.status).toBe(400);
	});

	it('changes the password with the current one: other devices signed out, this one kept', async () => {
		const laptop = await signIn('tom@trellis.test');
		const phone = await signIn('tom@trellis.test');
		const wrong = await post(laptop, '/c/account?/password', {
			currentPassword: 'a wrong current password',
			newPassword: NEW_PASSWORD
		});
		expect(wrong.status).toBe(400);
		expect(wrong.body).toContain('That is not your current password.');
		expect(wrong.body).not.toContain(NEW_PASSWORD);
		expect((await phone.get('/c')).status).toBe(200);

		const weak = await post(laptop, '/c/account?/password', {
			currentPassword: DEMO_PASSWORD,
			newPassword: 'short'
		});
		expect(weak.status).toBe(400);
		expect(weak.body).toContain('Use at least 10 characters');

		const saved = await post(laptop, '/c/account?/password', {
			currentPassword: DEMO_PASSWORD,
			newPassword: NEW_PASSWORD
		});
		expect(saved.status).toBe(200);
		expect(saved.body).toContain('your other devices are signed out');
		expect((await phone.get('/c')).headers.get('location')).toBe('/login');
		expect((await laptop.get('/c')).status).toBe(200);
		await signIn('tom@trellis.test', NEW_PASSWORD);
	});

	it('changes the name, refusing an empty one with the field marked', async () => {
		const riley = await signIn('riley@trellis.test');
		const empty = await post(riley, '/c/account?/name', { name: '   ' });
		expect(empty.status).toBe(400);
		expect(empty.body).toContain('Your name is required.');
		const saved = await post(riley, '/c/account?/name', { name: 'Riley Q.' });
		expect(saved.status).toBe(200);
		expect((await riley.html('/c')).body).toContain('Signed in as Riley Q.');
	});

	it('turns this session into a shared-device one and back', async () => {
		const sam = await signIn('sam@trellis.test');
		const on = await sam.postForm('/c/account?/sharedDevice', { sharedDevice: 'on' });
		expect(on.status).toBe(200);
		const cookies = on.headers.getSetCookie();
		const session = cookies.find((c) => c.startsWith('trellis_session='))!;
		// A browser-session cookie (no expiry), and the hand-off for this tab.
		expect(session).not.toMatch(/expires=/i);
		expect(cookies.some((c) => c.startsWith('trellis_tab=1'))).toBe(true);
		const page = await sam.html('/c/account');
		expect(page.body).toContain('· shared device');
		expect(page.body).toMatch(/value="on"[^>]*checked|checked[^>]*value="on"/);

		const off = await sam.postForm('/c/account?/sharedDevice', { sharedDevice: 'off' });
		expect(off.status).toBe(200);
		expect(off.headers.getSetCookie().find((c) => c.startsWith('trellis_session='))).toMatch(
			/expires=/i
		);
		const junk = await post(sam, '/c/account?/sharedDevice', { sharedDevice: 'maybe' });
		expect(junk.status).toBe(400);
		expect(junk.body).toContain('<form');
	});

	it('shows dates in the time zone chosen, and refuses one that is not a zone', async () => {
		const alex = await signIn('alex@trellis.test');
		const junk = await post(alex, '/c/account?/timeZone', { timeZone: 'Mars/Olympus_Mons' });
		expect(junk.status).toBe(400);
		expect(junk.body).toContain('Choose a time zone from the list.');
		for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
			const saved = await post(alex, '/c/account?/timeZone', { timeZone: zone });
			expect(saved.status).toBe(200);
			expect(saved.body).toContain(`Dates are now shown in ${zone.replaceAll('_', ' ')} time.`);
			const page = await alex.html('/c/account');
			expect(page.body).toMatch(new RegExp(`<option value="${zone}"[^>]*selected`));
			// The sign-in a moment ago, on that clock (a day apart between these two zones).
			const days = [Date.now(), Date.now() - 60_000].map((t) => formatDate(t, zone));
			expect(days.some((day) => page.body.includes(`Signed in ${day}`))).toBe(true);
		}
	});

	it('signs out everywhere', async () => {
		const one = await signIn('jordan@trellis.test');
		const two = await signIn('jordan@trellis.test');
		const others = await post(one, '/c/account?/signOutOthers', {});
		expect(others.body).toContain('Signed out of 1 other device.');
		expect((await two.get('/c')).headers.get('location')).toBe('/login');
		const three = await signIn('jordan@trellis.test');
		const out = await post(one, '/c/account?/signOutEverywhere', {});
		expect([out.status, out.location]).toEqual([303, '/login?reason=signed-out-everywhere']);
		expect((await one.get('/c')).headers.get('location')).toBe('/login');
		expect((await three.get('/c')).headers.get('location')).toBe('/login');
	});
});

describe('the therapist’s account page', () => {
	it('changes the name and refuses an email change or a password change with a wrong password', async () => {
		const therapist = await new Browser(app.server.url).signIn(
			'therapist@trellis.test',
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);
		const page = await therapist.html('/app/account');
		expect(page.body).toContain('value="Dr. Maya Ellison"');
		const wrong = await post(therapist, '/app/account?/email', {
			email: 'maya@example.test',
			emailPassword: 'not the password'
		});
		expect(wrong.status).toBe(400);
		expect(wrong.body).toContain('value="maya@example.test"');
		expect(wrong.body).toContain('That is not your current password.');
		const pw = await post(therapist, '/app/account?/password', {
			currentPassword: 'not the password',
			newPassword: NEW_PASSWORD
		});
		expect(pw.status).toBe(400);
		const named = await post(therapist, '/app/account?/name', { name: 'Dr. Maya E.' });
		expect(named.status).toBe(200);
		expect((await therapist.html('/app/account')).body).toContain('value="Dr. Maya E."');
	});

	it('sets the therapist’s time zone', async () => {
		const therapist = await new Browser(app.server.url).signIn(
			'therapist@trellis.test',
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);
		const saved = await post(therapist, '/app/account?/timeZone', { timeZone: 'America/Chicago' });
		expect(saved.status).toBe(200);
		const page = await therapist.html('/app/account');
		expect(page.body).toMatch(/<option value="America\/Chicago"[^>]*selected/);
		const junk = await post(therapist, '/app/account?/timeZone', { timeZone: '' });
		expect(junk.status).toBe(400);
	});

	it('asks for the password before the authenticator can be replaced', async () => {
		const therapist = await new Browser(app.server.url).signIn(
			'therapist@trellis.test',
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);
		const setup = await therapist.html('/login/totp/setup');
		expect(setup.body).toContain('name="password"');
		const wrong = await post(therapist, '/login/totp/setup', {
			password: 'not the password',
			key: 'A'.repeat(32),
			code: '000000'
		});
		expect(wrong.status).toBe(400);
		expect(wrong.body).toContain('That is not your current password.');
	});
});

describe('account changes (the domain)', () => {
	const t = useTestDatabase();

	async function practiceWithPasswords() {
		const practice = await makePractice(t.db);
		await t.db
			.updateTable('users')
			.set({ password_hash: await hashPassword(DEMO_PASSWORD) })
			.execute();
		return practice;
	}

	const actions = async () =>
		t.db
			.selectFrom('audit_log')
			.select(['action', 'actor_id', 'couple_id'])
			.orderBy('id')
			.execute();

	it('gives a partner’s new name to each of their couples, audited in each couple’s trail', async () => {
		const practice = await practiceWithPasswords();
		const who = { userId: practice.alex.id, email: 'alex@example.test', ip: '10.0.0.1' };
		await account.changeName(t.db, who, 'Alexandra');
		const member = await t.db
			.selectFrom('couple_members')
			.select('display_name')
			.where('user_id', '=', practice.alex.id)
			.executeTakeFirstOrThrow();
		expect(member.display_name).toBe('Alexandra');
		expect(await actions()).toEqual([
			{ action: 'account.name-changed', actor_id: practice.alex.id, couple_id: practice.coupleId }
		]);
	});

	it('changes the email only with the right password, on the account and on the couple’s card', async () => {
		const practice = await practiceWithPasswords();
		const who = { userId: practice.sam.id, email: 'sam@example.test', ip: null };
		const wrong = await account.changeEmail(t.db, who, {
			email: 'sam.new@example.test',
			password: 'not the password',
			name: 'Sam'
		});
		expect(wrong).toMatchObject({ ok: false, status: 400, field: 'emailPassword' });
		const right = await account.changeEmail(t.db, who, {
			email: 'sam.new@example.test',
			password: DEMO_PASSWORD,
			name: 'Sam'
		});
		expect(right).toEqual({ ok: true, emailId: null });
		const emails = await t.db
			.selectFrom('users')
			.innerJoin('couple_members', 'couple_members.user_id', 'users.id')
			.select(['users.email as account', 'couple_members.email as card'])
			.where('users.id', '=', practice.sam.id)
			.executeTakeFirstOrThrow();
		expect(emails).toEqual({ account: 'sam.new@example.test', card: 'sam.new@example.test' });
		expect((await actions()).map((a) => a.action)).toEqual([
			'auth.sign-in.failed',
			'account.email-changed'
		]);
	});

	it('changes the password with the current one, ending every other session and keeping this one', async () => {
		const practice = await practiceWithPasswords();
		const other = generateSessionToken();
		await createSession(t.db, other, { id: practice.alex.id, role: 'partner' });
		const who = {
			userId: practice.alex.id,
			email: 'alex@example.test',
			ip: null,
			sessionId: practice.alex.sessionId,
			name: 'Alex',
			origin: 'http://trellis.test'
		};
		const result = await account.changePassword(t.db, who, {
			currentPassword: DEMO_PASSWORD,
			newPassword: 'a new and unusual passphrase'
		});
		expect(result).toMatchObject({ ok: true, endedSessionIds: [sessionIdFromToken(other)] });
		const left = await t.db
			.selectFrom('sessions')
			.select('id')
			.where('user_id', '=', practice.alex.id)
			.execute();
		expect(left).toEqual([{ id: practice.alex.sessionId }]);
		const audited = await t.db
			.selectFrom('audit_log')
			.select('detail')
			.where('action', '=', 'account.password-changed')
			.executeTakeFirstOrThrow();
		expect(audited.detail).toEqual({ sessions: 1 });
	});
});
