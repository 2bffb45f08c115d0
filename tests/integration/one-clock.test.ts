// One clock: each person's browser zone is kept at sign-up and first sign-in, and the same moment
// reads the same day and time on every page, email and export for that person, in their own zone,
// while a due day ends at midnight on the couple's therapist's clock.
import { extractText } from 'unpdf';
import { afterAll, describe, expect, it } from 'vitest';
import { calendarDay, endOfDay, formatDateTime, formatDay, formatDue } from '$lib/dates';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { useApp } from '../helpers/app';
import { startMailServer, type MailServer } from '../helpers/mail-server';
import { totpCode } from '../helpers/http';
import { Browser, PASSWORD, SERVER_ENV } from './accounts-browser';

const app = useApp({ env: SERVER_ENV });
let mail: MailServer | null = null;
afterAll(async () => {
	await mail?.close();
});

const THERAPIST_ZONE = 'America/Los_Angeles';
const ALEX_ZONE = 'Europe/Berlin';

/** Signs in through the form, sending the zone a browser would put in the hidden field. */
async function signIn(browser: Browser, email: string, timeZone: string, totpSecret?: string) {
	const response = await browser.postForm('/login', { email, password: DEMO_PASSWORD, timeZone });
	expect(response.status).toBe(303);
	if (totpSecret) {
		const verified = await browser.postForm('/login/totp', { code: await totpCode(totpSecret) });
		expect(verified.status).toBe(303);
	}
	return browser;
}

/** The zone a page was rendered for (the root layout's `timeZone`, serialised into the page). */
function zoneOfPage(html: string): string | null {
	return html.match(/timeZone:"([^"]+)"/)?.[1] ?? null;
}

/** Every minute's reading on a clock between two moments: what a "Signed …" line may say. */
function readingsBetween(from: number, to: number, timeZone: string): string[] {
	const readings: string[] = [];
	for (let t = from - 60_000; t <= to + 60_000; t += 30_000)
		readings.push(formatDateTime(t, timeZone));
	return readings;
}

describe('each person’s zone', () => {
	it('is taken from the browser at sign-up and at the first sign-in, and junk is ignored', async () => {
		const newcomer = new Browser(app.server.url);
		const signedUp = await newcomer.postForm('/signup', {
			name: 'Dr. Tokyo',
			email: `tokyo-${Date.now()}@example.test`,
			password: PASSWORD,
			timeZone: 'Asia/Tokyo'
		});
		expect(signedUp.status).toBe(303);
		expect(zoneOfPage(await (await newcomer.get('/login/totp/setup')).text())).toBe('Asia/Tokyo');

		const jordan = await signIn(new Browser(app.server.url), 'jordan@trellis.test', 'Mars/Olympus');
		expect(zoneOfPage(await (await jordan.get('/c')).text())).toBe('UTC');

		// A browser may name a zone by its newer name; it is kept in the runtime's spelling.
		const kolkata = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata' }).resolvedOptions()
			.timeZone;
		const riley = await signIn(new Browser(app.server.url), 'riley@trellis.test', 'Asia/Kolkata');
		expect(zoneOfPage(await (await riley.get('/c')).text())).toBe(kolkata);
		// A later sign-in from a browser elsewhere keeps the zone the account already has.
		const again = await signIn(
			new Browser(app.server.url),
			'riley@trellis.test',
			'Pacific/Auckland'
		);
		expect(zoneOfPage(await (await again.get('/c')).text())).toBe(kolkata);
	});
});

describe('the same moment on every page', () => {
	it(
		'shows a therapist in Los Angeles and a partner in Berlin one consistent clock each',
		{ timeout: 60_000 },
		async () => {
			mail = await startMailServer();
			const server = await app.restart({ env: { ...SERVER_ENV, SMTP_URL: mail.url } });
			const therapist = await signIn(
				new Browser(server.url),
				'therapist@trellis.test',
				THERAPIST_ZONE,
				DEMO_TOTP_SECRET
			);
			const alex = await signIn(new Browser(server.url), 'alex@trellis.test', ALEX_ZONE);
			// Sam's browser says nothing (no JavaScript): Sam stays on the default clock.
			const sam = await signIn(new Browser(server.url), 'sam@trellis.test', '');

			const home = await (await therapist.get('/app')).text();
			const couplePath = home.match(/\/app\/couples\/[0-9a-f-]{36}(?=">Alex &amp; Sam<)/)?.[0];
			expect(couplePath).toBeTruthy();
			const assignPage = await (await therapist.get(`${couplePath}/assign`)).text();
			const definitionId = assignPage.match(/name="definitionId"[^>]*value="([0-9a-f-]{36})"/)?.[1];
			expect(definitionId).toBeTruthy();

			// Due ten days from now, as a day on the therapist's calendar.
			const dueDay = calendarDay(Date.now() + 10 * 86_400_000, THERAPIST_ZONE);
			const assigned = await therapist.postForm(`${couplePath}/assign`, {
				definitionId: definitionId!,
				mode: 'homework',
				dueAt: dueDay,
				note: ''
			});
			expect(assigned.status).toBe(303);
			const resultsPath = assigned.headers.get('location')!;
			const assignmentId = resultsPath.split('/').pop()!;

			// The due day ends at midnight in Los Angeles: 08:59 the next morning in Berlin, 07:59 or 08:00 UTC.
			const due = endOfDay(dueDay, THERAPIST_ZONE);
			const alexDue = formatDue(due, ALEX_ZONE);
			const samDue = formatDue(due, 'UTC');
			expect(alexDue).not.toBe(samDue);
			expect(alexDue).toMatch(/\d{1,2}:59 AM$/);
			for (const path of ['/c', `/c/assignments/${assignmentId}`]) {
				const alexPage = await (await alex.get(path)).text();
				expect(alexPage, path).toContain(alexDue);
				expect(alexPage, path).not.toContain(samDue);
				const samPage = await (await sam.get(path)).text();
				expect(samPage, path).toContain(samDue);
				expect(samPage, path).not.toContain(alexDue);
			}

			// The therapist reads the due day itself, on the couple page and the results page alike.
			const therapistDue = formatDue(due, THERAPIST_ZONE);
			expect(therapistDue).toBe(formatDay(due, THERAPIST_ZONE));
			for (const path of [couplePath!, resultsPath]) {
				expect(await (await therapist.get(path)).text(), path).toContain(therapistDue);
			}
			// Not the UTC day, which is the next one (the results page shows this assignment only).
			const utcDay = formatDay(due, 'UTC');
			expect(utcDay).not.toBe(therapistDue);
			expect(await (await therapist.get(resultsPath)).text()).not.toContain(utcDay);

			// Alex's reminder email says the due moment on Alex's clock too.
			const results = await (await therapist.get(resultsPath)).text();
			const partnerIds = [...results.matchAll(/name="partnerId" value="([0-9a-f-]{36})"/g)].map(
				(m) => m[1]
			);
			const sent = mail.received.length;
			for (const partnerId of partnerIds) {
				const nudged = await therapist.postForm(`${resultsPath}?/nudge`, { partnerId });
				expect(nudged.status).toBe(200);
			}
			const arrived = await mail.arrived(sent + partnerIds.length);
			const toAlex = arrived.slice(sent).find((m) => m.to.includes('alex@trellis.test'));
			const toSam = arrived.slice(sent).find((m) => m.to.includes('sam@trellis.test'));
			expect(toAlex?.text).toContain(`It is due ${alexDue}.`);
			expect(toSam?.text).toContain(`It is due ${samDue}.`);

			// A signed note reads the same day and time on its page and in the PDF, on her clock.
			const created = await therapist.postForm(`${couplePath}/notes`, {
				kind: 'progress',
				template: 'free',
				sessionDate: calendarDay(Date.now(), THERAPIST_ZONE)
			});
			expect(created.status).toBe(303);
			const notePath = created.headers.get('location')!;
			const before = Date.now();
			const signed = await therapist.postForm(`${notePath}?/sign`, { text: 'Met as planned.' });
			expect(signed.status).toBe(200);
			const after = Date.now();
			const notePage = await (await therapist.get(notePath)).text();
			const signedAt = notePage.match(
				/Signed ([A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M)\./
			)?.[1];
			expect(readingsBetween(before, after, THERAPIST_ZONE)).toContain(signedAt);

			const pdf = await therapist.get(`${couplePath}/export?format=pdf`);
			expect(pdf.status).toBe(200);
			const text = (
				await extractText(new Uint8Array(await pdf.arrayBuffer()), { mergePages: true })
			).text.replace(/\s+/g, ' ');
			expect(text).toContain(`signed ${signedAt}`);
			expect(text).toContain(`Dates and times are in ${THERAPIST_ZONE}`);
		}
	);
});
