// A socket lives no longer than its session: sessions are ended here by moving `expires_at` in the
// database (as the idle and absolute limits and a closed shared-device tab do), never by waiting.
import { describe, expect, it } from 'vitest';
import { createSession, generateSessionToken, SESSION_COOKIE } from '$lib/server/auth/session';
import { sessionIdFromToken, shortenSession } from '$lib/server/auth/session';
import { testExercise } from '../helpers/exercise-fixture';
import { connect, connected, disconnected, opId, type Person, useLiveSetup } from '../helpers/live';

const t = useLiveSetup(testExercise);

async function inRoom(who: Person) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	await connected(socket);
	const joined = await socket.emitWithAck('room:join', { assignmentId: t.assignmentId });
	expect(joined.ok).toBe(true);
	return socket;
}

const expireNow = (sessionId: string) =>
	t.database.db
		.updateTable('sessions')
		.set({ expires_at: new Date(Date.now() - 1000) })
		.where('id', '=', sessionId)
		.execute();

describe('a socket whose session ends', () => {
	it('is disconnected within 5 seconds once the session has expired', async () => {
		const socket = await inRoom(t.practice.alex);
		const save = await socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'hope',
			value: 'Talk every evening'
		});
		expect(save.ok).toBe(true);

		await expireNow(t.practice.alex.sessionId);
		expect(await disconnected(socket, 5000)).toBe('io server disconnect');
	});

	it('is disconnected within 5 seconds of a session row that is gone', async () => {
		const socket = await inRoom(t.practice.therapist);
		await t.database.db
			.deleteFrom('sessions')
			.where('id', '=', t.practice.therapist.sessionId)
			.execute();
		expect(await disconnected(socket, 5000)).toBe('io server disconnect');
	});

	it('keeps a shared-device session’s socket through the tab’s grace, and closes it when that runs out', async () => {
		const token = generateSessionToken();
		await createSession(
			t.database.db,
			token,
			{ id: t.practice.alex.id, role: 'partner' },
			{ sharedDevice: true }
		);
		const tablet: Person = {
			...t.practice.alex,
			cookie: `${SESSION_COOKIE}=${token}`,
			sessionId: sessionIdFromToken(token)
		};
		const socket = await inRoom(tablet);

		// The tab reported pagehide (what /c/session does): the session now ends in 30 seconds.
		await shortenSession(t.database.db, tablet.sessionId, 30_000);
		const during = await socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'hope',
			value: 'Still here during the grace'
		});
		expect(during.ok).toBe(true);

		// The tab never came back: the grace is over.
		await expireNow(tablet.sessionId);
		expect(await disconnected(socket, 5000)).toBe('io server disconnect');
	});

	it('leaves the sockets of other sessions alone', async () => {
		const alex = await inRoom(t.practice.alex);
		const sam = await inRoom(t.practice.sam);
		await expireNow(t.practice.alex.sessionId);
		await disconnected(alex, 5000);
		expect(sam.connected).toBe(true);
		const save = await sam.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'hope',
			value: 'A walk together'
		});
		expect(save.ok).toBe(true);
	});
});
