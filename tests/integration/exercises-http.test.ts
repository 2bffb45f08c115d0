// Homework over HTTP against the production server with the demo practice: who may write, idempotent
// saves, refusals that name the item, and the pages each person may open.
import { describe, expect, it } from 'vitest';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';

const app = useApp();
const PASSWORD = 'trellis-demo-2026';
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function as(email: string) {
	return new HttpClient(app.server.url).signIn(
		email,
		PASSWORD,
		email.startsWith('therapist') ? TOTP : undefined
	);
}

/** The homework assignments a partner's home page links to. */
async function homeworkIds(client: HttpClient) {
	const html = await (await client.get('/c')).text();
	return [...new Set([...html.matchAll(/\/c\/assignments\/([0-9a-f-]{36})/g)].map((m) => m[1]))];
}

function post(client: HttpClient, assignmentId: string, body: unknown) {
	return client.request(`/api/assignments/${assignmentId}/answers`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
}

let counter = 0;
const opId = () => `http-${Date.now().toString(36)}-${counter++}`;

describe('homework over HTTP', () => {
	it('shows each demo partner homework due, overdue first', async () => {
		const alex = await as('alex@trellis.test');
		const html = await (await alex.get('/c')).text();
		const order = [...html.matchAll(/data-overdue="(true|false)"/g)].map((m) => m[1]);
		expect(order).toEqual(['true', 'false']);
		// The demo's live room has not been opened by the therapist yet.
		expect(html).toContain('Starts when your therapist opens the room');
		expect(html).not.toContain('Live now');
		expect(html).toContain('What you have agreed');
	});

	it('answers 404 to a partner of another couple and to their therapist’s strangers, and stores nothing', async () => {
		const alex = await as('alex@trellis.test');
		const [assignmentId] = await homeworkIds(alex);
		expect(assignmentId).toBeDefined();
		const jordan = await as('jordan@trellis.test');
		const refused = await post(jordan, assignmentId, {
			action: 'answer',
			opId: opId(),
			itemId: 'anything',
			value: 1
		});
		expect(refused.status).toBe(404);
		expect((await jordan.get(`/c/assignments/${assignmentId}`)).status).toBe(404);
		const anonymous = new HttpClient(app.server.url);
		expect(
			(
				await post(anonymous, assignmentId, {
					action: 'answer',
					opId: opId(),
					itemId: 'x',
					value: 1
				})
			).status
		).toBe(401);
	});

	it('saves an answer once however often it is sent, and refuses what does not fit with the item named', async () => {
		const alex = await as('alex@trellis.test');
		const [assignmentId] = await homeworkIds(alex);
		const page = await (await alex.get(`/c/assignments/${assignmentId}`)).text();
		expect(page).toContain('Every answer is saved as you give it');

		const unknown = await post(alex, assignmentId, {
			action: 'answer',
			opId: opId(),
			itemId: 'no-such-item',
			value: 3
		});
		expect(unknown.status).toBe(404);
		expect((await unknown.json()).error.message).toContain('no-such-item');

		// An object fits no item type but a scenario, and this one is shaped like none.
		const firstItem = page.match(/name="item-([A-Za-z0-9_-]+)"/)?.[1];
		expect(firstItem).toBeDefined();
		const wrong = await post(alex, assignmentId, {
			action: 'answer',
			opId: opId(),
			itemId: firstItem,
			value: { not: 'a fit' }
		});
		expect(wrong.status).toBe(400);
		expect((await wrong.json()).error.message).toContain(firstItem);

		const notJson = await alex.request(`/api/assignments/${assignmentId}/answers`, {
			method: 'POST',
			headers: { 'content-type': 'text/plain' },
			body: 'hello'
		});
		expect(notJson.status).toBe(415);
	});

	it('asks a partner sending more than 20 saves a second to slow down, and stores none of those', async () => {
		const sam = await as('sam@trellis.test');
		const [assignmentId] = await homeworkIds(sam);
		const burst = await Promise.all(
			Array.from({ length: 30 }, () =>
				post(sam, assignmentId, {
					action: 'answer',
					opId: opId(),
					itemId: 'no-such-item',
					value: 1
				})
			)
		);
		const statuses = burst.map((r) => r.status);
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
		const limited = burst[statuses.indexOf(429)];
		expect(limited.headers.get('retry-after')).toBe('1');
		expect((await limited.json()).error.code).toBe('rate-limited');
	});

	it('reads back only what the partner may see: the other’s therapist-only answers never', async () => {
		const alex = await as('alex@trellis.test');
		const views = await Promise.all(
			(await homeworkIds(alex)).map(async (id) =>
				(await alex.get(`/api/assignments/${id}/answers`)).json()
			)
		);
		// This week's check-in: Sam has answered the first items, which only the therapist sees.
		const checkIn = views.find(
			(v) => v.definition.key === 'trust-checkin' && v.assignment.status === 'open'
		);
		expect(checkIn).toBeDefined();
		const sam = checkIn.progress.find((p: { name: string }) => p.name === 'Sam');
		expect(sam.answered).toContain('trust');
		expect(checkIn.answers[sam.userId]?.trust).toBeUndefined();
		const jordan = await as('jordan@trellis.test');
		expect((await jordan.get(`/api/assignments/${checkIn.assignment.id}/answers`)).status).toBe(
			404
		);
	});

	it('lets the therapist open results and the library, and not answer', async () => {
		const therapist = await as('therapist@trellis.test');
		const library = await (await therapist.get('/app/library')).text();
		expect(library).toContain('Exercise library');
		const home = await (await therapist.get('/app')).text();
		const resultsLink = home.match(/\/app\/couples\/([0-9a-f-]{36})\/assignments\/([0-9a-f-]{36})/);
		expect(resultsLink).not.toBeNull();
		const results = await (await therapist.get(resultsLink![0])).text();
		expect(results).toContain('Structured discussion aid, not a validated instrument');
		const refused = await post(therapist, resultsLink![2], {
			action: 'answer',
			opId: opId(),
			itemId: 'x',
			value: 1
		});
		expect(refused.status).toBe(403);
	});
});
