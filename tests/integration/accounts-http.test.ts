import { afterEach, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { SESSION_COOKIE } from '$lib/server/auth/session';
import { limits } from '$lib/server/auth/rate-limit';
import { useApp } from '../helpers/app';
import { totpCode } from '../helpers/http';
import {
	Browser,
	PASSWORD,
	SERVER_ENV,
	acceptInvite,
	createCouple,
	hiddenValue,
	invite,
	signUpTherapist
} from './accounts-browser';

const app = useApp({ env: SERVER_ENV });
const sockets: Socket[] = [];
afterEach(() => {
	for (const socket of sockets.splice(0)) socket.disconnect();
});

/** A browser that holds only the given session cookie (one copied earlier). */
function holding(cookie: string) {
	const browser = new Browser(app.server.url);
	browser.cookies.set(SESSION_COOKIE, cookie);
	return browser;
}

function disconnected(socket: Socket, withinMs = 5000) {
	return new Promise<string>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`still connected after ${withinMs} ms`)),
			withinMs
		);
		socket.once('disconnect', (reason) => {
			clearTimeout(timer);
			resolve(reason);
		});
	});
}

function liveSocket(browser: Browser) {
	const socket = connectClient(`${app.server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: { cookie: browser.cookieHeader },
		reconnection: false
	});
	sockets.push(socket);
	return new Promise<Socket>((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

describe('a therapist and two partners, over HTTP', () => {
	it('signs up, enrols TOTP, creates a couple, invites both partners, and sees both joined', async () => {
		const therapist = await signUpTherapist(app.server.url, 'maya@example.test', 'Dr. Maya');
		expect((await therapist.browser.get('/app')).status).toBe(200);
		const coupleId = await createCouple(therapist.browser, {
			partner1Email: 'alex@example.test'
		});

		const alexToken = await invite(therapist.browser, coupleId, 1);
		const samToken = await invite(therapist.browser, coupleId, 2);

		const landing = await new Browser(app.server.url).html(`/invite/${alexToken}`);
		expect(landing.status).toBe(200);
		expect(landing.body).toContain('Dr. Maya invited you');
		expect(landing.body).toContain('value="alex@example.test"');
		expect(landing.response.headers.get('cache-control')).toBe('no-store');
		expect(landing.response.headers.get('referrer-policy')).toBe('same-origin');

		const alex = await acceptInvite(app.server.url, alexToken, 'alex@example.test');
		const sam = await acceptInvite(app.server.url, samToken, 'sam@example.test');
		for (const partner of [alex, sam]) {
			const home = await partner.html('/c');
			expect(home.status).toBe(200);
			expect(home.body).toContain('Alex &amp; Sam');
		}

		const page = await therapist.browser.html(`/app/couples/${coupleId}`);
		expect(page.body.match(/data-testid="partner-status"[^>]*>\s*Joined/g)).toHaveLength(2);

		const used = await new Browser(app.server.url).html(`/invite/${alexToken}`);
		expect(used.body).toContain('already been used');
		const again = await new Browser(app.server.url).postForm(`/invite/${alexToken}`, {
			email: 'mallory@example.test',
			password: PASSWORD
		});
		expect(again.status).toBe(410);
	});

	it('refuses a common password at sign-up and keeps what was typed', async () => {
		const browser = new Browser(app.server.url);
		const response = await browser.postForm('/signup', {
			name: 'Dr. Weak',
			email: 'weak@example.test',
			password: 'qwertyuiop'
		});
		expect(response.status).toBe(400);
		const body = await response.text();
		expect(body).toContain('one of the most common');
		expect(body).toContain('value="Dr. Weak"');
		expect(body).toContain('value="weak@example.test"');
		expect(body).not.toContain('qwertyuiop');
	});

	it('keeps client data out of reach until the second factor', async () => {
		const browser = new Browser(app.server.url);
		await browser.postForm('/login', { email: 'therapist@trellis.test', password: DEMO_PASSWORD });
		for (const path of ['/app', '/app/account', '/app/couples/new']) {
			const response = await browser.get(path);
			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toBe('/login/totp');
		}
		await expect(liveSocket(browser)).rejects.toThrow(/two-factor/);
	});

	it('locks the TOTP step after five wrong codes and says when to try again', async () => {
		const therapist = await signUpTherapist(app.server.url, 'locked@example.test');
		const browser = new Browser(app.server.url);
		await browser.postForm('/login', { email: therapist.email, password: PASSWORD });
		const wrong = (await totpCode(therapist.secret)).replace(/.$/, (d) =>
			String((Number(d) + 1) % 10)
		);
		for (let i = 0; i < 5; i++) {
			expect((await browser.postForm('/login/totp', { code: wrong })).status).toBe(400);
		}
		const locked = await browser.postForm('/login/totp', {
			code: await totpCode(therapist.secret)
		});
		expect(locked.status).toBe(429);
		expect(await locked.text()).toMatch(/Too many wrong codes. Try again in \d+ minutes/);
	});

	it('answers too many sign-in attempts from one address with 429 and when to try again', async () => {
		const browser = new Browser(app.server.url);
		let last: Response | null = null;
		for (let i = 0; i < 61; i++) {
			last = await browser.postForm('/login', { email: `x${i}@example.test`, password: 'nope' });
		}
		expect(last!.status).toBe(429);
		expect(await last!.text()).toMatch(/Try again in \d+ minutes/);
	});

	it('disconnects a partner’s live socket when she signs out', async () => {
		const alex = await new Browser(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const socket = await liveSocket(alex as Browser);
		const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));
		expect((await alex.postForm('/logout', {})).status).toBe(303);
		// The server closed it (not a dropped connection), as part of the sign-out request.
		expect(await gone).toBe('io server disconnect');
		expect((await alex.get('/c')).headers.get('location')).toBe('/login');
	});

	it('signs a therapist out of every device and closes their sockets', async () => {
		const laptop = new Browser(app.server.url);
		await laptop.signIn('therapist@trellis.test', DEMO_PASSWORD, DEMO_TOTP_SECRET);
		const phone = new Browser(app.server.url);
		await phone.signIn('therapist@trellis.test', DEMO_PASSWORD, DEMO_TOTP_SECRET);
		const socket = await liveSocket(phone);
		const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));

		const account = await laptop.html('/app/account');
		expect(account.body.match(/data-current=/g)?.length).toBeGreaterThanOrEqual(2);
		const out = await laptop.postForm('/app/account?/signOutEverywhere', {});
		expect(out.status).toBe(303);
		await gone;
		expect((await phone.get('/app')).headers.get('location')).toBe('/login');
		expect((await laptop.get('/app')).headers.get('location')).toBe('/login');
	});

	it('signs in once with the recovery code, then asks for a new authenticator', async () => {
		const therapist = await signUpTherapist(app.server.url, 'lostphone@example.test');
		const laptop = new Browser(app.server.url);
		await laptop.postForm('/login', { email: therapist.email, password: PASSWORD });
		const wrong = await laptop.postForm('/login/recovery', { code: 'AAAA-BBBB-CCCC-DDDD' });
		expect(wrong.status).toBe(400);
		expect(await wrong.text()).toContain('not right');

		const used = await laptop.postForm('/login/recovery', { code: therapist.recoveryCode });
		expect([used.status, used.headers.get('location')]).toEqual([303, '/login/totp/setup']);
		// The old session (on the lost phone) is over, and the app waits for a new authenticator.
		expect((await therapist.browser.get('/app')).headers.get('location')).toBe('/login');
		expect((await laptop.get('/app')).headers.get('location')).toBe('/login/totp/setup');

		const again = new Browser(app.server.url);
		await again.postForm('/login', { email: therapist.email, password: PASSWORD });
		expect((await again.get('/login/recovery')).headers.get('location')).toBe('/login/totp/setup');
	});

	it('lets only the session the recovery code verified enrol the new authenticator', async () => {
		const therapist = await signUpTherapist(app.server.url, 'reenrol@example.test');
		const laptop = new Browser(app.server.url);
		await laptop.postForm('/login', { email: therapist.email, password: PASSWORD });
		const passwordOnly = laptop.cookies.get(SESSION_COOKIE)!;
		expect(
			(await laptop.postForm('/login/recovery', { code: therapist.recoveryCode })).status
		).toBe(303);
		// The recovery code replaced the session: the cookie the password alone got is no good now.
		expect(laptop.cookies.get(SESSION_COOKIE)).not.toBe(passwordOnly);
		expect((await holding(passwordOnly).get('/login/totp/setup')).headers.get('location')).toBe(
			'/login'
		);

		// Someone who has the password but not the recovery code cannot enrol an authenticator of theirs.
		const intruder = new Browser(app.server.url);
		await intruder.postForm('/login', { email: therapist.email, password: PASSWORD });
		const page = await intruder.html('/login/totp/setup');
		expect(page.status).toBe(403);
		expect(page.body).toContain('where you used your recovery code');
		const forced = await intruder.postForm('/login/totp/setup', {
			key: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
			code: '123456'
		});
		expect(forced.status).toBe(403);
		expect(await forced.text()).not.toMatch(/[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/);
		expect((await intruder.get('/app')).headers.get('location')).toBe('/login/totp/setup');

		// The session the recovery code verified enrols, and is in.
		const setup = await laptop.html('/login/totp/setup');
		expect(setup.status).toBe(200);
		const secret = hiddenValue(setup.body, 'key')!;
		const enrolled = await laptop.postForm('/login/totp/setup', {
			key: secret,
			code: await totpCode(secret)
		});
		expect(enrolled.status).toBe(200);
		expect(await enrolled.text()).toMatch(/[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/);
		expect((await laptop.get('/app')).status).toBe(200);
	});

	it('starts a new session when the second factor passes; the password-only cookie stops working', async () => {
		// Enrolling at sign-up.
		const browser = new Browser(app.server.url);
		await browser.postForm('/signup', {
			name: 'Dr. Rotate',
			email: 'rotate@example.test',
			password: PASSWORD
		});
		const signUpCookie = browser.cookies.get(SESSION_COOKIE)!;
		const secret = hiddenValue((await browser.html('/login/totp/setup')).body, 'key')!;
		const enrolled = await browser.postForm('/login/totp/setup', {
			key: secret,
			code: await totpCode(secret)
		});
		expect(enrolled.status).toBe(200);
		expect(browser.cookies.get(SESSION_COOKIE)).not.toBe(signUpCookie);
		expect((await browser.get('/app')).status).toBe(200);
		expect((await holding(signUpCookie).get('/app')).headers.get('location')).toBe('/login');

		// A code at sign-in.
		const laptop = new Browser(app.server.url);
		await laptop.postForm('/login', { email: 'rotate@example.test', password: PASSWORD });
		const passwordCookie = laptop.cookies.get(SESSION_COOKIE)!;
		const verified = await laptop.postForm('/login/totp', { code: await totpCode(secret) });
		expect([verified.status, verified.headers.get('location')]).toEqual([303, '/app']);
		expect(laptop.cookies.get(SESSION_COOKIE)).not.toBe(passwordCookie);
		expect((await laptop.get('/app')).status).toBe(200);
		const stale = holding(passwordCookie);
		expect((await stale.get('/app')).headers.get('location')).toBe('/login');
		await expect(liveSocket(stale)).rejects.toThrow(/unauthenticated/);
	});

	it('takes each TOTP code once: the same code cannot complete a second sign-in', async () => {
		const therapist = await signUpTherapist(app.server.url, 'replay@example.test');
		const code = await totpCode(therapist.secret);
		const first = new Browser(app.server.url);
		await first.postForm('/login', { email: therapist.email, password: PASSWORD });
		expect((await first.postForm('/login/totp', { code })).status).toBe(303);

		const second = new Browser(app.server.url);
		await second.postForm('/login', { email: therapist.email, password: PASSWORD });
		const replayed = await second.postForm('/login/totp', { code });
		expect(replayed.status).toBe(400);
		expect(await replayed.text()).toContain('That code is not right');
		expect((await second.get('/app')).headers.get('location')).toBe('/login/totp');
	});

	it('ends the signed-in session, and closes its sockets, when an invite is accepted in that browser', async () => {
		const therapist = await signUpTherapist(app.server.url, 'inviter@example.test');
		const coupleId = await createCouple(therapist.browser);
		const token = await invite(therapist.browser, coupleId, 1);

		const sam = (await new Browser(app.server.url).signIn(
			'sam@trellis.test',
			DEMO_PASSWORD
		)) as Browser;
		const samCookie = sam.cookies.get(SESSION_COOKIE)!;
		const socket = await liveSocket(sam);
		const gone = disconnected(socket);

		// Someone else joins from the same browser.
		const joined = await sam.postForm(`/invite/${token}`, {
			email: 'jo@example.test',
			password: PASSWORD
		});
		expect([joined.status, joined.headers.get('location')]).toEqual([303, '/c?joined=1']);
		expect(await gone).toBe('io server disconnect');
		expect(sam.cookies.get(SESSION_COOKIE)).not.toBe(samCookie);
		expect((await holding(samCookie).get('/c')).headers.get('location')).toBe('/login');
		expect(await (await sam.get('/c')).text()).toContain('Signed in as Alex');
	});

	it('shares one failure limit per account between /login and invite pages', async () => {
		const therapist = await signUpTherapist(app.server.url, 'limits@example.test');
		const first = await createCouple(therapist.browser, { label: 'First couple' });
		const jo = 'jo.limit@example.test';
		const kim = 'kim.limit@example.test';
		await acceptInvite(app.server.url, await invite(therapist.browser, first, 1), jo);
		await acceptInvite(app.server.url, await invite(therapist.browser, first, 2), kim);
		const second = await createCouple(therapist.browser, { label: 'Second couple' });
		const forJo = await invite(therapist.browser, second, 1);
		const forKim = await invite(therapist.browser, second, 2);
		const max = limits.signInPerAccount.max;

		// Jo's account is locked by wrong passwords at /login (from addresses under their own limit)...
		for (let i = 0; i < max; i++) {
			const browser = new Browser(app.server.url, `10.200.${Math.floor(i / 50)}.1`);
			const wrong = await browser.postForm('/login', { email: jo, password: `wrong ${i}` });
			expect(wrong.status).toBe(400);
		}
		// ...so Jo's right password on the invite page is refused too, and the place stays open.
		const refused = await new Browser(app.server.url).postForm(`/invite/${forJo}`, {
			email: jo,
			password: PASSWORD
		});
		expect(refused.status).toBe(429);
		expect(await refused.text()).toMatch(/Try again in \d+ minutes/);
		expect((await new Browser(app.server.url).html(`/invite/${forJo}`)).body).toContain(
			'invited you'
		);

		// And the other way: wrong passwords for Kim on the invite page lock Kim's sign-in.
		for (let i = 0; i < max; i++) {
			const browser = new Browser(app.server.url, `10.201.${Math.floor(i / 25)}.1`);
			const wrong = await browser.postForm(`/invite/${forKim}`, {
				email: kim,
				password: `wrong ${i}`
			});
			expect(wrong.status).toBe(400);
		}
		const locked = await new Browser(app.server.url).postForm('/login', {
			email: kim,
			password: PASSWORD
		});
		expect(locked.status).toBe(429);
	}, 120_000);

	it('extends a therapist session from the idle warning', async () => {
		const { browser } = await signUpTherapist(app.server.url, 'stays@example.test');
		const response = await browser.request('/app/session', { method: 'POST' });
		expect(response.status).toBe(200);
		const body = await response.json();
		expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
		const anonymous = await new Browser(app.server.url).request('/app/session', { method: 'POST' });
		expect(anonymous.status).toBe(401);
	});
});
