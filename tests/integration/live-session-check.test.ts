// Every message re-checks the socket's session. Here the check may not be stale at all and the
// sweep is off, so what a message sees is decided by the message alone, never by timing.
import { describe, expect, it, vi } from 'vitest';
import { sessionPolicy } from '$lib/server/auth/session';
import { testExercise } from '../helpers/exercise-fixture';
import { connect, connected, disconnected, opId, type Person, useLiveSetup } from '../helpers/live';

const t = useLiveSetup(testExercise, { sessionStaleMs: 0, sessionSweepMs: 0 });
const MINUTE = 60_000;

async function inRoom(who: Person) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	await connected(socket);
	const joined = await socket.emitWithAck('room:join', { assignmentId: t.assignmentId });
	expect(joined.ok).toBe(true);
	return socket;
}

const sessionRow = (id: string) =>
	t.database.db
		.selectFrom('sessions')
		.select(['last_seen_at', 'expires_at'])
		.where('id', '=', id)
		.executeTakeFirstOrThrow();

describe('messages from a socket whose session has ended', () => {
	it('refuses a write with "unauthenticated", saves nothing, and disconnects the socket', async () => {
		const socket = await inRoom(t.practice.alex);
		await t.database.db
			.updateTable('sessions')
			.set({ expires_at: new Date(Date.now() - 1000) })
			.where('id', '=', t.practice.alex.sessionId)
			.execute();
		const gone = disconnected(socket, 5000);

		const save = await socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'hope',
			value: 'Written after the session ended'
		});
		expect(save).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
		expect(await gone).toBe('io server disconnect');
		const saved = await t.database.db.selectFrom('responses').select('item_id').execute();
		expect(saved).toEqual([]);
	});

	it('refuses a read too once the session row is gone (signed out elsewhere)', async () => {
		const socket = await inRoom(t.practice.therapist);
		await t.database.db
			.deleteFrom('sessions')
			.where('id', '=', t.practice.therapist.sessionId)
			.execute();
		const gone = disconnected(socket, 5000);
		const list = await socket.emitWithAck('presence:list', { coupleId: t.practice.coupleId });
		expect(list).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
		expect(await gone).toBe('io server disconnect');
	});
});

describe('messages from a socket whose session is alive', () => {
	it('count a write as activity, sliding the idle limit at most once a minute; reads do not', async () => {
		const socket = await inRoom(t.practice.therapist);
		const id = t.practice.therapist.sessionId;
		// Two quiet minutes ago, with 13 minutes of the idle limit left.
		const quietSince = new Date(Date.now() - 2 * MINUTE);
		await t.database.db
			.updateTable('sessions')
			.set({ last_seen_at: quietSince, expires_at: new Date(Date.now() + 13 * MINUTE) })
			.where('id', '=', id)
			.execute();

		const list = await socket.emitWithAck('presence:list', { coupleId: t.practice.coupleId });
		expect(list.ok).toBe(true);
		expect((await sessionRow(id)).last_seen_at).toEqual(quietSince);

		const advance = await socket.emitWithAck('room:advance', { opId: opId(), sectionId: 'second' });
		expect(advance.ok).toBe(true);
		// The slide is written beside the write, not before its ack: wait for the row to show it.
		await vi.waitFor(async () =>
			expect((await sessionRow(id)).last_seen_at.getTime()).toBeGreaterThan(quietSince.getTime())
		);
		const slid = await sessionRow(id);
		expect(slid.expires_at.getTime()).toBeGreaterThan(
			Date.now() + sessionPolicy.therapist.idleMs - MINUTE
		);

		// Within the minute, another write leaves the row alone.
		const back = await socket.emitWithAck('room:advance', { opId: opId(), sectionId: 'first' });
		expect(back.ok).toBe(true);
		expect(await sessionRow(id)).toEqual(slid);
	});

	it('never revive a session that has expired', async () => {
		const socket = await inRoom(t.practice.sam);
		const expired = new Date(Date.now() - 1000);
		await t.database.db
			.updateTable('sessions')
			.set({ last_seen_at: new Date(Date.now() - 10 * MINUTE), expires_at: expired })
			.where('id', '=', t.practice.sam.sessionId)
			.execute();
		const save = await socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'hope',
			value: 'Too late'
		});
		expect(save).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
		expect((await sessionRow(t.practice.sam.sessionId)).expires_at).toEqual(expired);
	});
});
