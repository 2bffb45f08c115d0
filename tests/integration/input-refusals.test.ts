// Input the database would choke on is refused where it enters, with a sentence and a 4xx, never a
// 500: a NUL character (PostgreSQL stores none in text or jsonb), a broken character, a `__proto__`
// key in an exercise draft, a calendar day that does not exist. Against the production server.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import type { RoomView } from '$lib/realtime/events';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';
import { testExercise } from '../helpers/exercise-fixture';

const app = useApp();
const NUL = '\u0000';

const as = (email: string, totp?: string) =>
	new HttpClient(app.server.url).signIn(email, DEMO_PASSWORD, totp);
// Signed in once for the file: the server takes each TOTP code once, so a second sign-in would wait
// for the next 30-second code.
let signedIn: Promise<HttpClient> | null = null;
const therapist = () => (signedIn ??= as('therapist@trellis.test', DEMO_TOTP_SECRET));

let counter = 0;
const opId = () => `refusal-${Date.now().toString(36)}-${counter++}`;

async function coupleIdOf(client: HttpClient) {
	const home = await (await client.get('/app')).text();
	return home.match(/href="\/app\/couples\/([0-9a-f-]{36})">Alex &amp; Sam/)![1];
}

describe('text that cannot be stored', () => {
	it('refuses a NUL in a homework answer with invalid-answer, and a broken character too', async () => {
		const alex = await as('alex@trellis.test');
		const home = await (await alex.get('/c')).text();
		const ids = [
			...new Set([...home.matchAll(/\/c\/assignments\/([0-9a-f-]{36})/g)].map((m) => m[1]))
		];
		let target: { id: string; itemId: string } | null = null;
		for (const id of ids) {
			const view = (await (await alex.get(`/api/assignments/${id}/answers`)).json()) as RoomView;
			const mine = view.progress.find((p) => p.userId === view.me.userId);
			for (const section of view.definition.sections) {
				if (mine?.lockedSections.includes(section.id)) continue;
				const text = section.items.find((i) => i.type === 'text' || i.type === 'list');
				if (text) target ??= { id, itemId: text.id };
			}
		}
		expect(target).not.toBeNull();
		const { id, itemId } = target!;
		const item = (
			(await (await alex.get(`/api/assignments/${id}/answers`)).json()) as RoomView
		).definition.sections
			.flatMap((s) => s.items)
			.find((i) => i.id === itemId)!;
		for (const words of [`before${NUL}after`, 'half an emoji \ud83d']) {
			const value = item.type === 'list' ? [words] : words;
			const response = await alex.request(`/api/assignments/${id}/answers`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ action: 'answer', opId: opId(), itemId, value })
			});
			expect(response.status, JSON.stringify(words)).toBe(400);
			const body = await response.json();
			expect(body).toMatchObject({ ok: false, error: { code: 'invalid-answer' } });
			expect(body.error.message).toContain(itemId);
			expect(body.error.message).toMatch(/cannot be saved/);
		}
	});

	it('refuses a NUL in a form field with a sentence and keeps what was typed', async () => {
		const client = await therapist();
		const response = await client.postForm('/app/couples/new', {
			label: '',
			partner1Name: `Ro${NUL}bin`,
			partner1Email: '',
			partner2Name: 'Kim',
			partner2Email: ''
		});
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toMatch(/contains a NUL character/);
		expect(html).toContain('value="Kim"');
	});

	it('refuses a NUL anywhere in an exercise draft, naming where', async () => {
		const client = await therapist();
		const { key: _key, ...draft } = testExercise;
		const response = await client.postForm('/app/library/new', {
			definition: JSON.stringify({ ...draft, title: `Lines${NUL}` })
		});
		expect(response.status).toBe(400);
		expect(await response.text()).toMatch(
			/The title holds a character that cannot be saved \(an invisible NUL/
		);
	});

	it('searches for a NUL without failing', async () => {
		const client = await therapist();
		const response = await client.get(`/app?q=${encodeURIComponent(`Alex${NUL}`)}`);
		expect(response.status).toBe(200);
	});
});

describe('exercise drafts', () => {
	it('refuses a __proto__ key with a sentence, on a new exercise and on an edit', async () => {
		const client = await therapist();
		const { key: _key, ...draft } = testExercise;
		const poisoned =
			JSON.stringify({ ...draft, title: 'Poisoned' }).slice(0, -1) +
			',"__proto__":{"isAdmin":true}}';
		const created = await client.postForm('/app/library/new', { definition: poisoned });
		expect(created.status).toBe(400);
		expect(await created.text()).toContain('“__proto__”');

		const fine = await client.postForm('/app/library/new', {
			definition: JSON.stringify({ ...draft, title: 'Fine' })
		});
		const definitionId = fine.headers.get('location')!.split('/').at(-1)!;
		const nested = JSON.stringify({ ...draft, title: 'Fine' }).replace(
			'"items":[{',
			'"items":[{"__proto__":{"x":1},'
		);
		const edited = await client.postForm(`/app/library/${definitionId}/edit`, {
			definition: nested
		});
		expect(edited.status).toBe(400);
		expect(await edited.text()).toContain('“__proto__”');
	});
});

describe('dates', () => {
	it('refuses a session date that is not on the calendar, and ignores one in the audit filter', async () => {
		const client = await therapist();
		const coupleId = await coupleIdOf(client);
		for (const sessionDate of ['2026-02-30', '0000-01-01']) {
			const response = await client.postForm(`/app/couples/${coupleId}/notes`, {
				kind: 'progress',
				template: 'soap',
				sessionDate
			});
			expect(response.status, sessionDate).toBe(400);
			expect(await response.text()).toContain('session date');
		}
		const audit = await client.get(`/app/couples/${coupleId}/audit?from=2026-02-31&to=0000-00-00`);
		expect(audit.status).toBe(200);
	});
});

describe('redirects', () => {
	it('goes back only to a plain path in /app after acknowledging a safety flag', async () => {
		const alex = await as('alex@trellis.test');
		const home = await (await alex.get('/c')).text();
		const ids = [
			...new Set([...home.matchAll(/\/c\/assignments\/([0-9a-f-]{36})/g)].map((m) => m[1]))
		];
		let raised = false;
		for (const id of ids) {
			const view = (await (await alex.get(`/api/assignments/${id}/answers`)).json()) as RoomView;
			const item = view.definition.sections.flatMap((s) => s.items).find((i) => i.safety);
			if (!item || raised) continue;
			const response = await alex.request(`/api/assignments/${id}/answers`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					action: 'answer',
					opId: opId(),
					itemId: item.id,
					value: item.safety!.triggerOptions[0]
				})
			});
			raised = (await response.json()).safety === true;
		}
		expect(raised).toBe(true);
		const client = await therapist();
		const flagId = (await (await client.get('/app')).text()).match(
			/name="flagId" value="([0-9a-f-]{36})"/
		)![1];
		for (const redirectTo of [
			'/app\r\nset-cookie: x=1',
			'https://elsewhere.example/app',
			'/app/couples'
		]) {
			const response = await client.postForm('/app/safety?/acknowledge', {
				flagId,
				redirectTo,
				action: 'called'
			});
			expect(response.status, redirectTo).toBe(303);
			expect(response.headers.get('location')).toBe(
				redirectTo === '/app/couples' ? '/app/couples' : '/app'
			);
		}
	});
});
