// The couple page in sections (work, progress, record) under one summary, and the length limits of
// the forms that name things: a refused label says what to fix and keeps what was typed.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';
import { testExercise } from '../helpers/exercise-fixture';

const app = useApp();
let signedIn: Promise<HttpClient> | null = null;
// One sign-in for the file: the server takes each TOTP code once.
const therapist = () =>
	(signedIn ??= new HttpClient(app.server.url).signIn(
		'therapist@trellis.test',
		DEMO_PASSWORD,
		DEMO_TOTP_SECRET
	));

async function demoCoupleId(client: HttpClient) {
	const home = await (await client.get('/app')).text();
	return home.match(/href="\/app\/couples\/([0-9a-f-]{36})">Alex &amp; Sam/)![1];
}

describe('the couple page’s sections', () => {
	it('puts the same summary and section links above work, progress and record', async () => {
		const client = await therapist();
		const id = await demoCoupleId(client);
		for (const [path, current] of [
			['', 'Work'],
			['/progress', 'Progress'],
			['/record', 'Record']
		]) {
			const response = await client.get(`/app/couples/${id}${path}`);
			expect(response.status).toBe(200);
			const html = await response.text();
			expect(html).toContain('data-testid="couple-summary"');
			expect(html).toContain('data-testid="next-step"');
			expect(html).toMatch(new RegExp(`aria-current="page"[^>]*>${current}</a>`));
			for (const section of ['/progress', '/notes', '/record']) {
				expect(html).toContain(`href="/app/couples/${id}${section}"`);
			}
		}
		const work = await (await client.get(`/app/couples/${id}`)).text();
		expect(work).toContain('data-testid="assignments-open"');
		expect(work).toContain('data-testid="assignments-finished"');
		const record = await (await client.get(`/app/couples/${id}/record`)).text();
		expect(record).toContain('data-testid="timeline"');
		expect(record).toContain(`href="/app/couples/${id}/audit"`);
	});

	it('puts the weighted kappa behind “How this is computed” and says when a trend has too few times', async () => {
		const client = await therapist();
		const id = await demoCoupleId(client);
		const html = await (await client.get(`/app/couples/${id}/progress`)).text();
		expect(html).not.toMatch(/usual range [\d.]+–/);
		expect(html).not.toContain('Weighted kappa');
		const details = html.split('<details').slice(1).join('');
		expect(details).toContain('Cohen’s kappa');
		expect(html.split('<details')[0]).not.toContain('reliable-change index');
		// The demo's forgiveness exercise is finished only twice so far: the page says what that means.
		expect(html).toMatch(/Done [23] times so far: read these as single results/);
	});

	it('writes the audit trail as sentences', async () => {
		const client = await therapist();
		const id = await demoCoupleId(client);
		await client.get(`/app/couples/${id}/progress`);
		const html = await (await client.get(`/app/couples/${id}/audit`)).text();
		expect(html).toContain('You viewed their progress (scores over time)');
		expect(html).not.toMatch(/>\s*responses\.view\s*</);
	});
});

describe('length limits', () => {
	it('refuses a 200-character couple label, says the limit and keeps every value', async () => {
		const client = await therapist();
		const label = 'x'.repeat(200);
		const response = await client.postForm('/app/couples/new', {
			label,
			partner1Name: 'Robin',
			partner1Email: 'robin@example.com',
			partner2Name: 'Kim',
			partner2Email: ''
		});
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toContain('The label is at most 80 characters; shorten it.');
		expect(html).toContain(`value="${label}"`);
		expect(html).toContain('value="Robin"');
		expect(html).toContain('value="robin@example.com"');
	});

	it('refuses an 81-character partner name and accepts 80', async () => {
		const client = await therapist();
		const refused = await client.postForm('/app/couples/new', {
			label: 'Long names',
			partner1Name: 'n'.repeat(81),
			partner2Name: 'Kim'
		});
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain(
			'The first partner’s name must be at most 80 characters.'
		);
		const accepted = await client.postForm('/app/couples/new', {
			label: 'Long names',
			partner1Name: 'n'.repeat(80),
			partner2Name: 'Kim'
		});
		expect(accepted.status).toBeLessThan(400);
	});

	it('refuses an exercise title over 100 characters, naming the field', async () => {
		const client = await therapist();
		const { key: _key, ...draft } = testExercise;
		const response = await client.postForm('/app/library/new', {
			definition: JSON.stringify({ ...draft, title: 'T'.repeat(101) })
		});
		expect(response.status).toBe(400);
		expect(await response.text()).toContain('Shorten the title to 100 characters or fewer.');
	});
});
