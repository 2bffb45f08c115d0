// A partner's answers: saving one (the hot path of a live room) and locking a section (which reveals
// it when both have locked). The one way in for homework and live rooms; joint answers are in joint.ts.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import {
	isForRole,
	isSafetyTriggered,
	mayLockSection,
	validateAnswer
} from '$lib/exercises/definition';
import type { Database } from '../db/schema';
import { partnerIds, type RoomContext } from './context';
import { saveBatched, type SaveRefusal } from './commit-batch';
import { coupleArchived, itemNamed, mustBe, readAssignment, sectionCommand } from './commands';
import { reveal } from './control';
import { revealsWhenBothLock } from './visibility';
import * as roomEvents from './events';
import type { StoredEvent } from './events';
import { failure, type Failure, type WriteResult } from './outcome';
import { replay } from './receipts';
import { alertTherapist } from './publish';
import * as outbox from '../outbox';
import { isEmailConfigured, safetyAlertEmail } from '../email';
import { appOrigin } from '../reminders';

export interface AnswerInput {
	opId: string;
	itemId: string;
	value: unknown;
}

// How the therapist learns of a safety answer: an email was queued, a Trellis page she has open was
// alerted, or only the flag waits for her next sign-in.
import type { SafetyAlerted } from '$lib/realtime/events';

export interface SavedAnswer {
	safety: boolean;
	/** Only when `safety`. */
	alerted?: SafetyAlerted;
}

export async function saveAnswer(
	db: Kysely<Database>,
	context: RoomContext,
	input: AnswerInput
): Promise<WriteResult<SavedAnswer>> {
	const refused = mustBe(context, 'partner');
	if (refused) return refused;
	const found = itemNamed(context.definition, input.itemId);
	if (!found.ok) return found;
	const { item, section } = found;
	if (!isForRole(item, context.actor.role)) {
		return failure('forbidden', `Item "${item.id}" is for the other partner.`);
	}
	const checked = validateAnswer(item, input.value);
	if (!checked.ok) return failure('invalid-answer', checked.message);

	// The hot path of a live room: one statement per batch of saves (commit-batch.ts) takes the next
	// seq only while the section is open to this partner and the opId is new (the row lock orders
	// writers), then stores the receipt, the answer, any safety flag and the event. No seq means a
	// repeat or a refusal. A safety answer that emails the therapist is its own statement, so the
	// alert is committed with the flag or not at all.
	const opId = input.opId;
	const assignmentId = context.assignment.id;
	const userId = context.actor.userId;
	const safety = isSafetyTriggered(item, checked.value);
	const payload = { itemId: item.id, sectionId: section.id, value: checked.value };
	const emailed = safety && isEmailConfigured();
	let stored: { seq: number; flagId: string | null } | null;
	let refusal: SaveRefusal | null = null;
	if (emailed) {
		const { rows } = await db.executeQuery(
			emailedSave(db, context, opId, section.id, item.id, checked.value, payload)
		);
		stored = rows.length ? { seq: rows[0].seq, flagId: rows[0].flag_id } : null;
	} else {
		const flagId = safety ? randomUUID() : null;
		const saved = await saveBatched(db, {
			assignmentId,
			coupleId: context.coupleId,
			userId,
			opId,
			sectionId: section.id,
			itemId: item.id,
			value: JSON.stringify(checked.value),
			safety,
			flagId,
			payload: JSON.stringify(payload)
		});
		if ('seq' in saved) stored = { seq: saved.seq, flagId };
		else {
			stored = null;
			refusal = saved.refused;
		}
	}
	if (stored) {
		const event: StoredEvent = { seq: stored.seq, type: 'answer-saved', actorId: userId, payload };
		const flagId = stored.flagId;
		if (!safety || !flagId)
			return { ok: true, seq: event.seq, safety, events: [event], replayed: false };
		const isLive = await alertTherapist(context.therapistId, flagId);
		const alerted: SafetyAlerted = emailed ? 'email' : isLive ? 'live' : 'next-sign-in';
		return { ok: true, seq: event.seq, safety, alerted, events: [event], replayed: false };
	}
	// The batch statement said why from the rows it locked; only a repeat (or the emailed save) reads more.
	if (refusal && refusal !== 'repeat') return notSaved(refusal, section);
	const earlier = await replay<SavedAnswer & { emailed?: boolean }>(db, context, opId);
	if (earlier) {
		if (!earlier.ok) return earlier;
		const { emailed: wasEmailed, ...result } = earlier;
		// A repeat cannot know whether a page was alerted the first time; it claims no more than the email.
		return result.safety ? { ...result, alerted: wasEmailed ? 'email' : 'next-sign-in' } : result;
	}
	return whyNotSaved(db, context, section);
}

/** One save of a safety answer with its alert emails queued in the same statement. */
function emailedSave(
	db: Kysely<Database>,
	context: RoomContext,
	opId: string,
	sectionId: string,
	itemId: string,
	value: unknown,
	payload: Record<string, unknown>
) {
	const assignmentId = context.assignment.id;
	const userId = context.actor.userId;
	return sql<{ seq: number; flag_id: string | null }>`
		with bumped as (
			update assignments set last_seq = last_seq + 1
			where id = ${assignmentId} and status = 'open'
				and (mode = 'homework' or current_section_id = ${sectionId})
				and not exists (select 1 from couples where id = ${context.coupleId}
					and archived_at is not null)
				and not exists (select 1 from section_locks where assignment_id = ${assignmentId}
					and section_id = ${sectionId} and user_id = ${userId})
				and not exists (select 1 from section_reveals where assignment_id = ${assignmentId}
					and section_id = ${sectionId})
				and not exists (select 1 from op_receipts where user_id = ${userId} and op_id = ${opId})
			returning last_seq
		), receipt as (
			insert into op_receipts (user_id, op_id, assignment_id, result)
			select ${userId}, ${opId}, ${assignmentId}, jsonb_build_object('seq', last_seq, 'safety', true, 'emailed', true)
			from bumped
			on conflict do nothing
			returning (result ->> 'seq')::int as seq
		), saved as (
			insert into responses (assignment_id, user_id, item_id, value, updated_at)
			select ${assignmentId}, ${userId}, ${itemId}, ${JSON.stringify(value)}::jsonb, now() from receipt
			on conflict (assignment_id, user_id, item_id)
			do update set value = excluded.value, updated_at = excluded.updated_at
		), flagged as (
			insert into safety_flags (assignment_id, couple_id, user_id, item_id, answer, resources_shown)
			select ${assignmentId}, ${context.coupleId}, ${userId}, ${itemId}, ${JSON.stringify(value)}::jsonb,
				(select jsonb_agg(jsonb_build_object('name', r.name, 'phone', r.phone, 'textLine', r.text_line,
					'url', r.url) order by r.position)
				from crisis_resources r where r.therapist_id = ${context.therapistId})
			from receipt
			returning id
		)${safetyAlertRows(context.coupleId)}
		insert into room_events (assignment_id, seq, type, actor_id, payload)
		select ${assignmentId}, seq, 'answer-saved', ${userId}, ${JSON.stringify(payload)}::jsonb from receipt
		returning seq, (select id from flagged) as flag_id`.compile(db);
}

/**
 * The outbox rows for a new safety flag, in the statement that raises it, so the alert is committed
 * with the flag or not at all: one to the therapist and one to her second contact when she has one.
 * The dedupe key names the flag and the recipient, so no alert is ever queued twice.
 */
function safetyAlertRows(coupleId: string) {
	const content = safetyAlertEmail({ origin: appOrigin() });
	const [mine, second] = [outbox.sealMessage(content), outbox.sealMessage(content)];
	return sql`, alerted as (
			insert into outbox (id, kind, to_address, key_id, nonce, ciphertext, dedupe_key)
			select r.id, 'safety-alert', r.address, r.key_id, r.nonce, r.ciphertext,
				'safety-alert:' || flagged.id || ':' || r.recipient
			from flagged
			cross join couples c join users t on t.id = c.therapist_id
			cross join lateral (values
				(${mine.id}::uuid, 'therapist', t.email, ${mine.keyId}, ${mine.nonce}::bytea, ${mine.ciphertext}::bytea),
				(${second.id}::uuid, 'second-contact', t.safety_contact_email, ${second.keyId}, ${second.nonce}::bytea, ${second.ciphertext}::bytea)
			) as r (id, recipient, address, key_id, nonce, ciphertext)
			where c.id = ${coupleId} and r.address is not null
		)`;
}

/** The refusal a partner is sent when an answer to a section was not stored, for each reason. */
function notSaved(
	reason: Exclude<SaveRefusal, 'repeat'>,
	section: { id: string; title: string }
): Failure {
	switch (reason) {
		case 'couple-archived':
			return coupleArchived();
		case 'room-closed':
			return failure('room-closed', 'This exercise has ended.');
		case 'section-not-current':
			return failure(
				'section-not-current',
				`"${section.title}" is not the section the room is on.`
			);
		case 'section-locked':
			return failure(
				'section-locked',
				`You have locked "${section.title}"; its answers are final.`
			);
	}
}

/** Says why an answer to a section was not stored, from the assignment as it is now (the emailed save). */
async function whyNotSaved(
	db: Kysely<Database>,
	context: RoomContext,
	section: { id: string; title: string }
): Promise<Failure> {
	const assignment = await readAssignment(db, context.assignment.id);
	if (assignment.archived_at !== null) return notSaved('couple-archived', section);
	if (assignment.status === 'closed') return notSaved('room-closed', section);
	if (assignment.mode === 'live' && assignment.current_section_id !== section.id) {
		return notSaved('section-not-current', section);
	}
	return notSaved('section-locked', section);
}

async function sectionState(trx: Kysely<Database>, assignmentId: string, sectionId: string) {
	const [locks, reveal] = await Promise.all([
		trx
			.selectFrom('section_locks')
			.select('user_id')
			.where('assignment_id', '=', assignmentId)
			.where('section_id', '=', sectionId)
			.execute(),
		trx
			.selectFrom('section_reveals')
			.select('revealed_at')
			.where('assignment_id', '=', assignmentId)
			.where('section_id', '=', sectionId)
			.executeTakeFirst()
	]);
	return { lockedBy: new Set(locks.map((l) => l.user_id)), isRevealed: !!reveal };
}

export async function lockSection(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: string; sectionId: string }
): Promise<WriteResult<{ revealed: boolean }>> {
	return sectionCommand(db, context, input, 'partner', async (trx, section, assignment) => {
		if (assignment.mode === 'live' && assignment.current_section_id !== section.id) {
			return failure(
				'section-not-current',
				`"${section.title}" is not the section the room is on.`
			);
		}
		const state = await sectionState(trx, context.assignment.id, section.id);
		if (state.lockedBy.has(context.actor.userId)) {
			return failure('section-locked', `You have already locked "${section.title}".`);
		}
		const mine = section.items.filter((item) => isForRole(item, context.actor.role));
		const answered = await trx
			.selectFrom('responses')
			.select('item_id')
			.where('assignment_id', '=', context.assignment.id)
			.where('user_id', '=', context.actor.userId)
			.execute();
		if (
			!mayLockSection(
				mine,
				answered.map((r) => r.item_id)
			)
		) {
			return failure(
				'nothing-answered',
				`Answer at least one question in "${section.title}" before you lock it.`
			);
		}
		await trx
			.insertInto('section_locks')
			.values({
				assignment_id: context.assignment.id,
				user_id: context.actor.userId,
				section_id: section.id
			})
			.execute();
		const events = [
			await roomEvents.append(trx, context.assignment.id, 'section-locked', context.actor.userId, {
				sectionId: section.id
			})
		];
		// When every joined partner has locked, both see the section's answers at once, in one event —
		// unless the homework is held for the session (visibility.ts), when only the therapist reveals.
		const partners = partnerIds(context);
		const allLocked =
			partners.length === 2 &&
			partners.every((id) => id === context.actor.userId || state.lockedBy.has(id));
		const revealsNow = allLocked && revealsWhenBothLock(context.assignment);
		if (revealsNow && !state.isRevealed) events.push(await reveal(trx, context, section.id, null));
		return { ok: true, revealed: revealsNow || state.isRevealed, events };
	});
}
