// The live room's arrival and ending, over real Socket.IO clients: the therapist is listed in the room
// with her presence, the room starts when she first opens it, and when she ends it every member
// holds the ended state.
import { describe, expect, it } from 'vitest';
import { testExercise } from '../helpers/exercise-fixture';
import {
	connect,
	connected,
	opId,
	recorder,
	type Client,
	type Person,
	useLiveSetup
} from '../helpers/live';

const t = useLiveSetup(testExercise);

type Presence = { userId: string; online: boolean; assignmentId?: string };

async function joined(who: Person) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	const events = recorder(socket);
	const presence: Presence[] = [];
	socket.on('presence', (p) => presence.push(p));
	await connected(socket);
	const ack = await socket.emitWithAck('room:join', { assignmentId: t.assignmentId });
	if (!ack.ok) throw new Error(`join refused: ${ack.error.code}`);
	return { socket, events, presence, ack };
}

/** Resolves with the first room presence (heard already, or still to come) of this user. */
function presenceOf(socket: Client, heard: Presence[], userId: string, online: boolean) {
	const match = (p: Presence) =>
		p.userId === userId && p.online === online && p.assignmentId === t.assignmentId;
	const earlier = heard.find(match);
	if (earlier) return Promise.resolve(earlier);
	return new Promise<Presence>((resolve) => {
		const listener = (p: Presence) => {
			if (!match(p)) return;
			socket.off('presence', listener);
			resolve(p);
		};
		socket.on('presence', listener);
	});
}

describe('the therapist in the room', () => {
	it('names the therapist in the view, and tells the partners when she comes and goes', async () => {
		const alex = await joined(t.practice.alex);
		expect(alex.ack.view.therapist).toEqual({
			userId: t.practice.therapist.id,
			name: t.practice.therapist.name
		});
		expect(alex.ack.online).toEqual([t.practice.alex.id]);

		const therapist = await joined(t.practice.therapist);
		expect(therapist.ack.online.sort()).toEqual(
			[t.practice.alex.id, t.practice.therapist.id].sort()
		);
		await presenceOf(alex.socket, alex.presence, t.practice.therapist.id, true);

		therapist.socket.disconnect();
		await presenceOf(alex.socket, alex.presence, t.practice.therapist.id, false);
		const list = await alex.socket.emitWithAck('presence:list', { coupleId: t.practice.coupleId });
		expect(list).toMatchObject({ ok: true });
		if (list.ok) expect(list.online).not.toContain(t.practice.therapist.id);
	});

	it('starts the room when the therapist first opens it, once, and tells those waiting', async () => {
		const alex = await joined(t.practice.alex);
		expect(alex.ack.view.assignment.openedAt).toBeNull();

		const therapist = await joined(t.practice.therapist);
		expect(therapist.ack.view.assignment.openedAt).toEqual(expect.any(String));
		const opened = await alex.events.next((e) => e.type === 'room-opened');
		expect(opened).toMatchObject({
			actorId: t.practice.therapist.id,
			openedAt: therapist.ack.view.assignment.openedAt
		});

		// A second visit does not open it again.
		therapist.socket.disconnect();
		const again = await joined(t.practice.therapist);
		expect(again.ack.view.assignment.openedAt).toBe(therapist.ack.view.assignment.openedAt);
		const rows = await t.database.db
			.selectFrom('room_events')
			.select('type')
			.where('assignment_id', '=', t.assignmentId)
			.where('type', '=', 'room-opened')
			.execute();
		expect(rows).toHaveLength(1);

		// A partner's join never opens it.
		const other = await t.database.db
			.updateTable('assignments')
			.set({ opened_at: null })
			.where('id', '=', t.assignmentId)
			.returning('id')
			.executeTakeFirstOrThrow();
		expect(other.id).toBe(t.assignmentId);
		const sam = await joined(t.practice.sam);
		expect(sam.ack.view.assignment.openedAt).toBeNull();
	});
});

describe('the end of a session', () => {
	it('tells every member the room ended, keeps it ended on a re-join, and refuses writes with room-closed', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const therapist = await joined(t.practice.therapist);
		expect(
			(
				await alex.socket.emitWithAck('answer:save', {
					opId: opId(),
					itemId: 'flirt',
					value: { choice: 'ok' }
				})
			).ok
		).toBe(true);

		// Only the therapist ends it.
		expect(await sam.socket.emitWithAck('room:end', { opId: opId() })).toMatchObject({
			ok: false,
			error: { code: 'forbidden' }
		});
		expect((await therapist.socket.emitWithAck('room:end', { opId: opId() })).ok).toBe(true);
		for (const member of [alex, sam, therapist]) {
			expect(await member.events.next((e) => e.type === 'room-closed')).toMatchObject({
				actorId: t.practice.therapist.id
			});
		}

		const refusals = [
			await alex.socket.emitWithAck('answer:save', {
				opId: opId(),
				itemId: 'texting',
				value: { choice: 'ok' }
			}),
			await alex.socket.emitWithAck('joint:save', {
				opId: opId(),
				itemId: 'our-words',
				value: 'Too late'
			}),
			await therapist.socket.emitWithAck('room:advance', { opId: opId(), sectionId: 'second' }),
			await therapist.socket.emitWithAck('room:end', { opId: opId() })
		];
		for (const refusal of refusals)
			expect(refusal).toMatchObject({ ok: false, error: { code: 'room-closed' } });

		// The sockets stay usable, and a re-join reads the ended room with what was answered.
		expect(alex.socket.connected).toBe(true);
		const again = await alex.socket.emitWithAck('room:join', { assignmentId: t.assignmentId });
		expect(again).toMatchObject({ ok: true, view: { assignment: { status: 'closed' } } });
		if (again.ok)
			expect(again.view.answers[t.practice.alex.id]).toEqual({ flirt: { choice: 'ok' } });
	});
});
