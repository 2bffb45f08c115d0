// Homework held for the session, revealed from the couple's live room (`held:reveal`), with real
// Socket.IO clients: only the couple's therapist may reveal it, only once both partners have locked
// it at home, through the same reveal rule as the assignment page; the partners in the room are told
// at once, and the other partner's homework projection carries the answers only from then on.
import { describe, expect, it } from 'vitest';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { HeldRevealNotice } from '$lib/realtime/events';
import { testExercise } from '../helpers/exercise-fixture';
import {
	assign,
	connect,
	connected,
	opId,
	recorder,
	type Client,
	type Person,
	useLiveSetup
} from '../helpers/live';

const t = useLiveSetup(testExercise);

const ALEXS_WORDS = 'Alex-words: a walk on Sundays';

let keys = 0;
/** The test exercise assigned as homework held for the session (to this couple, or another). */
async function heldHomework(practice = t.practice) {
	const definition = {
		...testExercise,
		key: `held-${++keys}`,
		title: `Held lines ${keys}`
	} as ExerciseDefinition;
	const id = await assign(t.database.db, practice, definition, 'homework');
	await t.database.db
		.updateTable('assignments')
		.set({ reveal_policy: 'session' })
		.where('id', '=', id)
		.execute();
	return { id, title: definition.title };
}

async function joined(who: Person, assignmentId = t.assignmentId) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	const events = recorder(socket);
	const notices: HeldRevealNotice[] = [];
	socket.on('held:revealed', (notice) => notices.push(notice));
	await connected(socket);
	const ack = await socket.emitWithAck('room:join', { assignmentId });
	if (!ack.ok) throw new Error(ack.error.message);
	return { socket, events, notices, view: ack.view };
}

/** A partner answers the first section of the homework at home and locks it. */
async function answerAndLock(who: Person, homeworkId: string, words: string) {
	const home = await joined(who, homeworkId);
	for (const [itemId, value] of [
		['flirt', { choice: 'ok' }],
		['hope', words]
	] as const) {
		const saved = await home.socket.emitWithAck('answer:save', { opId: opId(), itemId, value });
		expect(saved.ok, itemId).toBe(true);
	}
	const locked = await home.socket.emitWithAck('answer:lock', { opId: opId(), sectionId: 'first' });
	expect(locked).toMatchObject({ ok: true, revealed: false });
	return home;
}

const reveal = (socket: Client, assignmentId: string, sectionId = 'first', op = opId()) =>
	socket.emitWithAck('held:reveal', { opId: op, assignmentId, sectionId });

describe('revealing held homework from the live room', () => {
	it('lets the therapist reveal it once both have locked; the partners in the room are told at once', async () => {
		const homework = await heldHomework();
		const therapist = await joined(t.practice.therapist);
		const alexRoom = await joined(t.practice.alex);
		const samRoom = await joined(t.practice.sam);

		// Before both have locked there is nothing of theirs to set side by side.
		const alexHome = await answerAndLock(t.practice.alex, homework.id, ALEXS_WORDS);
		expect(await reveal(therapist.socket, homework.id)).toMatchObject({
			ok: false,
			error: { code: 'bad-request', message: expect.stringContaining('Both partners need to lock') }
		});
		const samHome = await answerAndLock(t.practice.sam, homework.id, 'Sam-words');

		// Both locked at home: Sam's projection of the homework carries nothing of Alex's flirt answer.
		const samBefore = await joined(t.practice.sam, homework.id);
		expect(samBefore.view.revealedSections).toEqual([]);
		expect(samBefore.view.answers[t.practice.alex.id]?.flirt).toBeUndefined();
		expect(samHome.events.events.some((e) => e.type === 'section-revealed')).toBe(false);

		// A partner cannot reveal it; the socket stays usable.
		expect(await reveal(samRoom.socket, homework.id)).toMatchObject({
			ok: false,
			error: { code: 'forbidden' }
		});
		expect(
			await samRoom.socket.emitWithAck('presence:list', { coupleId: t.practice.coupleId })
		).toMatchObject({ ok: true });

		const op = opId();
		const revealed = await reveal(therapist.socket, homework.id, 'first', op);
		expect(revealed.ok).toBe(true);
		if (!revealed.ok) return;
		// Her list drops the section she revealed and keeps the one still waiting.
		const mine = revealed.held.filter((h) => h.assignmentId === homework.id);
		expect(mine.map((h) => h.sectionId)).toEqual(['second']);

		// The partners in the room are told, with titles only; the answers are on the homework page.
		const expected = {
			assignmentId: homework.id,
			exerciseTitle: homework.title,
			sectionId: 'first',
			sectionTitle: 'First'
		};
		await expect.poll(() => alexRoom.notices).toEqual([expected]);
		await expect.poll(() => samRoom.notices).toEqual([expected]);
		expect(therapist.notices).toEqual([]);

		// The homework's own room gets the reveal, and Sam's projection shows Alex's answer from now on.
		const shown = await samHome.events.next((e) => e.type === 'section-revealed');
		expect(shown.answers).toMatchObject({ [t.practice.alex.id]: { flirt: { choice: 'ok' } } });
		await alexHome.events.next((e) => e.type === 'section-revealed');
		const samAfter = await joined(t.practice.sam, homework.id);
		expect(samAfter.view.revealedSections).toEqual(['first']);
		expect(samAfter.view.answers[t.practice.alex.id]?.flirt).toEqual({ choice: 'ok' });

		// Audited as the assignment page's reveal is; a repeat of the same op changes nothing.
		const audited = await t.database.db
			.selectFrom('audit_log')
			.select(['action', 'detail'])
			.where('action', '=', 'room.section.reveal')
			.where('target_id', '=', homework.id)
			.execute();
		expect(audited).toEqual([
			{ action: 'room.section.reveal', detail: { sectionId: 'first', heldForSession: true } }
		]);
		expect((await reveal(therapist.socket, homework.id, 'first', op)).ok).toBe(true);
		expect(alexRoom.notices).toHaveLength(1);
	});

	it('refuses another therapist, another couple’s homework, and junk, keeping the socket usable', async () => {
		const homework = await heldHomework();
		await answerAndLock(t.practice.alex, homework.id, ALEXS_WORDS);
		await answerAndLock(t.practice.sam, homework.id, 'Sam-words');

		// Another therapist, in a live room of her own couple, cannot name this couple's homework.
		const { stranger } = t.practice;
		const otherCouple = await t.database.db
			.insertInto('couples')
			.values({ therapist_id: stranger.id, label: 'Other couple', roles_apply: false })
			.returning('id')
			.executeTakeFirstOrThrow();
		const strangersRoom = await assign(
			t.database.db,
			{ ...t.practice, therapist: stranger, coupleId: otherCouple.id },
			{ ...testExercise, key: `strangers-${++keys}` } as ExerciseDefinition
		);
		const other = await joined(stranger, strangersRoom);
		expect(await reveal(other.socket, homework.id)).toMatchObject({
			ok: false,
			error: { code: 'not-found' }
		});

		// The therapist's own second couple: its homework is not revealed from this couple's room.
		const secondCouple = await t.database.db
			.insertInto('couples')
			.values({ therapist_id: t.practice.therapist.id, label: 'Second couple', roles_apply: false })
			.returning('id')
			.executeTakeFirstOrThrow();
		const elsewhere = await heldHomework({ ...t.practice, coupleId: secondCouple.id });
		const therapist = await joined(t.practice.therapist);
		expect(await reveal(therapist.socket, elsewhere.id)).toMatchObject({
			ok: false,
			error: { code: 'not-found' }
		});

		// Junk: not an id, no such section, no opId.
		expect(await reveal(therapist.socket, 'not-an-id')).toMatchObject({
			ok: false,
			error: { code: 'bad-request' }
		});
		expect(await reveal(therapist.socket, homework.id, 'nope')).toMatchObject({
			ok: false,
			error: { code: 'not-found' }
		});
		expect(
			await therapist.socket.emitWithAck('held:reveal', {
				assignmentId: homework.id,
				sectionId: 'first'
			} as never)
		).toMatchObject({ ok: false, error: { code: 'bad-request' } });

		// Not joined to a room: refused before anything is looked up.
		const loose = connect(t.server, t.practice.therapist);
		t.sockets.push(loose);
		await connected(loose);
		expect(await reveal(loose, homework.id)).toMatchObject({
			ok: false,
			error: { code: 'not-joined' }
		});

		// Nothing of it was revealed, and the therapist's socket still works.
		const reveals = await t.database.db
			.selectFrom('section_reveals')
			.select('section_id')
			.where('assignment_id', '=', homework.id)
			.execute();
		expect(reveals).toEqual([]);
		expect((await reveal(therapist.socket, homework.id)).ok).toBe(true);
		expect(other.notices).toEqual([]);
	});
});
