// Homework held for the session, against the production server: both partners lock at home and
// neither learns the other's shared answers by any path (the homework endpoint, the page, the room's
// join view and events) until the therapist reveals the section from her assignment page; then both do.
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import type { RoomView } from '$lib/realtime/events';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';
import { opId, recorder, type Client } from '../helpers/live';

const app = useApp();

const ALEXS_WORDS = 'Alex-words: I need us to plan weekends together';
const SAMS_WORDS = 'Sam-words: I want an evening a week to myself';

let titles = 0;
const exercise = () => ({
	title: `Held for the session ${++titles}`,
	purpose: 'Answers the therapist reveals in the session.',
	instructions: 'Answer, then lock.',
	estimatedMinutes: 5,
	sections: [
		{
			id: 'wishes',
			title: 'Wishes',
			items: [
				{ id: 'wish', type: 'text', prompt: 'What I wish for', target: 'both' },
				{
					id: 'line',
					type: 'scenario',
					prompt: 'Going out without telling',
					target: 'both',
					reveal: 'simultaneous'
				}
			]
		}
	]
});

const signedIn = new Map<string, Promise<HttpClient>>();
function as(email: string) {
	if (!signedIn.has(email)) {
		const totp = email.startsWith('therapist') ? DEMO_TOTP_SECRET : undefined;
		signedIn.set(email, new HttpClient(app.server.url).signIn(email, DEMO_PASSWORD, totp));
	}
	return signedIn.get(email)!;
}

async function coupleId() {
	const home = await (await (await as('therapist@trellis.test')).get('/app')).text();
	return home.match(/href="\/app\/couples\/([0-9a-f-]{36})">Alex &amp; Sam/)![1];
}

async function assignHomework(revealPolicy?: 'on_lock' | 'session') {
	const therapist = await as('therapist@trellis.test');
	const created = await therapist.postForm('/app/library/new', {
		definition: JSON.stringify(exercise())
	});
	expect(created.status).toBe(303);
	const definitionId = created.headers.get('location')!.split('/').at(-1)!;
	const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
	const couple = await coupleId();
	const assigned = await therapist.postForm(`/app/couples/${couple}/assign`, {
		definitionId,
		mode: 'homework',
		dueAt: tomorrow,
		...(revealPolicy ? { revealPolicy } : {})
	});
	expect(assigned.status).toBe(303);
	return { couple, assignmentId: assigned.headers.get('location')!.split('/').at(-1)! };
}

function post(client: HttpClient, assignmentId: string, body: Record<string, unknown>) {
	return client.request(`/api/assignments/${assignmentId}/answers`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ opId: opId(), ...body })
	});
}

async function answerAndLock(email: string, assignmentId: string, words: string) {
	const client = await as(email);
	for (const [itemId, value] of [
		['wish', words],
		['line', { choice: 'talk-first' }]
	] as const) {
		const saved = await post(client, assignmentId, { action: 'answer', itemId, value });
		expect(saved.status, itemId).toBe(200);
	}
	const locked = await post(client, assignmentId, { action: 'lock', sectionId: 'wishes' });
	expect(locked.status).toBe(200);
	return (await locked.json()) as { ok: true; revealed: boolean };
}

async function viewOf(email: string, assignmentId: string) {
	const response = await (await as(email)).get(`/api/assignments/${assignmentId}/answers`);
	expect(response.status).toBe(200);
	return (await response.json()) as RoomView;
}

const open: Client[] = [];
afterEach(() => {
	for (const socket of open.splice(0)) socket.disconnect();
});

async function joinedRoom(email: string, assignmentId: string) {
	const client = await as(email);
	const socket = connectClient(`${app.server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: { cookie: client.cookieHeader },
		reconnection: false,
		forceNew: true
	}) as Client;
	open.push(socket);
	const events = recorder(socket);
	await new Promise<void>((resolve) => socket.once('welcome', () => resolve()));
	const ack = await socket.emitWithAck('room:join', { assignmentId });
	if (!ack.ok) throw new Error(ack.error.message);
	return { socket, events, view: ack.view };
}

describe('homework held for the session', () => {
	it('reveals nothing when both lock, by any path, until the therapist reveals it; then both see it', async () => {
		const { couple, assignmentId } = await assignHomework('session');
		const alexView = await viewOf('alex@trellis.test', assignmentId);
		expect(alexView.assignment.revealPolicy).toBe('session');

		// Sam watches the room while both answer and lock: his frames carry no value of Alex's.
		const samRoom = await joinedRoom('sam@trellis.test', assignmentId);
		expect((await answerAndLock('alex@trellis.test', assignmentId, ALEXS_WORDS)).revealed).toBe(
			false
		);
		expect((await answerAndLock('sam@trellis.test', assignmentId, SAMS_WORDS)).revealed).toBe(
			false
		);
		await samRoom.events.next((e) => e.type === 'section-locked' && e.actorId !== null);

		for (const [email, others] of [
			['alex@trellis.test', SAMS_WORDS],
			['sam@trellis.test', ALEXS_WORDS]
		] as const) {
			const view = await viewOf(email, assignmentId);
			expect(view.revealedSections, email).toEqual([]);
			expect(JSON.stringify(view.answers), email).not.toContain(others);
			const page = await (await as(email)).get(`/c/assignments/${assignmentId}`);
			expect(page.status).toBe(200);
			const html = await page.text();
			expect(html, email).not.toContain(others);
			expect(html, email).toMatch(/held for your session/i);
		}
		const rejoined = await joinedRoom('alex@trellis.test', assignmentId);
		expect(JSON.stringify(rejoined.view.answers)).not.toContain(SAMS_WORDS);
		expect(JSON.stringify(samRoom.events.events)).not.toContain(ALEXS_WORDS);
		expect(samRoom.events.events.some((e) => e.type === 'section-revealed')).toBe(false);

		// The therapist's page says the section waits for her, and her reveal shows it to both.
		const therapist = await as('therapist@trellis.test');
		const page = `/app/couples/${couple}/assignments/${assignmentId}`;
		const before = await (await therapist.get(page)).text();
		expect(before).toContain('Held for your session');
		expect(before).toContain('both have locked; not shown to them yet');
		const revealed = await therapist.postForm(`${page}?/reveal`, { sectionId: 'wishes' });
		expect(revealed.status).toBe(200);
		expect(await revealed.text()).toContain('Revealed.');

		const shown = await samRoom.events.next((e) => e.type === 'section-revealed');
		expect(JSON.stringify(shown)).toContain(ALEXS_WORDS);
		for (const [email, others] of [
			['alex@trellis.test', SAMS_WORDS],
			['sam@trellis.test', ALEXS_WORDS]
		] as const) {
			const view = await viewOf(email, assignmentId);
			expect(view.revealedSections, email).toEqual(['wishes']);
			expect(JSON.stringify(view.answers), email).toContain(others);
		}
		const trail = await (
			await therapist.get(`/app/couples/${couple}/audit?action=room.section.reveal`)
		).text();
		expect(trail).toContain('room.section.reveal');
	});

	it('refuses a reveal before both have locked, and a partner’s reveal, saying why', async () => {
		const { couple, assignmentId } = await assignHomework('session');
		await answerAndLock('alex@trellis.test', assignmentId, ALEXS_WORDS);
		const therapist = await as('therapist@trellis.test');
		const page = `/app/couples/${couple}/assignments/${assignmentId}`;
		const early = await therapist.postForm(`${page}?/reveal`, { sectionId: 'wishes' });
		expect(early.status).toBe(400);
		expect(await early.text()).toContain('Both partners need to lock');
		const junk = await therapist.postForm(`${page}?/reveal`, { sectionId: 'nope' });
		expect(junk.status).toBe(400);
		const alex = await as('alex@trellis.test');
		const byPartner = await alex.postForm(`${page}?/reveal`, { sectionId: 'wishes' });
		expect(byPartner.status).toBe(303);
		expect(byPartner.headers.get('location')).toBe('/c');
		expect((await viewOf('sam@trellis.test', assignmentId)).revealedSections).toEqual([]);
	});

	it('still reveals at once when both lock by default, and says so before they start', async () => {
		const { assignmentId } = await assignHomework();
		const html = await (
			await (await as('alex@trellis.test')).get(`/c/assignments/${assignmentId}`)
		).text();
		expect(html).toContain('Shared when you have both locked');
		await answerAndLock('alex@trellis.test', assignmentId, ALEXS_WORDS);
		expect((await answerAndLock('sam@trellis.test', assignmentId, SAMS_WORDS)).revealed).toBe(true);
		const view = await viewOf('alex@trellis.test', assignmentId);
		expect(view.assignment.revealPolicy).toBe('on_lock');
		expect(JSON.stringify(view.answers)).toContain(SAMS_WORDS);
	});
});
