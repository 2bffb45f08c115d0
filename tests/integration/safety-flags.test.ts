// A safety flag as the therapist acts on it: what was answered, by whom, how to reach them, what they
// were shown, where the alert email stands; acknowledging it with what was done (a sealed note,
// an audit row, nothing for another therapist); overdue flags first; the navigation's count.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as roomContext from '$lib/server/rooms/context';
import * as assignments from '$lib/server/assignments';
import * as couples from '$lib/server/couples';
import * as exercises from '$lib/server/exercises';
import * as responses from '$lib/server/rooms/answers';
import * as safety from '$lib/server/safety';
import { appKeyring } from '$lib/server/crypto/keyring';
import { verifyStoredKeys } from '$lib/server/crypto/stored-keys';
import { useTestDatabase } from '../helpers/database';
import { testExercise } from '../helpers/exercise-fixture';
import { makePractice, opId, type Practice } from '../helpers/live';
import * as v from 'valibot';
import { CoupleForm } from '../../src/routes/app/couples/couple-form.server';

const database = useTestDatabase({ asAppDatabase: true });
let practice: Practice;
let assignmentId: string;

beforeEach(async () => {
	practice = await makePractice(database.db);
	const saved = await exercises.createCustom(database.db, practice.therapist.id, testExercise);
	if (!saved.ok) throw new Error(saved.issues.map((i) => i.message).join('; '));
	const created = await assignments.create(database.db, practice.therapist.id, {
		coupleId: practice.coupleId,
		definitionId: saved.id,
		mode: 'homework',
		dueAt: new Date(Date.now() + 3 * 86_400_000)
	});
	assignmentId = created!.id;
});

afterEach(() => {
	delete process.env.SMTP_URL;
});

async function answer(who: Practice['alex'], value: string) {
	const context = await roomContext.loadContext(
		database.db,
		{ id: who.id, role: 'partner' },
		assignmentId
	);
	return responses.saveAnswer(database.db, context!, { opId: opId(), itemId: 'unsafe', value });
}

async function setPhone(phone: string) {
	await database.db
		.updateTable('couple_members')
		.set({ phone })
		.where('user_id', '=', practice.alex.id)
		.execute();
}

describe('a flag’s detail', () => {
	it('shows the answer given, the partner’s phone and email, the resources they were shown, and no email without SMTP', async () => {
		await setPhone('+1 555 0100');
		await safety.setCrisisResources(database.db, practice.therapist.id, [
			{ name: 'Samaritans', phone: '116 123', textLine: null, url: null }
		]);
		expect(await answer(practice.alex, 'often')).toMatchObject({ ok: true, safety: true });
		// The list changes afterwards: the flag keeps what Alex was shown, and the answer given.
		await safety.setCrisisResources(database.db, practice.therapist.id, []);
		expect(await answer(practice.alex, 'no')).toMatchObject({ ok: true, safety: false });

		const [flag] = await safety.openFlags(database.db, practice.therapist.id);
		expect(flag).toMatchObject({
			partnerName: 'Alex',
			partnerEmail: 'alex@example.test',
			partnerPhone: '+1 555 0100',
			itemPrompt: 'Felt unsafe at home',
			answer: 'Often',
			answerNow: 'No',
			isOverdue: false,
			alerts: []
		});
		expect(flag.resourcesShown.map((r) => r.name)).toEqual(['Samaritans']);
		expect(await safety.openCount(database.db, practice.therapist.id)).toBe(1);
		expect(await safety.openCount(database.db, practice.stranger.id)).toBe(0);
	});

	it('shows where the alert email stands in the outbox, for her and her second contact', async () => {
		process.env.SMTP_URL = 'smtp://127.0.0.1:9';
		await safety.setSafetyContact(database.db, practice.therapist.id, 'oncall@example.test');
		expect(await answer(practice.alex, 'sometimes')).toMatchObject({ alerted: 'email' });
		const [flag] = await safety.openFlags(database.db, practice.therapist.id);
		expect(flag.alerts.map((a) => [a.recipient, a.status])).toEqual([
			['therapist', 'pending'],
			['second-contact', 'pending']
		]);
		await database.db
			.updateTable('outbox')
			.set({ status: 'failed', attempts: 8 })
			.where('to_address', '=', 't@example.test')
			.execute();
		const [again] = await safety.openFlags(database.db, practice.therapist.id);
		expect(again.alerts[0]).toMatchObject({
			recipient: 'therapist',
			status: 'failed',
			attempts: 8
		});
	});

	it('lists overdue flags (older than a day) first, oldest first, then the others newest first', async () => {
		for (const value of ['often', 'no', 'sometimes', 'no', 'often', 'no', 'often']) {
			await answer(practice.alex, value);
		}
		const raised = await database.db
			.selectFrom('safety_flags')
			.select('id')
			.orderBy('raised_at')
			.execute();
		expect(raised).toHaveLength(4);
		const hoursAgo = [30, 50, 2, 1];
		for (const [i, row] of raised.entries()) {
			await database.db
				.updateTable('safety_flags')
				.set({ raised_at: new Date(Date.now() - hoursAgo[i] * 3600_000) })
				.where('id', '=', row.id)
				.execute();
		}
		const flags = await safety.openFlags(database.db, practice.therapist.id);
		expect(flags.map((f) => [f.id, f.isOverdue])).toEqual([
			[raised[1].id, true],
			[raised[0].id, true],
			[raised[3].id, false],
			[raised[2].id, false]
		]);
	});
});

describe('acknowledging a flag', () => {
	it('keeps what was done and a sealed note, audits it without the note, and refuses another therapist', async () => {
		await answer(practice.alex, 'often');
		const [flag] = await safety.openFlags(database.db, practice.therapist.id);
		const ack = { action: 'called' as const, note: 'Reached Alex by phone; safe tonight.' };

		expect(await safety.acknowledge(database.db, practice.stranger.id, flag.id, ack)).toBe(false);
		expect(await safety.openFlags(database.db, practice.therapist.id)).toHaveLength(1);
		expect(await safety.acknowledge(database.db, practice.therapist.id, flag.id, ack)).toBe(true);
		// Sent twice (a double submit): nothing changes and nothing more is audited.
		expect(await safety.acknowledge(database.db, practice.therapist.id, flag.id, ack)).toBe(true);
		expect(await safety.openFlags(database.db, practice.therapist.id)).toEqual([]);
		expect(await safety.openCount(database.db, practice.therapist.id)).toBe(0);

		const stored = await database.db
			.selectFrom('safety_ack_notes')
			.selectAll()
			.executeTakeFirstOrThrow();
		expect(stored.id).toBe(flag.id);
		expect(Buffer.from(stored.ciphertext).toString('utf8')).not.toContain('safe tonight');
		await verifyStoredKeys(database.db, appKeyring());

		const [done] = await safety.acknowledgedFlags(database.db, practice.therapist.id);
		expect(done).toMatchObject({ id: flag.id, action: 'called', note: ack.note });
		expect(await safety.acknowledgedFlags(database.db, practice.stranger.id)).toEqual([]);

		const audit = await database.db
			.selectFrom('audit_log')
			.select(['actor_id', 'target_id', 'couple_id', 'detail'])
			.where('action', '=', 'safety_flag.acknowledge')
			.execute();
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({
			actor_id: practice.therapist.id,
			target_id: flag.id,
			couple_id: practice.coupleId,
			detail: { action: 'called', hasNote: true }
		});
		expect(JSON.stringify(audit)).not.toContain('safe tonight');
	});

	it('takes an acknowledgement without a note, storing none', async () => {
		await answer(practice.alex, 'often');
		const [flag] = await safety.openFlags(database.db, practice.therapist.id);
		expect(
			await safety.acknowledge(database.db, practice.therapist.id, flag.id, {
				action: 'session',
				note: '   '
			})
		).toBe(true);
		expect(await database.db.selectFrom('safety_ack_notes').selectAll().execute()).toEqual([]);
		const [done] = await safety.acknowledgedFlags(database.db, practice.therapist.id);
		expect(done).toMatchObject({ action: 'session', note: null });
	});
});

describe('a partner’s phone number', () => {
	it('is kept on the therapist’s record of the couple and left alone by an edit that does not name it', async () => {
		const detail = await couples.getForTherapist(
			database.db,
			practice.therapist.id,
			practice.coupleId
		);
		const input = {
			label: 'Alex & Sam',
			partners: [
				{ name: 'Alex', email: null, phone: '(555) 010-0200' },
				{ name: 'Sam', email: null, phone: null }
			] as [couples.PartnerInput, couples.PartnerInput],
			rolesApply: detail!.rolesApply,
			injuredSlot: 1 as const
		};
		expect(await couples.update(database.db, practice.stranger.id, practice.coupleId, input)).toBe(
			false
		);
		expect(await couples.update(database.db, practice.therapist.id, practice.coupleId, input)).toBe(
			true
		);
		const after = await couples.getForTherapist(
			database.db,
			practice.therapist.id,
			practice.coupleId
		);
		expect(after!.members.map((m) => m.phone)).toEqual(['(555) 010-0200', null]);
	});
});

describe('the couple form’s phone field', () => {
	const form = (partner1Phone: string) => ({
		partner1Name: 'Alex',
		partner2Name: 'Sam',
		partner1Phone,
		partner2Phone: ''
	});

	it('takes a phone number as people write one, or nothing, and refuses anything else with a sentence', () => {
		for (const phone of ['+44 20 7946 0958', '(555) 010-0200', '555.010.0200']) {
			const parsed = v.safeParse(CoupleForm, form(phone));
			expect(parsed.success, phone).toBe(true);
			if (parsed.success) expect(parsed.output.partner1Phone).toBe(phone);
		}
		const empty = v.safeParse(CoupleForm, form('  '));
		expect(empty.success && empty.output.partner1Phone).toBeNull();
		for (const phone of ['call me', '12', '5'.repeat(41), '555-0100 ext. 4']) {
			const parsed = v.safeParse(CoupleForm, form(phone));
			expect(parsed.success, phone).toBe(false);
			if (!parsed.success) expect(parsed.issues[0].message).toMatch(/phone number/);
		}
	});
});
