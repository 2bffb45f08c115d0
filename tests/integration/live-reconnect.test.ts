// The browser's room store against a real server: drops, queued answers, replays.
import { describe, expect, it, vi } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { LiveRoom } from '$lib/realtime/room.svelte';
import { testExercise } from '../helpers/exercise-fixture';
import {
	connect,
	connected,
	opId,
	startLiveServer,
	type Client,
	type Practice,
	useLiveSetup
} from '../helpers/live';

const t = useLiveSetup(testExercise);

function browserSocket(who: Practice['alex']): Client {
	const socket = connectClient(`${t.server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: { cookie: who.cookie },
		reconnectionDelay: 50,
		reconnectionDelayMax: 200,
		forceNew: true
	}) as Client;
	t.sockets.push(socket);
	return socket;
}

describe('a partner whose connection drops mid-section', () => {
	it('stores every queued answer exactly once and replays every missed event in order', async () => {
		const socket = browserSocket(t.practice.alex);
		const room = new LiveRoom(socket, t.assignmentId);
		await vi.waitFor(() => expect(room.status).toBe('live'));

		const sam = connect(t.server, t.practice.sam);
		t.sockets.push(sam);
		await connected(sam);
		await sam.emitWithAck('room:join', { assignmentId: t.assignmentId });

		// The line drops just as Alex answers: these may or may not reach the t.server before it does.
		room.saveAnswer('flirt', { choice: 'crosses-line' });
		socket.io.engine.close();
		room.saveAnswer('texting', { choice: 'talk-first' });
		room.saveAnswer('hope', 'That we keep talking');
		expect(room.queue.length).toBeGreaterThan(0);

		// Meanwhile Sam answers and locks; Alex misses these events.
		await sam.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'flirt',
			value: { choice: 'ok' }
		});
		await sam.emitWithAck('answer:save', { opId: opId(), itemId: 'hope', value: 'Honesty' });
		await sam.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });

		await vi.waitFor(() => {
			expect(room.status).toBe('live');
			expect(room.queue).toEqual([]);
		});

		const alexRows = await t.database.db
			.selectFrom('responses')
			.select(['item_id', 'value'])
			.where('user_id', '=', t.practice.alex.id)
			.orderBy('item_id')
			.execute();
		expect(alexRows).toEqual([
			{ item_id: 'flirt', value: { choice: 'crosses-line' } },
			{ item_id: 'hope', value: 'That we keep talking' },
			{ item_id: 'texting', value: { choice: 'talk-first' } }
		]);
		const saves = await t.database.db
			.selectFrom('room_events')
			.select('seq')
			.where('actor_id', '=', t.practice.alex.id)
			.where('type', '=', 'answer-saved')
			.execute();
		expect(saves).toHaveLength(3);

		// Alex's view caught up: Sam's open answer is there, the lock is known, nothing is hidden wrongly.
		await vi.waitFor(() => expect(room.view?.seq).toBe(6));
		expect(room.view?.answers[t.practice.sam.id]).toEqual({ hope: 'Honesty' });
		expect(room.view?.progress.find((p) => p.userId === t.practice.sam.id)?.lockedSections).toEqual(
			['first']
		);
		const applied = room.applied;
		expect([...applied].sort((a, b) => a - b)).toEqual(applied);
	});

	it('resumes the room after the t.server restarts on the same port', async () => {
		const socket = browserSocket(t.practice.alex);
		const room = new LiveRoom(socket, t.assignmentId);
		await vi.waitFor(() => expect(room.status).toBe('live'));
		room.saveAnswer('flirt', { choice: 'ok' });
		await vi.waitFor(() => expect(room.queue).toEqual([]));

		const port = Number(new URL(t.server.url).port);
		await t.server.close();
		await vi.waitFor(() => expect(room.status).not.toBe('live'));
		room.saveAnswer('texting', { choice: 'crosses-line' });

		t.server = await startLiveServer(port);
		await vi.waitFor(() => {
			expect(room.status).toBe('live');
			expect(room.queue).toEqual([]);
		});
		const rows = await t.database.db
			.selectFrom('responses')
			.select('item_id')
			.where('user_id', '=', t.practice.alex.id)
			.execute();
		expect(rows.map((r) => r.item_id).sort()).toEqual(['flirt', 'texting']);
	});

	it('says so when the session ends, and keeps what was not sent yet', async () => {
		const socket = browserSocket(t.practice.alex);
		const room = new LiveRoom(socket, t.assignmentId);
		await vi.waitFor(() => expect(room.status).toBe('live'));

		await t.database.db
			.updateTable('sessions')
			.set({ expires_at: new Date(Date.now() - 1000) })
			.where('id', '=', t.practice.alex.sessionId)
			.execute();
		await vi.waitFor(() => expect(room.problem).toMatch(/signed out/), { timeout: 6000 });
		expect(room.status).toBe('offline');
		room.saveAnswer('hope', 'Typed after the session ended');
		expect(room.queue.map((w) => w.payload.value)).toEqual(['Typed after the session ended']);
	});

	it("keeps the other partner's overwritten joint text visible to them", async () => {
		const alexRoom = new LiveRoom(browserSocket(t.practice.alex), t.assignmentId);
		const samRoom = new LiveRoom(browserSocket(t.practice.sam), t.assignmentId);
		await vi.waitFor(() => {
			expect(alexRoom.status).toBe('live');
			expect(samRoom.status).toBe('live');
		});
		alexRoom.send('joint:save', { itemId: 'our-words', value: 'We tell each other first' });
		await vi.waitFor(() =>
			expect(samRoom.view?.joint['our-words']).toBe('We tell each other first')
		);
		samRoom.send('joint:save', { itemId: 'our-words', value: 'We talk it through the same day' });
		await vi.waitFor(() => {
			expect(alexRoom.view?.joint['our-words']).toBe('We talk it through the same day');
			expect(alexRoom.jointChanges['our-words']).toEqual({
				actorId: t.practice.sam.id,
				previous: 'We tell each other first'
			});
		});
	});
});
