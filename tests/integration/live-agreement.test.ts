// Joint answers as proposals, over real Socket.IO clients: one partner alone never sets the couple's
// agreement; the other partner (or the therapist in the room) confirms the revision they saw; any
// change is a new proposal; answers both gave alike are pre-filled as a proposal at the reveal.
import { describe, expect, it } from 'vitest';
import * as homework from '$lib/server/homework';
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

async function joined(who: Person) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	const events = recorder(socket);
	await connected(socket);
	const ack = await socket.emitWithAck('room:join', { assignmentId: t.assignmentId });
	if (!ack.ok) throw new Error(`join refused: ${ack.error.code}`);
	return { socket, events, ack };
}

const propose = (socket: Client, itemId: string, value: unknown) =>
	socket.emitWithAck('joint:save', { opId: opId(), itemId, value });
const confirm = (socket: Client, itemId: string, revision: number) =>
	socket.emitWithAck('joint:confirm', { opId: opId(), itemId, revision });

function row(itemId: string) {
	return t.database.db
		.selectFrom('joint_answers')
		.select(['value', 'proposed_by', 'revision', 'confirmed_by', 'confirmed_at'])
		.where('assignment_id', '=', t.assignmentId)
		.where('item_id', '=', itemId)
		.executeTakeFirst();
}

const agreedItems = async () =>
	(await homework.agreements(t.database.db, t.practice.coupleId)).flatMap((a) =>
		a.entries.map((e) => e.itemId)
	);

describe('a joint answer is proposed by one partner and confirmed by the other', () => {
	it('never lets one partner set the agreement alone; the other confirms it', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);

		expect(await propose(alex.socket, 'flirt', { choice: 'talk-first' })).toMatchObject({
			ok: true
		});
		expect(await sam.events.next((e) => e.type === 'joint-saved')).toMatchObject({
			actorId: t.practice.alex.id,
			itemId: 'flirt',
			value: { choice: 'talk-first' },
			revision: 1
		});
		expect(await row('flirt')).toMatchObject({
			proposed_by: t.practice.alex.id,
			confirmed_at: null
		});
		expect(await agreedItems()).toEqual([]);

		// Alex cannot confirm his own proposal; the refusal has a stable code and the socket carries on.
		expect(await confirm(alex.socket, 'flirt', 1)).toMatchObject({
			ok: false,
			error: { code: 'own-proposal' }
		});
		expect(alex.socket.connected).toBe(true);
		expect(
			(await alex.socket.emitWithAck('presence:list', { coupleId: t.practice.coupleId })).ok
		).toBe(true);

		expect(await confirm(sam.socket, 'flirt', 1)).toMatchObject({ ok: true });
		expect(await alex.events.next((e) => e.type === 'joint-confirmed')).toMatchObject({
			actorId: t.practice.sam.id,
			itemId: 'flirt',
			revision: 1
		});
		expect(await row('flirt')).toMatchObject({ confirmed_by: t.practice.sam.id });
		expect(await agreedItems()).toEqual(['flirt']);
		// Confirmed once is enough: a second confirmation is refused, not applied again.
		expect(await confirm(sam.socket, 'flirt', 1)).toMatchObject({
			ok: false,
			error: { code: 'already-agreed' }
		});

		// A re-join shows both who proposed and who confirmed.
		const again = await joined(t.practice.alex);
		expect(again.ack.view.jointStatus.flirt).toEqual({
			proposedBy: t.practice.alex.id,
			revision: 1,
			confirmedBy: t.practice.sam.id,
			isAgreed: true
		});
	});

	it('turns a change by the other partner back into a proposal, which the therapist may confirm', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const therapist = await joined(t.practice.therapist);
		await propose(alex.socket, 'our-words', 'We tell each other first');
		expect((await confirm(sam.socket, 'our-words', 1)).ok).toBe(true);

		// Sam changes it: a new proposal by Sam, no longer agreed.
		expect((await propose(sam.socket, 'our-words', 'We talk the same day')).ok).toBe(true);
		expect(await row('our-words')).toMatchObject({
			value: 'We talk the same day',
			proposed_by: t.practice.sam.id,
			revision: 2,
			confirmed_by: null,
			confirmed_at: null
		});
		expect(await agreedItems()).toEqual([]);
		// A confirmation of the revision Alex saw before the change agrees to nothing.
		expect(await confirm(alex.socket, 'our-words', 1)).toMatchObject({
			ok: false,
			error: { code: 'proposal-changed' }
		});

		// The therapist proposes nothing, but confirms in the room.
		expect(await propose(therapist.socket, 'our-words', 'Mine')).toMatchObject({
			ok: false,
			error: { code: 'forbidden' }
		});
		expect((await confirm(therapist.socket, 'our-words', 2)).ok).toBe(true);
		expect(await row('our-words')).toMatchObject({
			value: 'We talk the same day',
			confirmed_by: t.practice.therapist.id
		});
		expect(therapist.socket.connected).toBe(true);
	});

	it('refuses confirmations of nothing, of a non-joint item and with a junk revision', async () => {
		const sam = await joined(t.practice.sam);
		expect(await confirm(sam.socket, 'texting', 1)).toMatchObject({
			ok: false,
			error: { code: 'no-proposal' }
		});
		expect(await confirm(sam.socket, 'hope', 1)).toMatchObject({
			ok: false,
			error: { code: 'forbidden' }
		});
		expect(await confirm(sam.socket, 'nope', 1)).toMatchObject({
			ok: false,
			error: { code: 'not-found' }
		});
		for (const revision of ['1', 0, 1.5, null]) {
			const ack = await sam.socket.emitWithAck('joint:confirm', {
				opId: opId(),
				itemId: 'flirt',
				revision: revision as number
			});
			expect(ack).toMatchObject({ ok: false, error: { code: 'bad-request' } });
		}
		expect(await row('texting')).toBeUndefined();
	});

	it('keeps both partners’ list entries when they add at once, as one proposal to confirm', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const adds = await Promise.all([
			propose(alex.socket, 'needs', { add: 'Check in at lunch' }),
			propose(sam.socket, 'needs', { add: 'Weekly walk' }),
			propose(alex.socket, 'needs', { add: 'Share the calendar' })
		]);
		expect(adds.every((a) => a.ok)).toBe(true);
		const merged = await row('needs');
		expect((merged!.value as string[]).sort()).toEqual(
			['Check in at lunch', 'Share the calendar', 'Weekly walk'].sort()
		);
		expect(merged).toMatchObject({ revision: 3, confirmed_at: null });
		// Whoever did not make the last change confirms the merged list.
		const other = merged!.proposed_by === t.practice.alex.id ? sam : alex;
		expect((await confirm(other.socket, 'needs', 3)).ok).toBe(true);
		expect(await agreedItems()).toEqual(['needs']);
	});
});

describe('answers both gave alike', () => {
	it('are pre-filled as a proposal at the reveal, which either partner may confirm', async () => {
		const alex = await joined(t.practice.alex);
		const sam = await joined(t.practice.sam);
		const save = (socket: Client, itemId: string, value: unknown) =>
			socket.emitWithAck('answer:save', { opId: opId(), itemId, value });
		// The same rating (wanting to be told is a wish, not a position), and a different one.
		await save(alex.socket, 'flirt', { choice: 'talk-first', wantToKnow: true });
		await save(sam.socket, 'flirt', { choice: 'talk-first' });
		await save(alex.socket, 'texting', { choice: 'ok' });
		await save(sam.socket, 'texting', { choice: 'crosses-line' });
		await alex.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });
		expect(
			await sam.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' })
		).toMatchObject({ ok: true, revealed: true });

		for (const member of [alex, sam]) {
			const revealed = await member.events.next((e) => e.type === 'section-revealed');
			expect(revealed.joint).toEqual({
				flirt: {
					value: { choice: 'talk-first' },
					status: { proposedBy: null, revision: 1, confirmedBy: null, isAgreed: false }
				}
			});
		}
		expect(await row('texting')).toBeUndefined();
		expect(await agreedItems()).toEqual([]);
		expect((await confirm(alex.socket, 'flirt', 1)).ok).toBe(true);
		expect(await row('flirt')).toMatchObject({
			proposed_by: null,
			confirmed_by: t.practice.alex.id
		});
	});
});
