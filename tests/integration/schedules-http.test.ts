// Schedules through the pages, as a browser without JavaScript would use them: the assign form's
// repeat fields (junk refused with a sentence, what was typed kept), the couple page's schedule and
// its changes, who may make them, and the partner's one open occurrence and reminder switch.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { useApp } from '../helpers/app';
import { Browser, SERVER_ENV, signUpTherapist } from './accounts-browser';

const app = useApp({ env: SERVER_ENV });
let therapist: Browser;
let coupleId: string;
let checkInId: string;

const day = (offset: number) =>
	new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

beforeAll(async () => {
	therapist = await new Browser(app.server.url).signIn(
		'therapist@trellis.test',
		DEMO_PASSWORD,
		DEMO_TOTP_SECRET
	);
	const home = await (await therapist.get('/app')).text();
	coupleId = home.match(/\/app\/couples\/([0-9a-f-]{36})(?=">Priya &amp; Tom<)/)![1];
	const assign = await (await therapist.get(`/app/couples/${coupleId}/assign`)).text();
	const before = assign.slice(0, assign.indexOf('Weekly trust check-in</span>'));
	checkInId = [...before.matchAll(/name="definitionId" value="([0-9a-f-]{36})"/g)].at(-1)![1];
}, 60_000);

const assign = (fields: Record<string, string>) =>
	therapist.postForm(`/app/couples/${coupleId}/assign`, {
		definitionId: checkInId,
		mode: 'homework',
		dueAt: day(2),
		note: 'Kept when refused',
		...fields
	});

describe('the assign form’s repeat fields', () => {
	it('refuses what does not fit with a sentence, keeping what was typed, and never a 500', async () => {
		const cases: [Record<string, string>, string][] = [
			[{ repeat: 'daily' }, 'Choose how often it repeats.'],
			[{ repeat: 'weekly', ends: 'after', occurrences: '1' }, 'Choose from 2 to 52 times.'],
			[{ repeat: 'weekly', ends: 'after', occurrences: 'lots' }, 'Choose from 2 to 52 times.'],
			[{ repeat: 'weekly', ends: 'after', occurrences: '53' }, 'Choose from 2 to 52 times.'],
			[
				{ repeat: 'weekly', ends: 'on', until: '2030-13-45' },
				'Choose the date the repeating ends.'
			],
			[{ repeat: 'weekly', ends: 'on', until: day(3) }, 'at least two occurrences'],
			[{ repeat: 'weekly', ends: 'on', until: day(800) }, 'more than 52 occurrences'],
			[{ repeat: 'weekly', ends: 'sometime' }, 'Choose when the repeating ends.'],
			[{ repeat: 'weekly', occurrences: '4', until: day(60) }, 'not both'],
			[{ repeat: 'weekly' }, 'Say how many times it repeats, or until when.'],
			[{ repeat: 'weekly', occurrences: '4', opensDaysBefore: '9' }, 'from 0 to 6 days'],
			[{ mode: 'live', repeat: 'weekly', occurrences: '4' }, 'A live session does not repeat']
		];
		for (const [fields, message] of cases) {
			const response = await assign(fields);
			const body = await response.text();
			expect([JSON.stringify(fields), response.status]).toEqual([JSON.stringify(fields), 400]);
			expect(body, JSON.stringify(fields)).toContain(message);
			expect(body, JSON.stringify(fields)).toContain('Kept when refused');
		}
		const broken = await therapist.request(`/app/couples/${coupleId}/assign`, {
			method: 'POST',
			body: 'not a form',
			headers: { 'content-type': 'multipart/form-data; boundary=x', accept: 'text/html' }
		});
		expect(broken.status).toBe(400);
		expect(await broken.text()).toContain('The form could not be read.');
	});

	it('sets a weekly schedule: the couple page shows it, the partner sees its one open occurrence', async () => {
		const created = await assign({ repeat: 'weekly', ends: 'after', occurrences: '4' });
		expect(created.status).toBe(303);
		expect(created.headers.get('location')).toBe(`/app/couples/${coupleId}#schedules`);
		const page = await (await therapist.get(`/app/couples/${coupleId}`)).text();
		const weekday = WEEKDAYS[new Date(`${day(2)}T12:00:00Z`).getUTCDay()];
		expect(page).toContain(`Every week on ${weekday}`);
		expect(page).toMatch(/data-testid="schedule-done"[^>]*>\s*0 of 4/);

		const priya = await new Browser(app.server.url).signIn('priya@trellis.test', DEMO_PASSWORD);
		const home = await (await priya.get('/c')).text();
		const repeats = [...home.matchAll(/data-testid="repeats"[^>]*>([^<]*)</g)].map((m) =>
			m[1].trim()
		);
		expect(repeats).toEqual([`Every week on ${weekday} · 1 of 4`]);
		expect(home).toContain('is ready for you.');
	});
});

describe('changing a schedule', () => {
	let scheduleId: string;
	beforeAll(async () => {
		const page = await (await therapist.get(`/app/couples/${coupleId}`)).text();
		scheduleId = page.match(/name="scheduleId" value="([0-9a-f-]{36})"/)![1];
	});
	const change = (browser: Browser, action: string, fields: Record<string, string> = {}) =>
		browser.postForm(`/app/couples/${coupleId}/schedules?/${action}`, { scheduleId, ...fields });

	it('pauses, changes the day, resumes and turns automatic reminders off, back on the couple page', async () => {
		for (const [action, fields, shown] of [
			['pause', {}, 'Paused'],
			['day', { dueDay: '5' }, 'Every week on Friday'],
			['resume', {}, 'Running'],
			['reminders', { automatic: 'off' }, 'Turn automatic reminders on']
		] as const) {
			const response = await change(therapist, action, fields);
			expect([action, response.status, response.headers.get('location')]).toEqual([
				action,
				303,
				`/app/couples/${coupleId}#schedules`
			]);
			expect(await (await therapist.get(`/app/couples/${coupleId}`)).text()).toContain(shown);
		}
		await change(therapist, 'reminders', { automatic: 'on' });
	});

	it('refuses junk with a 400 and a change that does not apply with its reason', async () => {
		for (const [action, fields] of [
			['pause', { scheduleId: 'not-an-id' }],
			['day', { dueDay: 'Friday' }],
			['reminders', { automatic: 'maybe' }]
		] as const) {
			const response = await change(therapist, action, fields);
			expect([action, response.status]).toEqual([action, 400]);
		}
		const resumed = await change(therapist, 'resume');
		expect(resumed.status).toBe(409);
		expect(await resumed.text()).toContain('Only a paused schedule can be resumed.');
		const day = await change(therapist, 'day', { dueDay: '9' });
		expect(day.status).toBe(409);
		const missing = await change(therapist, 'stop', {
			scheduleId: '00000000-0000-4000-8000-000000000000'
		});
		expect(missing.status).toBe(404);
	});

	it('hides the schedule from another therapist and sends a partner home', async () => {
		const stranger = (await signUpTherapist(app.server.url, 'schedules-stranger@example.test'))
			.browser;
		const refused = await change(stranger, 'stop');
		expect(refused.status).toBe(404);
		expect(await refused.text()).not.toContain('Priya');
		const tom = await new Browser(app.server.url).signIn('tom@trellis.test', DEMO_PASSWORD);
		const sent = await change(tom, 'stop');
		expect([sent.status, sent.headers.get('location')]).toEqual([303, '/c']);
		const page = await (await therapist.get(`/app/couples/${coupleId}`)).text();
		expect(page).toContain('Running');
	});

	it('stops, keeping what was done', async () => {
		const stopped = await change(therapist, 'stop');
		expect(stopped.status).toBe(303);
		const page = await (await therapist.get(`/app/couples/${coupleId}`)).text();
		expect(page).toContain('Stopped');
		expect(page).toMatch(/data-testid="schedule-done"[^>]*>\s*0 of 4/);
	});
});

describe('the partner’s account page', () => {
	it('turns reminder emails off and on; a therapist is sent to her own home', async () => {
		const tom = await new Browser(app.server.url).signIn('tom@trellis.test', DEMO_PASSWORD);
		const checked = async () =>
			/name="emailReminders"[^>]*checked/.test(await (await tom.get('/c/account')).text());
		expect(await checked()).toBe(true);
		expect((await tom.postForm('/c/account?/reminders', {})).status).toBe(200);
		expect(await checked()).toBe(false);
		expect((await tom.postForm('/c/account?/reminders', { emailReminders: 'on' })).status).toBe(
			200
		);
		expect(await checked()).toBe(true);
		const away = await therapist.get('/c/account');
		expect([away.status, away.headers.get('location')]).toEqual([303, '/app']);
	});
});
