// Exercises at the domain level, on a real database: definitions and their versions, homework from
// assignment to reveal, results, and safety flags.
import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import * as roomContext from '$lib/server/rooms/context';
import * as assignments from '$lib/server/assignments';
import * as exercises from '$lib/server/exercises';
import * as homework from '$lib/server/homework';
import * as responses from '$lib/server/rooms/answers';
import * as results from '$lib/server/rooms/results';
import * as safety from '$lib/server/safety';
import { viewFor } from '$lib/server/rooms/view';
import { useTestDatabase } from '../helpers/database';
import { testExercise } from '../helpers/exercise-fixture';
import { makePractice, opId, type Practice } from '../helpers/live';

const database = useTestDatabase({ asAppDatabase: true });
let practice: Practice;

beforeEach(async () => {
	practice = await makePractice(database.db);
});

async function count(
	table: 'responses' | 'op_receipts' | 'safety_flags' | 'exercise_definitions' | 'room_events'
) {
	const row = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
		database.db
	);
	return row.rows[0].n;
}

const asUser = (who: Practice['alex'], role: 'therapist' | 'partner' = 'partner') => ({
	id: who.id,
	role
});

/** A custom exercise saved through the library, then given to the couple as homework. */
async function homeworkOf(
	input: unknown = testExercise,
	dueAt = new Date(Date.now() + 3 * 86_400_000)
) {
	const saved = await exercises.createCustom(database.db, practice.therapist.id, input);
	if (!saved.ok) throw new Error(saved.issues.map((i) => i.message).join('; '));
	const created = await assignments.create(database.db, practice.therapist.id, {
		coupleId: practice.coupleId,
		definitionId: saved.id,
		mode: 'homework',
		dueAt
	});
	return { definitionId: saved.id, assignmentId: created!.id };
}

async function contextOf(
	who: Practice['alex'],
	assignmentId: string,
	role: 'therapist' | 'partner' = 'partner'
) {
	const context = await roomContext.loadContext(database.db, asUser(who, role), assignmentId);
	if (!context) throw new Error('no context');
	return context;
}

describe('refusing answers that do not fit', () => {
	let assignmentId: string;
	beforeEach(async () => {
		({ assignmentId } = await homeworkOf());
	});

	it('refuses a value that does not fit its item type, naming the item, and stores nothing', async () => {
		const alex = await contextOf(practice.alex, assignmentId);
		for (const [itemId, value] of [
			['flirt', { choice: 'maybe' }],
			['private', 7],
			['hope', 'x'.repeat(2001)],
			['unsafe', 'never']
		] as const) {
			const result = await responses.saveAnswer(database.db, alex, { opId: opId(), itemId, value });
			expect(result.ok).toBe(false);
			if (!result.ok) {
				expect(result.error.code).toBe('invalid-answer');
				expect(result.error.message).toContain(itemId);
			}
		}
		expect(await count('responses')).toBe(0);
		expect(await count('op_receipts')).toBe(0);
	});

	it('refuses an item that is not in the definition, naming it', async () => {
		const alex = await contextOf(practice.alex, assignmentId);
		const result = await responses.saveAnswer(database.db, alex, {
			opId: opId(),
			itemId: 'no-such-item',
			value: 3
		});
		expect(result).toMatchObject({ ok: false, error: { code: 'not-found' } });
		if (!result.ok) expect(result.error.message).toContain('no-such-item');
		expect(await count('responses')).toBe(0);
	});

	it('refuses an answer to an item meant for the other role, naming it', async () => {
		// "steps" is for the involved partner; Alex is the injured partner.
		const alex = await contextOf(practice.alex, assignmentId);
		const result = await responses.saveAnswer(database.db, alex, {
			opId: opId(),
			itemId: 'steps',
			value: ['ended']
		});
		expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		if (!result.ok) expect(result.error.message).toContain('steps');
		expect(await count('responses')).toBe(0);
	});

	it('refuses a definition that fails the schema, naming the item, and stores nothing', async () => {
		const before = await count('exercise_definitions');
		const broken = structuredClone(testExercise) as unknown as {
			sections: { items: Record<string, unknown>[] }[];
		};
		broken.sections[0].items[1].type = 'slider';
		const saved = await exercises.createCustom(database.db, practice.therapist.id, broken);
		expect(saved.ok).toBe(false);
		if (!saved.ok)
			expect(saved.issues.map((i) => i.message).join(' ')).toContain(
				'Item "texting" (section 1, item 2)'
			);
		const noOptions = structuredClone(testExercise) as unknown as {
			sections: { items: Record<string, unknown>[] }[];
		};
		delete noOptions.sections[1].items[2].options;
		const again = await exercises.createCustom(database.db, practice.therapist.id, noOptions);
		expect(again.ok).toBe(false);
		if (!again.ok) expect(again.issues.map((i) => i.message).join(' ')).toContain('unsafe');
		expect(await count('exercise_definitions')).toBe(before);
	});
});

describe('the library and its versions', () => {
	it('installs the built-in catalogue once, and a new version only when its content changed', async () => {
		const first = await exercises.installBuiltIns(database.db);
		expect(first.length).toBeGreaterThanOrEqual(5);
		expect(await exercises.installBuiltIns(database.db)).toEqual([]);
		const [oneKey] = first.map((entry) => entry.split('@')[0]);
		await database.db
			.updateTable('exercise_definitions')
			.set({ definition: sql`jsonb_set(definition, '{title}', '"An older title"')` })
			.where('key', '=', oneKey)
			.execute();
		expect(await exercises.installBuiltIns(database.db)).toEqual([`${oneKey}@2`]);
		const library = await exercises.list(database.db, practice.therapist.id);
		expect(library.filter((e) => e.key === oneKey)).toHaveLength(1);
		expect(library.find((e) => e.key === oneKey)?.version).toBe(2);
	});

	it('edits an unassigned exercise in place, and versions one that has been assigned', async () => {
		const saved = await exercises.createCustom(database.db, practice.therapist.id, testExercise);
		if (!saved.ok) throw new Error(saved.issues.map((i) => i.message).join());
		const renamed = { ...testExercise, title: 'Renamed before use' };
		const inPlace = await exercises.updateCustom(
			database.db,
			practice.therapist.id,
			saved.id,
			renamed
		);
		expect(inPlace).toMatchObject({ ok: true, id: saved.id, version: 1, isNewVersion: false });

		const old = await assignments.create(database.db, practice.therapist.id, {
			coupleId: practice.coupleId,
			definitionId: saved.id,
			mode: 'homework'
		});
		const changed = structuredClone(testExercise) as unknown as {
			title: string;
			sections: { items: { prompt: string }[] }[];
		};
		changed.title = 'Second edition';
		changed.sections[0].items[0].prompt = 'Flirting at a party, with no intent';
		const next = await exercises.updateCustom(
			database.db,
			practice.therapist.id,
			saved.id,
			changed
		);
		expect(next).toMatchObject({ ok: true, version: 2, isNewVersion: true });
		if (!next?.ok) throw new Error('not saved');
		expect(next.id).not.toBe(saved.id);

		// The old assignment keeps the version it was given; a new one gets the new version.
		const oldContext = await contextOf(practice.alex, old!.id);
		expect(oldContext.definition.title).toBe('Renamed before use');
		expect(oldContext.definitionVersion).toBe(1);
		const fresh = await assignments.create(database.db, practice.therapist.id, {
			coupleId: practice.coupleId,
			definitionId: next.id,
			mode: 'homework'
		});
		const freshContext = await contextOf(practice.alex, fresh!.id);
		expect(freshContext.definition.sections[0].items[0].prompt).toBe(
			'Flirting at a party, with no intent'
		);

		const mine = (await exercises.list(database.db, practice.therapist.id)).filter(
			(e) => !e.isBuiltIn
		);
		expect(mine).toHaveLength(1);
		expect(mine[0]).toMatchObject({ id: next.id, version: 2, assignmentCount: 2 });
	});

	it('gives every room of one version the same frozen definition, and reads a rewritten one afresh', async () => {
		const { definitionId, assignmentId } = await homeworkOf();
		const other = await assignments.create(database.db, practice.therapist.id, {
			coupleId: practice.coupleId,
			definitionId,
			mode: 'homework'
		});
		const alex = await contextOf(practice.alex, assignmentId);
		const sam = await contextOf(practice.sam, other!.id);
		const therapist = await contextOf(practice.therapist, assignmentId, 'therapist');
		// One object, so what is derived from its items (each answer's schema) is built once.
		expect(sam.definition).toBe(alex.definition);
		expect(therapist.definition).toBe(alex.definition);
		expect(Object.isFrozen(alex.definition.sections[0].items[0])).toBe(true);
		expect(() => {
			(alex.definition.sections[0] as { title: string }).title = 'Changed by a caller';
		}).toThrow(TypeError);

		// Stored text that changes under the same id (a version is rewritten until it is assigned) is
		// never served from what an earlier room read.
		await sql`update exercise_definitions
			set definition = jsonb_set(definition, '{title}', '"Rewritten"') where id = ${definitionId}`.execute(
			database.db
		);
		const again = await contextOf(practice.alex, assignmentId);
		expect(again.definition.title).toBe('Rewritten');
		expect(alex.definition.title).toBe(testExercise.title);
	});

	it('removes an exercise from the library while its assignments keep their answers', async () => {
		const { definitionId, assignmentId } = await homeworkOf();
		expect(await exercises.archive(database.db, practice.stranger.id, definitionId)).toBe(false);
		expect(await exercises.archive(database.db, practice.therapist.id, definitionId)).toBe(true);
		expect(
			(await exercises.list(database.db, practice.therapist.id)).some((e) => e.id === definitionId)
		).toBe(false);
		expect((await contextOf(practice.alex, assignmentId)).definition.title).toBe(
			testExercise.title
		);
	});

	it('keeps one therapist’s exercises out of another’s library and reach', async () => {
		const saved = await exercises.createCustom(database.db, practice.therapist.id, testExercise);
		if (!saved.ok) throw new Error(saved.issues.map((i) => i.message).join());
		expect(await exercises.get(database.db, practice.stranger.id, saved.id)).toBeNull();
		expect(
			(await exercises.list(database.db, practice.stranger.id)).some((e) => e.id === saved.id)
		).toBe(false);
		expect(
			await exercises.updateCustom(database.db, practice.stranger.id, saved.id, testExercise)
		).toBeNull();
	});
});

describe('homework', () => {
	it('goes from assigned to revealed: answers hidden until both lock, statuses along the way', async () => {
		const { assignmentId } = await homeworkOf();
		const statuses = async () =>
			(await homework.summaries(database.db, { assignmentId }))[0].partners.map((p) => [
				p.name,
				p.status
			]);
		expect(await statuses()).toEqual([
			['Alex', 'not-started'],
			['Sam', 'not-started']
		]);

		const alex = await contextOf(practice.alex, assignmentId);
		const sam = await contextOf(practice.sam, assignmentId);
		const op = opId();
		const first = await responses.saveAnswer(database.db, alex, {
			opId: op,
			itemId: 'flirt',
			value: { choice: 'crosses-line' }
		});
		expect(first).toMatchObject({ ok: true, replayed: false });
		// The same write sent again after a dropped connection is applied once.
		const again = await responses.saveAnswer(database.db, alex, {
			opId: op,
			itemId: 'flirt',
			value: { choice: 'crosses-line' }
		});
		expect(again).toMatchObject({ ok: true, replayed: true });
		expect(await count('responses')).toBe(1);

		await responses.saveAnswer(database.db, alex, {
			opId: opId(),
			itemId: 'texting',
			value: { choice: 'talk-first' }
		});
		await responses.saveAnswer(database.db, alex, {
			opId: opId(),
			itemId: 'hope',
			value: 'A calm week'
		});
		await responses.saveAnswer(database.db, sam, {
			opId: opId(),
			itemId: 'flirt',
			value: { choice: 'ok' }
		});
		await responses.saveAnswer(database.db, sam, {
			opId: opId(),
			itemId: 'texting',
			value: { choice: 'talk-first' }
		});
		expect(await statuses()).toEqual([
			['Alex', 'in-progress'],
			['Sam', 'in-progress']
		]);

		const locked = await responses.lockSection(database.db, alex, {
			opId: opId(),
			sectionId: 'first'
		});
		expect(locked).toMatchObject({ ok: true, revealed: false });
		const samBefore = await viewFor(database.db, sam);
		expect(samBefore.answers[practice.alex.id]?.flirt).toBeUndefined();
		expect(samBefore.answers[practice.alex.id]?.hope).toBe('A calm week'); // open: shared at once
		const refused = await responses.saveAnswer(database.db, alex, {
			opId: opId(),
			itemId: 'flirt',
			value: { choice: 'ok' }
		});
		expect(refused).toMatchObject({ ok: false, error: { code: 'section-locked' } });

		const both = await responses.lockSection(database.db, sam, {
			opId: opId(),
			sectionId: 'first'
		});
		expect(both).toMatchObject({ ok: true, revealed: true });
		const samAfter = await viewFor(database.db, sam);
		const alexAfter = await viewFor(database.db, alex);
		expect(samAfter.answers[practice.alex.id]?.flirt).toEqual({ choice: 'crosses-line' });
		expect(alexAfter.answers[practice.sam.id]?.flirt).toEqual({ choice: 'ok' });

		for (const [who, sectionIds] of [
			[alex, ['second']],
			[sam, ['second']]
		] as const) {
			for (const sectionId of sectionIds) {
				if (who === alex)
					await responses.saveAnswer(database.db, who, {
						opId: opId(),
						itemId: 'needs',
						value: ['Call me at lunch']
					});
				else
					await responses.saveAnswer(database.db, who, {
						opId: opId(),
						itemId: 'steps',
						value: ['ended']
					});
				await responses.lockSection(database.db, who, { opId: opId(), sectionId });
			}
		}
		expect(await statuses()).toEqual([
			['Alex', 'locked'],
			['Sam', 'locked']
		]);

		const therapist = await contextOf(practice.therapist, assignmentId, 'therapist');
		const seen = await results.forAssignment(database.db, therapist);
		expect(seen.divergences.map((d) => [d.itemId, d.distance])).toEqual([['flirt', 2]]);
		const flirt = seen.sections[0].items.find((r) => r.item.id === 'flirt')!;
		expect(flirt).toMatchObject({
			isDivergent: true,
			values: [{ choice: 'crosses-line' }, { choice: 'ok' }]
		});
		expect(seen.scores).toBeTruthy();
		const audited = await database.db
			.selectFrom('audit_log')
			.select('action')
			.where('action', '=', 'responses.view')
			.execute();
		expect(audited.length).toBeGreaterThan(0);
	});

	it('lists a partner’s homework overdue first, and the therapist’s reminders until it is opened', async () => {
		const later = await homeworkOf(testExercise, new Date(Date.now() + 5 * 86_400_000));
		const overdue = await homeworkOf(testExercise, new Date(Date.now() - 2 * 86_400_000));
		const home = await homework.partnerHome(database.db, practice.alex.id);
		expect(home.due.map((d) => [d.id, d.isOverdue])).toEqual([
			[overdue.assignmentId, true],
			[later.assignmentId, false]
		]);

		const therapist = await contextOf(practice.therapist, later.assignmentId, 'therapist');
		expect(await homework.nudge(database.db, therapist, practice.stranger.id)).toMatchObject({
			ok: false
		});
		expect(await homework.nudge(database.db, therapist, practice.alex.id)).toMatchObject({
			ok: true
		});
		expect(
			(await homework.partnerHome(database.db, practice.alex.id)).reminders.map(
				(r) => r.assignmentId
			)
		).toEqual([later.assignmentId]);
		expect((await homework.partnerHome(database.db, practice.sam.id)).reminders).toEqual([]);
		await homework.dismissReminders(database.db, later.assignmentId, practice.alex.id);
		expect((await homework.partnerHome(database.db, practice.alex.id)).reminders).toEqual([]);
	});
});

describe('safety items', () => {
	it('raises a flag only the therapist sees; acknowledging it is audited; the other partner never learns of it', async () => {
		const { assignmentId } = await homeworkOf();
		const alex = await contextOf(practice.alex, assignmentId);
		const sam = await contextOf(practice.sam, assignmentId);
		const calm = await responses.saveAnswer(database.db, alex, {
			opId: opId(),
			itemId: 'unsafe',
			value: 'no'
		});
		expect(calm).toMatchObject({ ok: true, safety: false });
		const raised = await responses.saveAnswer(database.db, alex, {
			opId: opId(),
			itemId: 'unsafe',
			value: 'often'
		});
		expect(raised).toMatchObject({ ok: true, safety: true });

		const flags = await safety.openFlags(database.db, practice.therapist.id);
		expect(flags).toHaveLength(1);
		expect(flags[0]).toMatchObject({
			partnerName: 'Alex',
			itemId: 'unsafe',
			assignmentId,
			itemPrompt: 'Felt unsafe at home'
		});
		expect(await safety.openFlags(database.db, practice.stranger.id)).toEqual([]);

		// Nothing Sam can load mentions the answer or the flag.
		const samView = await viewFor(database.db, sam);
		expect(samView.answers[practice.alex.id]?.unsafe).toBeUndefined();
		expect(Object.keys(samView)).not.toContain('flags');
		await responses.saveAnswer(database.db, sam, { opId: opId(), itemId: 'unsafe', value: 'no' });
		await responses.lockSection(database.db, alex, { opId: opId(), sectionId: 'second' });
		await responses.lockSection(database.db, sam, { opId: opId(), sectionId: 'second' });
		const afterReveal = await viewFor(database.db, sam);
		expect(afterReveal.answers[practice.alex.id]?.unsafe).toBeUndefined();
		const samHome = JSON.stringify(await homework.partnerHome(database.db, practice.sam.id));
		expect(samHome).not.toMatch(/safety|flag|often/i);

		const ack = { action: 'called', note: '' } as const;
		expect(await safety.acknowledge(database.db, practice.stranger.id, flags[0].id, ack)).toBe(
			false
		);
		expect(await safety.acknowledge(database.db, practice.therapist.id, flags[0].id, ack)).toBe(
			true
		);
		expect(await safety.openFlags(database.db, practice.therapist.id)).toEqual([]);
		const audit = await database.db
			.selectFrom('audit_log')
			.select(['actor_id', 'target_id'])
			.where('action', '=', 'safety_flag.acknowledge')
			.execute();
		expect(audit).toEqual([{ actor_id: practice.therapist.id, target_id: flags[0].id }]);
	});

	it('shows the practice’s own crisis resources, or the default 988 and domestic violence lines', async () => {
		const defaults = await safety.crisisResources(database.db, practice.therapist.id);
		expect(defaults.map((r) => r.phone)).toEqual(['988', '1-800-799-7233']);
		await safety.setCrisisResources(database.db, practice.therapist.id, [
			{ name: 'Samaritans', phone: '116 123', textLine: null, url: 'https://www.samaritans.org' }
		]);
		expect(
			(await safety.crisisResourcesForPartner(database.db, practice.alex.id)).map((r) => r.name)
		).toEqual(['Samaritans']);
	});
});

describe('saves that arrive together', () => {
	it('commits them in one batch in arrival order, each once, with a seq each and nothing skipped', async () => {
		const { assignmentId } = await homeworkOf();
		const alex = await contextOf(practice.alex, assignmentId);
		const sam = await contextOf(practice.sam, assignmentId);
		const repeated = opId();
		const sent = [
			{ who: alex, opId: repeated, itemId: 'hope', value: 'first' },
			{ who: sam, opId: opId(), itemId: 'hope', value: 'his' },
			{ who: alex, opId: opId(), itemId: 'hope', value: 'second' },
			{ who: alex, opId: repeated, itemId: 'hope', value: 'first' }, // the same op, sent again at once
			{ who: sam, opId: opId(), itemId: 'unsafe', value: 'often' },
			{ who: alex, opId: opId(), itemId: 'hope', value: 'third' }
		];
		// Started in one turn of the event loop, so they share a batch.
		const results = await Promise.all(
			sent.map(({ who, ...input }) => responses.saveAnswer(database.db, who, input))
		);
		expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
		const seqs = results.map((r) => (r.ok ? r.seq : 0));
		const fresh = results.flatMap((r, i) => (r.ok && !r.replayed ? [seqs[i]] : []));
		expect(fresh).toEqual([1, 2, 3, 4, 5]);
		expect(results[3]).toMatchObject({ ok: true, replayed: true, seq: seqs[0] });
		expect(results[4]).toMatchObject({ ok: true, safety: true });

		const events = await database.db
			.selectFrom('room_events')
			.select(['seq', 'actor_id'])
			.where('assignment_id', '=', assignmentId)
			.orderBy('seq')
			.execute();
		expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
		const assignment = await database.db
			.selectFrom('assignments')
			.select('last_seq')
			.where('id', '=', assignmentId)
			.executeTakeFirstOrThrow();
		expect(assignment.last_seq).toBe(5);
		expect(await count('op_receipts')).toBe(5);
		expect(await count('safety_flags')).toBe(1);
		const stored = await database.db
			.selectFrom('responses')
			.select(['user_id', 'item_id', 'value'])
			.where('assignment_id', '=', assignmentId)
			.orderBy('item_id')
			.execute();
		// The last of Alex's three answers to one item is the one kept.
		expect(stored.filter((r) => r.user_id === practice.alex.id)).toEqual([
			{ user_id: practice.alex.id, item_id: 'hope', value: 'third' }
		]);
		expect(stored.filter((r) => r.user_id === practice.sam.id).map((r) => r.item_id)).toEqual([
			'hope',
			'unsafe'
		]);
	});

	it('refuses in a batch only the saves that break a rule, with their codes', async () => {
		const { assignmentId } = await homeworkOf();
		const alex = await contextOf(practice.alex, assignmentId);
		const sam = await contextOf(practice.sam, assignmentId);
		await responses.saveAnswer(database.db, alex, { opId: opId(), itemId: 'hope', value: 'mine' });
		expect(
			await responses.lockSection(database.db, alex, { opId: opId(), sectionId: 'first' })
		).toMatchObject({ ok: true });
		const [refused, saved] = await Promise.all([
			responses.saveAnswer(database.db, alex, { opId: opId(), itemId: 'hope', value: 'late' }),
			responses.saveAnswer(database.db, sam, { opId: opId(), itemId: 'hope', value: 'his' })
		]);
		expect(refused).toMatchObject({ ok: false, error: { code: 'section-locked' } });
		expect(saved).toMatchObject({ ok: true, replayed: false, seq: 3 });
		expect(await count('room_events')).toBe(3);
	});
});
