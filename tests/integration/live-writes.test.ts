// What a save costs on the wire: each member's packets of one turn of the event loop leave in one TCP
// write (realtime/coalesce.ts), in the order they were sent, and nothing waits for a later turn.
import { describe, expect, it } from 'vitest';
import type { Socket as TcpSocket } from 'node:net';
import { testExercise } from '../helpers/exercise-fixture';
import { connect, connected, opId, recorder, useLiveSetup, type Practice } from '../helpers/live';

const t = useLiveSetup(testExercise);

/** Counts the writes the server's TCP socket for this user hands to the kernel. */
function countWrites(userId: string) {
	const live = t.server.io.of('/live');
	const socket = [...live.sockets.values()].find((s) => s.data.userId === userId);
	if (!socket) throw new Error(`no socket for ${userId}`);
	const tcp = socket.conn.request.socket as TcpSocket & {
		_write: (...args: unknown[]) => void;
		_writev: (...args: unknown[]) => void;
	};
	const counter = { writes: 0 };
	for (const method of ['_write', '_writev'] as const) {
		const original = tcp[method].bind(tcp);
		tcp[method] = (...args: unknown[]) => {
			counter.writes += 1;
			original(...args);
		};
	}
	return counter;
}

async function joined(who: Practice['alex']) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	const events = recorder(socket);
	const order: string[] = [];
	socket.onAny((event, payload) => order.push(`${event}:${payload?.type ?? ''}`));
	await connected(socket);
	expect((await socket.emitWithAck('room:join', { assignmentId: t.assignmentId })).ok).toBe(true);
	return { socket, events, order };
}

describe('writes to the wire', () => {
	it("sends a save's event and its ack to the partner who saved in one write, event first", async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const therapist = await joined(t.practice.therapist);
		const writes = {
			alex: countWrites(t.practice.alex.id),
			sam: countWrites(t.practice.sam.id),
			therapist: countWrites(t.practice.therapist.id)
		};

		const ack = await alex.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'flirt',
			value: { choice: 'ok' }
		});
		expect(ack).toMatchObject({ ok: true, seq: expect.any(Number) });
		// The event about the save reached Alex before the ack did (the order the server sent them).
		const own = alex.events.events.find((e) => e.itemId === 'flirt');
		expect(own).toMatchObject({ type: 'answer-saved', seq: (ack as { seq: number }).seq });
		await sam.events.next((e) => e.itemId === 'flirt');
		await therapist.events.next((e) => e.itemId === 'flirt');

		expect(writes).toEqual({ alex: { writes: 1 }, sam: { writes: 1 }, therapist: { writes: 1 } });
	});

	it('keeps every save, in order, when many are sent at once', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const values = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
		const acks = await Promise.all(
			values.map((value) =>
				alex.socket.emitWithAck('answer:save', { opId: opId(), itemId: 'hope', value })
			)
		);
		const seqs = acks.map((a) => (a as { seq: number }).seq);
		expect(acks.every((a) => a.ok)).toBe(true);
		expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
		await sam.events.next((e) => e.itemId === 'hope' && e.value === 'eight');
		const heard = sam.events.events.filter((e) => e.itemId === 'hope');
		expect(heard.map((e) => e.value)).toEqual(values);
		expect(heard.map((e) => e.seq)).toEqual(seqs);
	});
});
