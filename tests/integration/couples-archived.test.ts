// An archived couple is read-only for its partners, whichever way they come in: the homework page and
// its API by a saved link, and the live room's socket. Against the production server with the demo.
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import type { ExerciseItem } from '$lib/exercises/definition';
import type { RoomView } from '$lib/realtime/events';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';

const app = useApp();
const sockets: Socket[] = [];
afterEach(() => {
	for (const socket of sockets.splice(0)) socket.disconnect();
});

let counter = 0;
const opId = () => `archived-${Date.now().toString(36)}-${counter++}`;

const as = (email: string, totp?: string) =>
	new HttpClient(app.server.url).signIn(email, DEMO_PASSWORD, totp);

/** A value that fits the item, so only the couple's state can refuse it. */
function fittingValue(item: ExerciseItem): unknown {
	switch (item.type) {
		case 'scenario':
			return { choice: 'talk-first' };
		case 'likert5':
			return 3;
		case 'scale10':
			return 5;
		case 'choice':
			return item.options![0].id;
		case 'checklist':
			return [item.options![0].id];
		case 'text':
			return 'A few words.';
		case 'list':
			return ['One thing'];
	}
}

/** An item of a section this partner has not locked and that is not revealed: open to an answer. */
function openItem(view: RoomView, sectionId?: string) {
	const mine = view.progress.find((p) => p.userId === view.me.userId);
	const section = view.definition.sections.find(
		(s) =>
			(sectionId === undefined || s.id === sectionId) &&
			s.items.length > 0 &&
			!mine?.lockedSections.includes(s.id) &&
			!view.revealedSections.includes(s.id)
	);
	if (!section) throw new Error('no open section to answer');
	return { section, item: section.items[0] };
}

async function liveSocket(client: HttpClient) {
	const socket = connectClient(`${app.server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: { cookie: client.cookieHeader },
		reconnection: false
	});
	sockets.push(socket);
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', () => resolve());
		socket.once('connect_error', reject);
	});
	return socket;
}

function postAnswer(client: HttpClient, assignmentId: string, body: unknown) {
	return client.request(`/api/assignments/${assignmentId}/answers`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
}

describe('an archived couple', () => {
	it('lets its partners read but not answer, by HTTP and in the live room, until it is restored', async () => {
		const therapist = await as('therapist@trellis.test', DEMO_TOTP_SECRET);
		const alex = await as('alex@trellis.test');
		const home = await (await alex.get('/c')).text();
		const homeworkId = home.match(/\/c\/assignments\/([0-9a-f-]{36})/)![1];
		const liveId = home.match(/\/live\/([0-9a-f-]{36})/)![1];
		const coupleId = (await (await therapist.get('/app')).text()).match(
			/href="\/app\/couples\/([0-9a-f-]{36})">Alex &amp; Sam/
		)![1];
		const homework = (await (
			await alex.get(`/api/assignments/${homeworkId}/answers`)
		).json()) as RoomView;
		const { item, section } = openItem(homework);

		const archived = await therapist.postForm(`/app/couples/${coupleId}?/archive`, {});
		expect(archived.status).toBe(303);

		// Homework through its API: refused with a stable code and a sentence, and nothing stored.
		const refused = await postAnswer(alex, homeworkId, {
			action: 'answer',
			opId: opId(),
			itemId: item.id,
			value: fittingValue(item)
		});
		expect(refused.status).toBe(409);
		const body = await refused.json();
		expect(body).toMatchObject({ ok: false, error: { code: 'couple-archived' } });
		expect(body.error.message).toMatch(/archived/);
		const locked = await postAnswer(alex, homeworkId, {
			action: 'lock',
			opId: opId(),
			sectionId: section.id
		});
		expect(await locked.json()).toMatchObject({ ok: false, error: { code: 'couple-archived' } });
		const after = (await (
			await alex.get(`/api/assignments/${homeworkId}/answers`)
		).json()) as RoomView;
		expect(after.seq).toBe(homework.seq);
		expect(after.assignment.isArchived).toBe(true);

		// The homework page still opens, says why nothing can change, and offers no lock button.
		const page = await alex.get(`/c/assignments/${homeworkId}`);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain(body.error.message);
		expect(html).not.toMatch(/>\s*Lock my answers/);

		// The live room: joining to read works, every write is refused with the same code.
		const socket = await liveSocket(alex);
		const joined = await socket.emitWithAck('room:join', { assignmentId: liveId });
		expect(joined.ok).toBe(true);
		if (!joined.ok) return;
		const live = openItem(joined.view, joined.view.assignment.currentSectionId ?? undefined);
		const joint = live.section.items.find((i) => i.joint);
		expect(joint).toBeDefined();
		const writes = [
			await socket.emitWithAck('answer:save', {
				opId: opId(),
				itemId: live.item.id,
				value: fittingValue(live.item)
			}),
			await socket.emitWithAck('answer:lock', { opId: opId(), sectionId: live.section.id }),
			await socket.emitWithAck('joint:save', {
				opId: opId(),
				itemId: joint!.id,
				value: fittingValue(joint!)
			})
		];
		for (const ack of writes) {
			expect(ack).toMatchObject({ ok: false, error: { code: 'couple-archived' } });
		}
		const rejoined = await socket.emitWithAck('room:join', { assignmentId: liveId });
		expect(rejoined.ok && rejoined.seq).toBe(joined.seq);

		// Restored, the same partner answers again.
		expect((await therapist.postForm(`/app/couples/${coupleId}?/restore`, {})).status).toBe(303);
		const saved = await postAnswer(alex, homeworkId, {
			action: 'answer',
			opId: opId(),
			itemId: item.id,
			value: fittingValue(item)
		});
		expect(saved.status).toBe(200);
		const again = await socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: live.item.id,
			value: fittingValue(live.item)
		});
		expect(again.ok).toBe(true);
	});
});
