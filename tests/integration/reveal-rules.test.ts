// The reveal rules end to end, from where the injured partner (Alex) stands: nothing of the involved
// partner's (Sam's) role-targeted items, and no therapist-only value, reaches Alex by any path — the
// room's join view and events (live and replayed, before and after the reveal), the homework API,
// the page data of /c/assignments and /live, the partner home's progress counts and /c/progress.
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import * as roomContext from '$lib/server/rooms/context';
import * as homework from '$lib/server/homework';
import * as responses from '$lib/server/rooms/answers';
import type { RoomView } from '$lib/realtime/events';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import { useApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { HttpClient } from '../helpers/http';
import { assign, makePractice, opId, recorder, type Client } from '../helpers/live';

const app = useApp();

/** Sam's words for an item meant only for the involved partner, which Alex must never receive. */
const SAMS_WORDS = 'Sam-only words: I deleted the number';

let titles = 0;
/** One section holding every case: shared, therapist-only, and each role's open and simultaneous items. */
const exercise = (title = `Who sees what ${++titles}`) => ({
	title,
	purpose: 'Checks what each partner may see of the other.',
	instructions: 'Answer each item, then lock the section.',
	estimatedMinutes: 5,
	sections: [
		{
			id: 'lines',
			title: 'Lines',
			items: [
				{
					id: 'shared-line',
					type: 'scenario',
					prompt: 'Texting an ex',
					target: 'both',
					reveal: 'simultaneous'
				},
				{
					id: 'secret-line',
					type: 'scenario',
					prompt: 'A private account',
					target: 'both',
					reveal: 'therapist-only'
				},
				{
					id: 'hurt-note',
					type: 'text',
					prompt: 'What I need you to know',
					target: 'injured',
					reveal: 'open'
				},
				{
					id: 'hurt-line',
					type: 'scenario',
					prompt: 'Meeting them for coffee',
					target: 'injured',
					reveal: 'simultaneous'
				},
				{
					id: 'amends-note',
					type: 'text',
					prompt: 'What I am doing about it',
					target: 'involved',
					reveal: 'open'
				},
				{
					id: 'amends-line',
					type: 'scenario',
					prompt: 'Keeping their number',
					target: 'involved',
					reveal: 'simultaneous'
				}
			]
		}
	]
});

/** Sam's answers: his two involved-only items, the therapist-only one, and the shared one last. */
const SAMS_ANSWERS: [string, unknown][] = [
	['amends-note', SAMS_WORDS],
	['amends-line', { choice: 'crosses-line' }],
	['secret-line', { choice: 'crosses-line' }],
	['shared-line', { choice: 'ok' }]
];
const ALEXS_ANSWERS: [string, unknown][] = [
	['hurt-note', 'Tell me when plans change'],
	['hurt-line', { choice: 'talk-first' }],
	['secret-line', { choice: 'ok' }],
	['shared-line', { choice: 'ok' }]
];

/** Anything at all about Sam's involved-only items: their ids or his words. */
const AMENDS = /amends-|Sam-only words/;

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

/** The therapist builds the exercise in her library and assigns it to Alex and Sam. */
async function assignExercise(mode: 'live' | 'homework', title?: string) {
	const therapist = await as('therapist@trellis.test');
	const created = await therapist.postForm('/app/library/new', {
		definition: JSON.stringify(exercise(title))
	});
	expect(created.status).toBe(303);
	const definitionId = created.headers.get('location')!.split('/').at(-1)!;
	const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
	const assigned = await therapist.postForm(`/app/couples/${await coupleId()}/assign`, {
		definitionId,
		mode,
		...(mode === 'homework' ? { dueAt: tomorrow } : {})
	});
	expect(assigned.status).toBe(303);
	return assigned.headers.get('location')!.split('/').at(-1)!;
}

const open: Client[] = [];
afterEach(() => {
	for (const socket of open.splice(0)) socket.disconnect();
});

async function socketFor(email: string) {
	const client = await as(email);
	const socket = connectClient(`${app.server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: { cookie: client.cookieHeader },
		reconnection: false,
		forceNew: true
	}) as Client;
	open.push(socket);
	const events = recorder(socket);
	const welcome = new Promise<{ userId: string }>((resolve) => socket.once('welcome', resolve));
	return { socket, events, userId: (await welcome).userId };
}

async function joinedRoom(email: string, assignmentId: string, sinceSeq?: number) {
	const member = await socketFor(email);
	const ack = await member.socket.emitWithAck('room:join', { assignmentId, sinceSeq });
	if (!ack.ok) throw new Error(ack.error.message);
	return { ...member, ack };
}

function save(socket: Client, itemId: string, value: unknown) {
	return socket.emitWithAck('answer:save', { opId: opId(), itemId, value });
}

function post(client: HttpClient, assignmentId: string, body: Record<string, unknown>) {
	return client.request(`/api/assignments/${assignmentId}/answers`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ opId: opId(), ...body })
	});
}

const byItem = (answers: [string, unknown][]) => Object.fromEntries(answers);

describe('a live room, seen by the other partner', () => {
	it('never sends Alex anything of Sam’s involved-only items, nor his therapist-only value', async () => {
		const assignmentId = await assignExercise('live');
		const alex = await joinedRoom('alex@trellis.test', assignmentId);
		const sam = await joinedRoom('sam@trellis.test', assignmentId);
		const therapist = await joinedRoom('therapist@trellis.test', assignmentId);
		const itemsOf = (view: RoomView) =>
			view.definition.sections.flatMap((s) => s.items.map((i) => i.id));
		expect(itemsOf(alex.ack.view)).toEqual([
			'shared-line',
			'secret-line',
			'hurt-note',
			'hurt-line'
		]);

		for (const [itemId, value] of SAMS_ANSWERS)
			expect((await save(sam.socket, itemId, value)).ok).toBe(true);
		// The therapist sees every value as it is saved.
		expect(
			await therapist.events.next((e) => e.type === 'answer-saved' && e.itemId === 'amends-note')
		).toMatchObject({ actorId: sam.userId, value: SAMS_WORDS });
		// Barrier: Sam's last save reaches Alex, so every frame about the earlier ones has arrived too.
		const lastSeen = await alex.events.next((e) => e.itemId === 'shared-line');
		expect(lastSeen).toMatchObject({ type: 'partner-answered', actorId: sam.userId });
		expect(JSON.stringify(alex.events.events)).not.toMatch(AMENDS);
		const secret = alex.events.events.filter((e) => e.itemId === 'secret-line');
		expect(secret.map((e) => e.type)).toEqual(['partner-answered']);
		expect(secret[0]).not.toHaveProperty('value');
		// Alex's seq still runs without a gap, so her client has no reason to re-join.
		const seqs = alex.events.events.map((e) => e.seq as number);
		expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));

		// Joining afresh (view and replay from the start) tells her no more.
		const again = await joinedRoom('alex@trellis.test', assignmentId, 0);
		expect(JSON.stringify(again.ack)).not.toMatch(AMENDS);
		expect(again.ack.view.answers[sam.userId] ?? {}).toEqual({});
		const samsProgress = again.ack.view.progress.find((p) => p.userId === sam.userId)!;
		expect([...samsProgress.answered].sort()).toEqual(['secret-line', 'shared-line']);
		expect(again.ack.events.filter((e) => e.actorId === sam.userId)).toHaveLength(2);

		for (const [itemId, value] of ALEXS_ANSWERS)
			expect((await save(alex.socket, itemId, value)).ok).toBe(true);
		await alex.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'lines' });
		const lock = await sam.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'lines' });
		expect(lock).toMatchObject({ ok: true, revealed: true });

		// The reveal shows Alex her own answers and only Sam's shared one; the therapist gets all.
		const revealed = await alex.events.next((e) => e.type === 'section-revealed');
		expect(revealed.answers).toEqual({
			[alex.userId]: byItem(ALEXS_ANSWERS),
			[sam.userId]: { 'shared-line': { choice: 'ok' } }
		});
		const toTherapist = await therapist.events.next((e) => e.type === 'section-revealed');
		expect(toTherapist.answers).toEqual({
			[alex.userId]: byItem(ALEXS_ANSWERS),
			[sam.userId]: byItem(SAMS_ANSWERS)
		});
		// Sam, the other way round, gets nothing of Alex's injured-only items.
		const toSam = await sam.events.next((e) => e.type === 'section-revealed');
		expect((toSam.answers as Record<string, unknown>)[alex.userId]).toEqual({
			'shared-line': { choice: 'ok' }
		});
		expect(JSON.stringify(sam.events.events)).not.toMatch(/hurt-|Tell me when plans change/);
		expect(JSON.stringify(alex.events.events)).not.toMatch(AMENDS);

		// After the reveal: a fresh join, the homework API and the live page's data agree.
		const afterReveal = await joinedRoom('alex@trellis.test', assignmentId, 0);
		expect(afterReveal.ack.view.answers[sam.userId]).toEqual({ 'shared-line': { choice: 'ok' } });
		expect(JSON.stringify(afterReveal.ack)).not.toMatch(AMENDS);

		const client = await as('alex@trellis.test');
		const api = (await (
			await client.get(`/api/assignments/${assignmentId}/answers`)
		).json()) as RoomView;
		expect(api.answers[sam.userId]).toEqual({ 'shared-line': { choice: 'ok' } });
		expect(JSON.stringify(api)).not.toMatch(AMENDS);

		const page = await client.get(`/live/${assignmentId}`);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('shared-line');
		expect(html).not.toMatch(AMENDS);
		const data = await client.get(`/live/${assignmentId}/__data.json`);
		expect(data.status).toBe(200);
		const json = await data.text();
		expect(json).toContain('shared-line');
		expect(json).not.toMatch(AMENDS);
	});
});

describe('homework, seen by the other partner', () => {
	it('keeps Sam’s involved-only answers and progress out of Alex’s API reads and page data', async () => {
		const assignmentId = await assignExercise('homework');
		const sam = await as('sam@trellis.test');
		for (const [itemId, value] of SAMS_ANSWERS) {
			expect((await post(sam, assignmentId, { action: 'answer', itemId, value })).status).toBe(200);
		}
		const alex = await as('alex@trellis.test');
		const samId = (await (await sam.get(`/api/assignments/${assignmentId}/answers`)).json()).me
			.userId as string;

		const before = (await (
			await alex.get(`/api/assignments/${assignmentId}/answers`)
		).json()) as RoomView;
		expect(JSON.stringify(before)).not.toMatch(AMENDS);
		expect(before.answers[samId] ?? {}).toEqual({});
		const progress = before.progress.find((p) => p.userId === samId)!;
		expect([...progress.answered].sort()).toEqual(['secret-line', 'shared-line']);

		for (const path of [
			`/c/assignments/${assignmentId}`,
			`/c/assignments/${assignmentId}/__data.json`
		]) {
			const response = await alex.get(path);
			expect(response.status).toBe(200);
			const body = await response.text();
			expect(body).toContain('shared-line');
			expect(body).not.toMatch(AMENDS);
		}

		for (const [itemId, value] of ALEXS_ANSWERS) {
			expect((await post(alex, assignmentId, { action: 'answer', itemId, value })).status).toBe(
				200
			);
		}
		await post(alex, assignmentId, { action: 'lock', sectionId: 'lines' });
		const lock = await post(sam, assignmentId, { action: 'lock', sectionId: 'lines' });
		expect(await lock.json()).toMatchObject({ ok: true, revealed: true });

		const after = (await (
			await alex.get(`/api/assignments/${assignmentId}/answers`)
		).json()) as RoomView;
		expect(after.answers[samId]).toEqual({ 'shared-line': { choice: 'ok' } });
		expect(JSON.stringify(after)).not.toMatch(AMENDS);
		const page = await (await alex.get(`/c/assignments/${assignmentId}/__data.json`)).text();
		expect(page).not.toMatch(AMENDS);
		expect(page).not.toContain(SAMS_WORDS);
	});
});

describe('the progress page, seen by a partner', () => {
	/** "Rated the same" for one exercise in the agreement table of a page: percent and pairs compared. */
	function agreementRow(html: string, title: string) {
		const row = html.split('<tr').find((r) => r.includes(`>${title}</td>`));
		const cell = row?.match(/(\d+) of (\d+)\s*<span[^>]*>\((\d+)%\)<\/span>/);
		return cell ? { percent: Number(cell[3]), compared: Number(cell[2]) } : null;
	}

	it('computes agreement only from answers both partners could see, never the therapist-only ones', async () => {
		const title = `Agreement check ${Date.now().toString(36)}`;
		const assignmentId = await assignExercise('homework', title);
		const alex = await as('alex@trellis.test');
		const sam = await as('sam@trellis.test');
		// They agree on the shared scenario and differ on the therapist-only one.
		for (const [client, answers] of [
			[alex, ALEXS_ANSWERS],
			[sam, SAMS_ANSWERS]
		] as const) {
			for (const [itemId, value] of answers) {
				expect((await post(client, assignmentId, { action: 'answer', itemId, value })).status).toBe(
					200
				);
			}
			expect(
				(await post(client, assignmentId, { action: 'lock', sectionId: 'lines' })).status
			).toBe(200);
		}

		for (const client of [alex, sam]) {
			const html = await (await client.get('/c/progress')).text();
			expect(agreementRow(html, title)).toEqual({ percent: 100, compared: 1 });
		}
		// The therapist's own page still compares every scenario both answered.
		const therapist = await as('therapist@trellis.test');
		const couplePage = await (
			await therapist.get(`/app/couples/${await coupleId()}/progress`)
		).text();
		expect(agreementRow(couplePage, title)).toEqual({ percent: 50, compared: 2 });
	});
});

describe('the partner home’s progress counts', () => {
	const database = useTestDatabase();

	it('count only the other partner’s answers to items the viewer may know of', async () => {
		const practice = await makePractice(database.db);
		const assignmentId = await assign(
			database.db,
			practice,
			{ key: 'who-sees-what', ...exercise() } as unknown as ExerciseDefinition,
			'homework'
		);
		const sam = (await roomContext.loadContext(
			database.db,
			{ id: practice.sam.id, role: 'partner' },
			assignmentId
		))!;
		for (const [itemId, value] of SAMS_ANSWERS) {
			expect(
				(await responses.saveAnswer(database.db, sam, { opId: opId(), itemId, value })).ok
			).toBe(true);
		}
		const progressOf = (home: homework.PartnerHome, userId: string) =>
			[...home.due, ...home.done]
				.find((a) => a.id === assignmentId)!
				.partners.find((p) => p.userId === userId);

		// Alex learns that Sam answered the two items for both of them, of two.
		const alexHome = await homework.partnerHome(database.db, practice.alex.id);
		expect(progressOf(alexHome, practice.sam.id)).toMatchObject({ answered: 2, total: 2 });
		expect(progressOf(alexHome, practice.alex.id)).toMatchObject({ answered: 0, total: 4 });
		// Sam and the therapist see Sam's full count.
		const samHome = await homework.partnerHome(database.db, practice.sam.id);
		expect(progressOf(samHome, practice.sam.id)).toMatchObject({ answered: 4, total: 4 });
		const [summary] = await homework.summaries(database.db, { assignmentId });
		expect(summary.partners.find((p) => p.userId === practice.sam.id)).toMatchObject({
			answered: 4,
			total: 4
		});
	});
});
