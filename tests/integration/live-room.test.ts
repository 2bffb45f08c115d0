import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { MAX_PAYLOAD_BYTES } from '$lib/realtime/events';
import * as couples from '$lib/server/couples';
import { testExercise } from '../helpers/exercise-fixture';
import {
	connect,
	connected,
	opId,
	recorder,
	type Client,
	type Practice,
	useLiveSetup
} from '../helpers/live';

const t = useLiveSetup(testExercise);

async function joined(who: Practice['alex'], id = t.assignmentId) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	const events = recorder(socket);
	await connected(socket);
	const ack = await socket.emitWithAck('room:join', { assignmentId: id });
	expect(ack.ok).toBe(true);
	return { socket, events, ack: ack as Extract<typeof ack, { ok: true }> };
}

const save = (socket: Client, itemId: string, value: unknown, op = opId()) =>
	socket.emitWithAck('answer:save', { opId: op, itemId, value });

async function count(table: 'responses' | 'room_events' | 'op_receipts' | 'safety_flags') {
	const row = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
		t.database.db
	);
	return row.rows[0].n;
}

describe('joining a room', () => {
	it('answers rooms that are not yours, or do not exist, with not-found', async () => {
		for (const who of [t.practice.stranger]) {
			const socket = connect(t.server, who);
			t.sockets.push(socket);
			await connected(socket);
			expect(await socket.emitWithAck('room:join', { assignmentId: t.assignmentId })).toMatchObject(
				{
					ok: false,
					error: { code: 'not-found' }
				}
			);
			expect(await socket.emitWithAck('room:join', { assignmentId: 'not-a-uuid' })).toMatchObject({
				ok: false,
				error: { code: 'not-found' }
			});
		}
	});

	it('shows each partner only the items meant for their role', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const itemsOf = (view: typeof alex.ack.view) =>
			view.definition.sections.flatMap((s) => s.items.map((i) => i.id));
		expect(itemsOf(alex.ack.view)).toContain('needs');
		expect(itemsOf(alex.ack.view)).not.toContain('steps');
		expect(itemsOf(sam.ack.view)).toContain('steps');
		expect(itemsOf(sam.ack.view)).not.toContain('needs');
		const refused = await sam.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'needs',
			value: ['x']
		});
		expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
	});
});

describe('answers and reveal', () => {
	it('refuses to lock a section before anything in it is answered, and keeps the socket usable', async () => {
		const alex = await joined(t.practice.alex);
		const empty = await alex.socket.emitWithAck('answer:lock', {
			opId: opId(),
			sectionId: 'first'
		});
		expect(empty).toMatchObject({ ok: false, error: { code: 'nothing-answered' } });
		await save(alex.socket, 'flirt', { choice: 'ok' });
		const locked = await alex.socket.emitWithAck('answer:lock', {
			opId: opId(),
			sectionId: 'first'
		});
		expect(locked).toMatchObject({ ok: true });
	});

	it("hides a partner's answer until both have locked, then reveals the section to both in one event", async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const therapist = await joined(t.practice.therapist);

		const saved = await save(alex.socket, 'flirt', { choice: 'crosses-line' });
		expect(saved).toMatchObject({ ok: true, seq: expect.any(Number) });

		const heardBySam = await sam.events.next((e) => e.itemId === 'flirt');
		expect(heardBySam).toMatchObject({ type: 'partner-answered', itemId: 'flirt' });
		expect(heardBySam).not.toHaveProperty('value');
		expect(JSON.stringify(sam.events.events)).not.toContain('crosses-line');
		// The therapist facilitates and sees the value at once.
		expect(await therapist.events.next((e) => e.itemId === 'flirt')).toMatchObject({
			type: 'answer-saved',
			value: { choice: 'crosses-line' }
		});

		await save(sam.socket, 'flirt', { choice: 'talk-first' });
		await save(alex.socket, 'private', 2);
		expect(
			(await alex.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' })).ok
		).toBe(true);
		// Barrier: Sam has heard Alex lock, so every frame about Alex's answers has reached him.
		await sam.events.next((e) => e.type === 'section-locked' && e.actorId === t.practice.alex.id);
		expect(JSON.stringify(sam.events.events)).not.toContain('crosses-line');

		const lock = await sam.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });
		expect(lock).toMatchObject({ ok: true, revealed: true });
		const revealedToSam = await sam.events.next((e) => e.type === 'section-revealed');
		const revealedToAlex = await alex.events.next((e) => e.type === 'section-revealed');
		expect(revealedToSam.seq).toBe(revealedToAlex.seq);
		expect(revealedToSam.answers).toEqual({
			[t.practice.alex.id]: { flirt: { choice: 'crosses-line' } },
			[t.practice.sam.id]: { flirt: { choice: 'talk-first' } }
		});
		// A therapist-only answer never reaches the other partner, not even in the reveal.
		const aboutPrivate = sam.events.events.filter((e) => e.itemId === 'private');
		expect(aboutPrivate.map((e) => e.type)).toEqual(['partner-answered']);
		expect(aboutPrivate[0]).not.toHaveProperty('value');
	});

	it('shows an open item to the other partner as soon as it is saved', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		await save(alex.socket, 'hope', 'More evenings together');
		expect(await sam.events.next((e) => e.itemId === 'hope')).toMatchObject({
			type: 'answer-saved',
			value: 'More evenings together'
		});
	});

	it('stores a repeated opId once and answers it with the first result', async () => {
		const alex = await joined(t.practice.alex);
		const op = opId();
		const first = await save(alex.socket, 'flirt', { choice: 'ok' }, op);
		const again = await save(alex.socket, 'flirt', { choice: 'ok' }, op);
		const concurrent = await Promise.all(
			[1, 2, 3].map(() => save(alex.socket, 'texting', { choice: 'ok' }, 'same-op-racing'))
		);
		expect(again).toEqual(first);
		expect(concurrent).toEqual([concurrent[0], concurrent[0], concurrent[0]]);
		expect(await count('room_events')).toBe(2);
		expect(await count('op_receipts')).toBe(2);
	});
});

describe('bad input', () => {
	it('refuses each bad message with a stable code, stores nothing, and keeps the socket usable', async () => {
		const alex = await joined(t.practice.alex);
		const s = alex.socket;
		const unknown = await new Promise((resolve) =>
			(s as unknown as { emit: (...a: unknown[]) => void }).emit('room:explode', {}, resolve)
		);
		expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-event' } });
		const cases: [string, unknown, string][] = [
			['answer:save', 'not an object', 'bad-request'],
			['answer:save', { opId: 'short', itemId: 'flirt', value: { choice: 'ok' } }, 'bad-request'],
			['answer:save', { opId: opId(), itemId: 'nope', value: 1 }, 'not-found'],
			[
				'answer:save',
				{ opId: opId(), itemId: 'flirt', value: { choice: 'maybe' } },
				'invalid-answer'
			],
			['answer:save', { opId: opId(), itemId: 'private', value: 9 }, 'invalid-answer'],
			// PostgreSQL stores neither a NUL nor half a surrogate pair: refused, not retried forever.
			['answer:save', { opId: opId(), itemId: 'hope', value: 'a\u0000b' }, 'invalid-answer'],
			['answer:save', { opId: opId(), itemId: 'hope', value: 'half \ud83d' }, 'invalid-answer'],
			['joint:save', { opId: opId(), itemId: 'our-words', value: 'a\u0000b' }, 'invalid-answer'],
			[
				'joint:save',
				{ opId: opId(), itemId: 'needs', value: { add: 'a\u0000b' } },
				'invalid-answer'
			],
			[
				'answer:save',
				{ opId: opId(), itemId: 'hope', value: 'x'.repeat(MAX_PAYLOAD_BYTES + 10) },
				'payload-too-large'
			],
			['answer:save', { opId: opId(), itemId: 'steps', value: ['ended'] }, 'forbidden'],
			['answer:save', { opId: opId(), itemId: 'needs', value: ['calls'] }, 'section-not-current'],
			['room:advance', { opId: opId(), sectionId: 'second' }, 'forbidden'],
			['answer:lock', { opId: opId(), sectionId: 'missing' }, 'not-found']
		];
		for (const [event, payload, code] of cases) {
			const result = await (
				s as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }
			).emitWithAck(event, payload);
			expect(result, `${event} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({
				ok: false,
				error: { code }
			});
		}
		const nameItem = await save(s, 'flirt', { choice: 'maybe' });
		expect(JSON.stringify(nameItem)).toContain('flirt');
		expect(await count('responses')).toBe(0);
		expect(await count('room_events')).toBe(0);
		expect(s.connected).toBe(true);
		expect((await save(s, 'flirt', { choice: 'ok' })).ok).toBe(true);
	});

	it('refuses writes before joining, to a locked section, and after the session ends', async () => {
		const lonely = connect(t.server, t.practice.alex);
		t.sockets.push(lonely);
		await connected(lonely);
		expect(await save(lonely, 'flirt', { choice: 'ok' })).toMatchObject({
			ok: false,
			error: { code: 'not-joined' }
		});

		const alex = await joined(t.practice.alex);
		await save(alex.socket, 'flirt', { choice: 'ok' });
		await alex.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });
		expect(await save(alex.socket, 'flirt', { choice: 'talk-first' })).toMatchObject({
			ok: false,
			error: { code: 'section-locked' }
		});

		const therapist = await joined(t.practice.therapist);
		expect((await therapist.socket.emitWithAck('room:end', { opId: opId() })).ok).toBe(true);
		expect(await save(alex.socket, 'texting', { choice: 'ok' })).toMatchObject({
			ok: false,
			error: { code: 'room-closed' }
		});
	});

	it('refuses a partner’s writes once the couple is archived, on a socket that joined before', async () => {
		const alex = await joined(t.practice.alex);
		const therapist = await joined(t.practice.therapist);
		expect((await save(alex.socket, 'flirt', { choice: 'ok' })).ok).toBe(true);
		expect(
			await couples.setArchived(t.database.db, t.practice.therapist.id, t.practice.coupleId, true)
		).toBe(true);
		const refusals = [
			await save(alex.socket, 'texting', { choice: 'ok' }),
			await alex.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' }),
			await alex.socket.emitWithAck('joint:save', {
				opId: opId(),
				itemId: 'flirt',
				value: { choice: 'ok' }
			})
		];
		for (const ack of refusals) {
			expect(ack).toMatchObject({ ok: false, error: { code: 'couple-archived' } });
		}
		expect(await count('responses')).toBe(1);
		// The therapist can still end the room of an archived couple.
		expect((await therapist.socket.emitWithAck('room:end', { opId: opId() })).ok).toBe(true);
	});

	it('tells a socket sending more than 20 messages a second to slow down', async () => {
		const alex = await joined(t.practice.alex);
		const results = await Promise.all(
			Array.from({ length: 30 }, () =>
				alex.socket.emitWithAck('presence:list', { coupleId: t.practice.coupleId })
			)
		);
		expect(results.filter((r) => !r.ok && r.error.code === 'rate-limited').length).toBeGreaterThan(
			0
		);
		expect(alex.socket.connected).toBe(true);
	});
});

describe('the therapist and joint answers', () => {
	it('moves the room between sections; partners follow', async () => {
		const alex = await joined(t.practice.alex);
		const therapist = await joined(t.practice.therapist);
		expect(
			(await therapist.socket.emitWithAck('room:advance', { opId: opId(), sectionId: 'second' })).ok
		).toBe(true);
		expect(await alex.events.next((e) => e.type === 'section-opened')).toMatchObject({
			sectionId: 'second'
		});
		expect((await save(alex.socket, 'needs', ['A call when running late'])).ok).toBe(true);
	});

	it('moves the room once per opId: a repeat gets the first seq back, and a closed room refuses', async () => {
		const alex = await joined(t.practice.alex);
		const therapist = await joined(t.practice.therapist);
		const op = opId();
		const first = await therapist.socket.emitWithAck('room:advance', {
			opId: op,
			sectionId: 'second'
		});
		expect(first).toMatchObject({ ok: true, seq: expect.any(Number) });
		const again = await therapist.socket.emitWithAck('room:advance', {
			opId: op,
			sectionId: 'second'
		});
		expect(again).toEqual(first);
		// Barrier: Alex hears the one section-opened, then a later save; nothing came between them.
		expect((await save(alex.socket, 'needs', ['A call'])).ok).toBe(true);
		await alex.events.next((e) => e.itemId === 'needs');
		expect(alex.events.events.filter((e) => e.type === 'section-opened')).toHaveLength(1);
		const opened = await sql<{ n: number }>`select count(*)::int as n from room_events
			where type = 'section-opened'`.execute(t.database.db);
		expect(opened.rows[0].n).toBe(1);

		expect((await therapist.socket.emitWithAck('room:end', { opId: opId() })).ok).toBe(true);
		expect(
			await therapist.socket.emitWithAck('room:advance', { opId: opId(), sectionId: 'first' })
		).toMatchObject({ ok: false, error: { code: 'room-closed' } });
		expect(
			await therapist.socket.emitWithAck('room:advance', { opId: opId(), sectionId: 'nowhere' })
		).toMatchObject({ ok: false, error: { code: 'not-found' } });
	});

	it('lets the therapist reveal early and re-open a section, each audited', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const therapist = await joined(t.practice.therapist);
		await save(alex.socket, 'flirt', { choice: 'ok' });
		expect(
			await sam.socket.emitWithAck('room:reveal', { opId: opId(), sectionId: 'first' })
		).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		expect(
			(await therapist.socket.emitWithAck('room:reveal', { opId: opId(), sectionId: 'first' })).ok
		).toBe(true);
		expect(await sam.events.next((e) => e.type === 'section-revealed')).toMatchObject({
			answers: { [t.practice.alex.id]: { flirt: { choice: 'ok' } } }
		});
		expect(await save(alex.socket, 'flirt', { choice: 'talk-first' })).toMatchObject({
			ok: false,
			error: { code: 'section-locked' }
		});
		expect(
			(await therapist.socket.emitWithAck('room:reopen', { opId: opId(), sectionId: 'first' })).ok
		).toBe(true);
		await alex.events.next((e) => e.type === 'section-reopened');
		expect((await save(alex.socket, 'flirt', { choice: 'talk-first' })).ok).toBe(true);
		const audited = await t.database.db
			.selectFrom('audit_log')
			.select('action')
			.where('action', 'like', 'room.section.%')
			.orderBy('id')
			.execute();
		expect(audited.map((a) => a.action)).toEqual(['room.section.reveal', 'room.section.reopen']);
	});

	it('keeps every entry when both partners add to a joint list at the same time', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const adds = await Promise.all([
			...['Check in at lunch', 'Share the calendar', 'Phone stays on the table'].map((entry) =>
				alex.socket.emitWithAck('joint:save', {
					opId: opId(),
					itemId: 'needs',
					value: { add: entry }
				})
			),
			...['Name the hard days', 'Weekly walk'].map((entry) =>
				sam.socket.emitWithAck('joint:save', {
					opId: opId(),
					itemId: 'needs',
					value: { add: entry }
				})
			)
		]);
		expect(adds.every((a) => a.ok)).toBe(true);
		const row = await t.database.db
			.selectFrom('joint_answers')
			.select('value')
			.executeTakeFirstOrThrow();
		expect((row.value as string[]).sort()).toEqual(
			[
				'Check in at lunch',
				'Name the hard days',
				'Phone stays on the table',
				'Share the calendar',
				'Weekly walk'
			].sort()
		);
	});

	it('raises a safety flag for the therapist that the other partner never hears of', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const therapist = await joined(t.practice.therapist);
		await therapist.socket.emitWithAck('room:advance', { opId: opId(), sectionId: 'second' });
		const saved = await save(alex.socket, 'unsafe', 'often');
		expect(saved).toMatchObject({ ok: true, safety: true });
		expect(await count('safety_flags')).toBe(1);
		await therapist.events.next((e) => e.itemId === 'unsafe');
		const samHeard = await sam.events.next((e) => e.itemId === 'unsafe');
		expect(samHeard).not.toHaveProperty('value');
		expect(JSON.stringify(sam.events.events)).not.toMatch(/often|safety/);
	});
});

describe('reconnecting', () => {
	it('replays every missed event in order through sinceSeq', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		await save(alex.socket, 'flirt', { choice: 'ok' });
		const lastSeen = (await sam.events.next((e) => e.itemId === 'flirt')).seq as number;
		sam.socket.disconnect();

		await save(alex.socket, 'texting', { choice: 'talk-first' });
		await save(alex.socket, 'hope', 'Patience');
		await alex.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });

		const back = connect(t.server, t.practice.sam);
		t.sockets.push(back);
		await connected(back);
		const rejoin = await back.emitWithAck('room:join', {
			assignmentId: t.assignmentId,
			sinceSeq: lastSeen
		});
		expect(rejoin.ok).toBe(true);
		if (!rejoin.ok) return;
		expect(rejoin.events.map((e) => e.seq)).toEqual([lastSeen + 1, lastSeen + 2, lastSeen + 3]);
		expect(rejoin.events.map((e) => e.type)).toEqual([
			'partner-answered',
			'answer-saved',
			'section-locked'
		]);
		expect(JSON.stringify(rejoin.events)).not.toContain('talk-first');
	});
});
