// Answers, section locks, reveals and joint decisions: the one way in for homework pages and live sockets.
// Each write, its room event and its op receipt commit together, so a repeated opId never writes twice.
import { sql, type Kysely } from 'kysely';
import {
	isSafetyTriggered,
	itemsFor,
	LIST_ENTRY_MAX,
	validateAnswer,
	type ExerciseDefinition
} from '$lib/exercises/definition';
import { isStorable, unstorableMessage } from '$lib/input';
import { COUPLE_ARCHIVED_MESSAGE, type ErrorCode } from '$lib/realtime/events';
import type { Database } from './db/schema';
import type { RoomContext } from './assignments';
import { partnerIds } from './assignments';
import * as audit from './audit';
import { runBatched } from './commit-batch';
import * as roomEvents from './room-events';
import type { StoredEvent } from './room-events';

export type Failure = { ok: false; error: { code: ErrorCode; message: string } };
export type Outcome<T extends object = object> = ({ ok: true } & T) | Failure;

/** A committed write: its events (to broadcast after commit) and the ack for the writer. */
export type WriteResult<T extends object = object> =
	({ ok: true; seq: number; events: StoredEvent[]; replayed: boolean } & T) | Failure;

export function failure(code: ErrorCode, message: string): Failure {
	return { ok: false, error: { code, message } };
}

type Item = ExerciseDefinition['sections'][number]['items'][number];

/** The item a message names, with its section, or the refusal to send back. */
function itemNamed(definition: ExerciseDefinition, itemId: unknown) {
	if (typeof itemId !== 'string') return failure('bad-request', 'itemId must be a string.');
	for (const section of definition.sections) {
		const item = section.items.find((i) => i.id === itemId);
		if (item) return { ok: true as const, item, section };
	}
	return failure('not-found', `There is no item "${itemId.slice(0, 80)}" in this exercise.`);
}

const OP_ID = /^[A-Za-z0-9_-]{8,64}$/;

function isUniqueViolation(error: unknown) {
	return (
		typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505'
	);
}

/**
 * Runs a write once per (user, opId): a repeat returns the first result without writing again.
 * Two concurrent repeats race on the receipt's primary key; the loser rolls back and reads the winner's.
 */
/** The first result of an op already applied, or null when this opId is new for this user. */
async function replayReceipt<T extends object>(
	db: Kysely<Database>,
	context: RoomContext,
	opId: string
): Promise<WriteResult<T> | null> {
	const receipt = await db
		.selectFrom('op_receipts')
		.select(['result', 'assignment_id'])
		.where('user_id', '=', context.actor.userId)
		.where('op_id', '=', opId)
		.executeTakeFirst();
	if (!receipt) return null;
	if (receipt.assignment_id !== context.assignment.id) {
		return failure('bad-request', 'That opId was already used for another assignment.');
	}
	const result = receipt.result as T & { seq: number };
	return { ...result, ok: true, events: [], replayed: true } as WriteResult<T>;
}

async function once<T extends object>(
	db: Kysely<Database>,
	context: RoomContext,
	opId: unknown,
	write: (trx: Kysely<Database>) => Promise<Outcome<T & { events: StoredEvent[] }>>
): Promise<WriteResult<T>> {
	if (typeof opId !== 'string' || !OP_ID.test(opId)) {
		return failure('bad-request', 'opId must be 8 to 64 letters, digits, "-" or "_".');
	}
	const replay = () => replayReceipt<T>(db, context, opId);
	const earlier = await replay();
	if (earlier) return earlier as WriteResult<T>;
	try {
		return await db.transaction().execute(async (trx) => {
			const outcome = await write(trx);
			if (!outcome.ok) return outcome;
			const { events, ok: _ok, ...rest } = outcome;
			const seq = events.at(-1)?.seq ?? context.assignment.last_seq;
			const result = { ...rest, seq } as T & { seq: number };
			await trx
				.insertInto('op_receipts')
				.values({
					user_id: context.actor.userId,
					op_id: opId,
					assignment_id: context.assignment.id,
					result: JSON.stringify(result)
				})
				.execute();
			return { ...result, ok: true as const, events, replayed: false };
		});
	} catch (error) {
		if (isUniqueViolation(error)) {
			const winner = await replay();
			if (winner) return winner as WriteResult<T>;
		}
		throw error;
	}
}

/** Re-reads the assignment row inside the transaction, locking it so state checks and writes agree. */
async function lockAssignment(trx: Kysely<Database>, assignmentId: string) {
	return trx
		.selectFrom('assignments')
		.innerJoin('couples', 'couples.id', 'assignments.couple_id')
		.select([
			'assignments.status',
			'assignments.mode',
			'assignments.current_section_id',
			'couples.archived_at'
		])
		.where('assignments.id', '=', assignmentId)
		.forUpdate('assignments')
		.executeTakeFirstOrThrow();
}

// Archived means read-only for the partners, however they write (homework page, API, live socket):
// every partner write checks the couple's state at the moment it commits, not when the room was joined.
const coupleArchived = () => failure('couple-archived', COUPLE_ARCHIVED_MESSAGE);

/** Locks the assignment row for a write, or refuses when the exercise has ended or, for a partner, the couple is archived. */
async function lockOpenAssignment(trx: Kysely<Database>, context: RoomContext) {
	const assignment = await lockAssignment(trx, context.assignment.id);
	if (context.actor.kind === 'partner' && assignment.archived_at !== null) return coupleArchived();
	return assignment.status === 'closed'
		? failure('room-closed', 'This exercise has ended.')
		: assignment;
}

function sectionNamed(context: RoomContext, sectionId: unknown) {
	return context.definition.sections.find((s) => s.id === sectionId) ?? null;
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

function partnerOnly(context: RoomContext): Failure | null {
	return context.actor.kind === 'partner'
		? null
		: failure('forbidden', 'Only the partners answer; the therapist facilitates.');
}

function therapistOnly(context: RoomContext): Failure | null {
	return context.actor.kind === 'therapist'
		? null
		: failure('forbidden', 'Only the therapist can do that.');
}

export interface AnswerInput {
	opId: unknown;
	itemId: unknown;
	value: unknown;
}

export async function saveAnswer(
	db: Kysely<Database>,
	context: RoomContext,
	input: AnswerInput
): Promise<WriteResult<{ safety: boolean }>> {
	const refused = partnerOnly(context);
	if (refused) return refused;
	const found = itemNamed(context.definition, input.itemId);
	if (!found.ok) return found;
	const { item, section } = found;
	const mine = itemsFor(context.definition, context.actor.role);
	if (!mine.some((i: Item) => i.id === item.id)) {
		return failure('forbidden', `Item "${item.id}" is for the other partner.`);
	}
	const checked = validateAnswer(item, input.value);
	if (!checked.ok) return failure('invalid-answer', checked.message);

	if (typeof input.opId !== 'string' || !OP_ID.test(input.opId)) {
		return failure('bad-request', 'opId must be 8 to 64 letters, digits, "-" or "_".');
	}
	// The hot path of a live room is one statement, atomic on its own: it takes the next seq only while
	// the section is open to this partner and the opId is new (the row lock orders writers), then stores
	// the receipt, the answer, any safety flag and the event. No row means a repeat or a refusal.
	const opId = input.opId;
	const assignmentId = context.assignment.id;
	const userId = context.actor.userId;
	const safety = isSafetyTriggered(item, checked.value);
	const payload = { itemId: item.id, sectionId: section.id, value: checked.value };
	const statement = sql<{ seq: number }>`
		with bumped as (
			update assignments set last_seq = last_seq + 1
			where id = ${assignmentId} and status = 'open'
				and (mode = 'homework' or current_section_id = ${section.id})
				and not exists (select 1 from couples where id = ${context.coupleId}
					and archived_at is not null)
				and not exists (select 1 from section_locks where assignment_id = ${assignmentId}
					and section_id = ${section.id} and user_id = ${userId})
				and not exists (select 1 from section_reveals where assignment_id = ${assignmentId}
					and section_id = ${section.id})
				and not exists (select 1 from op_receipts where user_id = ${userId} and op_id = ${opId})
			returning last_seq
		), receipt as (
			insert into op_receipts (user_id, op_id, assignment_id, result)
			select ${userId}, ${opId}, ${assignmentId}, jsonb_build_object('seq', last_seq, 'safety', ${safety}::boolean)
			from bumped
			on conflict do nothing
			returning (result ->> 'seq')::int as seq
		), saved as (
			insert into responses (assignment_id, user_id, item_id, value, updated_at)
			select ${assignmentId}, ${userId}, ${item.id}, ${JSON.stringify(checked.value)}::jsonb, now() from receipt
			on conflict (assignment_id, user_id, item_id)
			do update set value = excluded.value, updated_at = excluded.updated_at
		), flagged as (
			insert into safety_flags (assignment_id, couple_id, user_id, item_id)
			select ${assignmentId}, ${context.coupleId}, ${userId}, ${item.id} from receipt where ${safety}::boolean
		)
		insert into room_events (assignment_id, seq, type, actor_id, payload)
		select ${assignmentId}, seq, 'answer-saved', ${userId}, ${JSON.stringify(payload)}::jsonb from receipt
		returning seq`.compile(db);
	const { rows } = await runBatched(db, statement, assignmentId);
	if (rows.length) {
		const event: StoredEvent = { seq: rows[0].seq, type: 'answer-saved', actorId: userId, payload };
		return { ok: true, seq: event.seq, safety, events: [event], replayed: false };
	}
	const earlier = await replayReceipt<{ safety: boolean }>(db, context, opId);
	if (earlier) return earlier;
	return whyNotSaved(db, context, section);
}

/** Says why an answer to a section was not stored (only read when the save wrote nothing). */
async function whyNotSaved(
	db: Kysely<Database>,
	context: RoomContext,
	section: { id: string; title: string }
): Promise<Failure> {
	const assignment = await db
		.selectFrom('assignments')
		.innerJoin('couples', 'couples.id', 'assignments.couple_id')
		.select([
			'assignments.status',
			'assignments.mode',
			'assignments.current_section_id',
			'couples.archived_at'
		])
		.where('assignments.id', '=', context.assignment.id)
		.executeTakeFirstOrThrow();
	if (assignment.archived_at !== null) return coupleArchived();
	if (assignment.status === 'closed') return failure('room-closed', 'This exercise has ended.');
	if (assignment.mode === 'live' && assignment.current_section_id !== section.id) {
		return failure('section-not-current', `"${section.title}" is not the section the room is on.`);
	}
	return failure('section-locked', `You have locked "${section.title}"; its answers are final.`);
}

/** Collects the partners' answers of a section for the reveal event (values filtered per recipient later). */
async function sectionAnswers(trx: Kysely<Database>, context: RoomContext, sectionId: string) {
	const section = sectionNamed(context, sectionId);
	const itemIds = section?.items.map((i) => i.id) ?? [];
	if (itemIds.length === 0) return {};
	const rows = await trx
		.selectFrom('responses')
		.select(['user_id', 'item_id', 'value'])
		.where('assignment_id', '=', context.assignment.id)
		.where('item_id', 'in', itemIds)
		.execute();
	const answers: Record<string, Record<string, unknown>> = {};
	for (const row of rows) (answers[row.user_id] ??= {})[row.item_id] = row.value;
	return answers;
}

async function reveal(
	trx: Kysely<Database>,
	context: RoomContext,
	sectionId: string,
	by: string | null
): Promise<StoredEvent> {
	await trx
		.insertInto('section_reveals')
		.values({ assignment_id: context.assignment.id, section_id: sectionId, revealed_by: by })
		.onConflict((oc) => oc.columns(['assignment_id', 'section_id']).doNothing())
		.execute();
	return roomEvents.append(trx, context.assignment.id, 'section-revealed', by, {
		sectionId,
		answers: await sectionAnswers(trx, context, sectionId)
	});
}

export async function lockSection(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: unknown; sectionId: unknown }
): Promise<WriteResult<{ revealed: boolean }>> {
	const refused = partnerOnly(context);
	if (refused) return refused;
	const section = sectionNamed(context, input.sectionId);
	if (!section) return failure('not-found', 'There is no such section in this exercise.');

	return once(db, context, input.opId, async (trx) => {
		const assignment = await lockOpenAssignment(trx, context);
		if ('ok' in assignment) return assignment;
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
		// When every joined partner has locked, both see the section's answers at once, in one event.
		const partners = partnerIds(context);
		const allLocked =
			partners.length === 2 &&
			partners.every((id) => id === context.actor.userId || state.lockedBy.has(id));
		if (allLocked && !state.isRevealed) events.push(await reveal(trx, context, section.id, null));
		return { ok: true, revealed: allLocked, events };
	});
}

/** A joint list entry added or removed, or a whole joint value replaced (last write wins, the previous kept). */
export async function saveJoint(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: unknown; itemId: unknown; value: unknown }
): Promise<WriteResult> {
	const found = itemNamed(context.definition, input.itemId);
	if (!found.ok) return found;
	const { item, section } = found;
	if (!item.joint) return failure('forbidden', `Item "${item.id}" has no joint answer.`);

	let change: { add?: string; remove?: string; value?: unknown };
	if (item.type === 'list') {
		const op = input.value as { add?: unknown; remove?: unknown } | null;
		const entry =
			typeof op?.add === 'string'
				? op.add.trim()
				: typeof op?.remove === 'string'
					? op.remove
					: null;
		if (!entry || entry.length > LIST_ENTRY_MAX) {
			return failure(
				'invalid-answer',
				`Item "${item.id}": send {add: "text"} or {remove: "text"}, up to ${LIST_ENTRY_MAX} characters.`
			);
		}
		if (!isStorable(entry))
			return failure('invalid-answer', `Item "${item.id}": ${unstorableMessage('the entry')}`);
		change = typeof op?.add === 'string' ? { add: entry } : { remove: entry };
	} else {
		const checked = validateAnswer(item, input.value);
		if (!checked.ok) return failure('invalid-answer', checked.message);
		change = { value: checked.value };
	}

	return once(db, context, input.opId, async (trx) => {
		const assignment = await lockOpenAssignment(trx, context);
		if ('ok' in assignment) return assignment;
		const existing = await trx
			.selectFrom('joint_answers')
			.select('value')
			.where('assignment_id', '=', context.assignment.id)
			.where('item_id', '=', item.id)
			.executeTakeFirst();
		let value: unknown;
		if (item.type === 'list') {
			const list = Array.isArray(existing?.value) ? (existing.value as string[]) : [];
			if (change.add !== undefined) {
				if (list.length >= 50)
					return failure('invalid-answer', `Item "${item.id}" holds at most 50 entries.`);
				value = list.includes(change.add) ? list : [...list, change.add];
			} else value = list.filter((entry) => entry !== change.remove);
		} else value = change.value;
		await trx
			.insertInto('joint_answers')
			.values({
				assignment_id: context.assignment.id,
				item_id: item.id,
				value: JSON.stringify(value),
				updated_by: context.actor.userId,
				updated_at: new Date()
			})
			.onConflict((oc) =>
				oc.columns(['assignment_id', 'item_id']).doUpdateSet({
					value: JSON.stringify(value),
					updated_by: context.actor.userId,
					updated_at: new Date()
				})
			)
			.execute();
		const event = await roomEvents.append(
			trx,
			context.assignment.id,
			'joint-saved',
			context.actor.userId,
			{
				itemId: item.id,
				sectionId: section.id,
				value,
				previous: existing?.value ?? null
			}
		);
		return { ok: true, events: [event] };
	});
}

/** The therapist moves a live room to a section. */
export async function advance(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: unknown; sectionId: unknown }
): Promise<WriteResult> {
	const refused = therapistOnly(context);
	if (refused) return refused;
	const section = sectionNamed(context, input.sectionId);
	if (!section) return failure('not-found', 'There is no such section in this exercise.');
	return once(db, context, input.opId, async (trx) => {
		const assignment = await lockOpenAssignment(trx, context);
		if ('ok' in assignment) return assignment;
		if (assignment.mode !== 'live')
			return failure('bad-request', 'Only a live room moves between sections.');
		await trx
			.updateTable('assignments')
			.set({ current_section_id: section.id })
			.where('id', '=', context.assignment.id)
			.execute();
		const event = await roomEvents.append(
			trx,
			context.assignment.id,
			'section-opened',
			context.actor.userId,
			{
				sectionId: section.id
			}
		);
		return { ok: true, events: [event] };
	});
}

/** The therapist reveals a section early, or re-opens it so the partners can change their answers (audited). */
export async function overrideSection(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: unknown; sectionId: unknown; action: 'reveal' | 'reopen' }
): Promise<WriteResult> {
	const refused = therapistOnly(context);
	if (refused) return refused;
	const section = sectionNamed(context, input.sectionId);
	if (!section) return failure('not-found', 'There is no such section in this exercise.');
	return once(db, context, input.opId, async (trx) => {
		const assignment = await lockOpenAssignment(trx, context);
		if ('ok' in assignment) return assignment;
		let event: StoredEvent;
		if (input.action === 'reveal') {
			event = await reveal(trx, context, section.id, context.actor.userId);
		} else {
			await trx
				.deleteFrom('section_locks')
				.where('assignment_id', '=', context.assignment.id)
				.where('section_id', '=', section.id)
				.execute();
			await trx
				.deleteFrom('section_reveals')
				.where('assignment_id', '=', context.assignment.id)
				.where('section_id', '=', section.id)
				.execute();
			event = await roomEvents.append(
				trx,
				context.assignment.id,
				'section-reopened',
				context.actor.userId,
				{
					sectionId: section.id
				}
			);
		}
		await audit.record(trx, {
			actorId: context.actor.userId,
			action: input.action === 'reveal' ? 'room.section.reveal' : 'room.section.reopen',
			targetType: 'assignment',
			targetId: context.assignment.id,
			coupleId: context.coupleId,
			detail: { sectionId: section.id }
		});
		return { ok: true, events: [event] };
	});
}

/** The therapist ends the exercise: the room becomes read-only and its results join the couple's record. */
export async function close(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: unknown }
): Promise<WriteResult> {
	const refused = therapistOnly(context);
	if (refused) return refused;
	return once(db, context, input.opId, async (trx) => {
		const assignment = await lockAssignment(trx, context.assignment.id);
		if (assignment.status === 'closed')
			return failure('room-closed', 'This exercise has already ended.');
		await trx
			.updateTable('assignments')
			.set({ status: 'closed', closed_at: new Date() })
			.where('id', '=', context.assignment.id)
			.execute();
		const event = await roomEvents.append(
			trx,
			context.assignment.id,
			'room-closed',
			context.actor.userId,
			{}
		);
		return { ok: true, events: [event] };
	});
}
