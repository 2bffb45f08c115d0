// The therapist's control of a room: moving it to a section, revealing or re-opening a section, and
// ending it; and the reveal itself, which a lock by the second partner also triggers.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import * as audit from '../audit';
import { mustBe, roomCommand, sectionCommand, sectionNamed } from './commands';
import type { RoomContext } from './context';
import * as roomEvents from './events';
import type { StoredEvent } from './events';
import { failure, type WriteResult } from './outcome';
import { isUniqueViolation } from './receipts';
import { loadContext, partnerIds } from './context';
import type { HeldSection } from '$lib/realtime/events';
import { hasSimultaneousItems, revealsWhenBothLock } from './visibility';
import { prefillJoint } from './joint';

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

export async function reveal(
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
	const answers = await sectionAnswers(trx, context, sectionId);
	// Joint items both partners answered alike become a proposal, carried in the reveal itself.
	const joint = await prefillJoint(trx, context, sectionId, answers);
	return roomEvents.append(trx, context.assignment.id, 'section-revealed', by, {
		sectionId,
		answers,
		...(Object.keys(joint).length > 0 ? { joint } : {})
	});
}

/**
 * The therapist's first join of a live room opens it: partners are told "starts when your therapist
 * opens the room" until then. Once only (the conditional update under the row lock); no opId, as
 * joining is not a write the client queues. Returns the `room-opened` event to broadcast, if any.
 */
export async function markOpened(
	db: Kysely<Database>,
	context: RoomContext
): Promise<StoredEvent[]> {
	const { assignment, actor } = context;
	if (actor.kind !== 'therapist' || assignment.mode !== 'live' || assignment.opened_at) return [];
	return db.transaction().execute(async (trx) => {
		const openedAt = new Date();
		const opened = await trx
			.updateTable('assignments')
			.set({ opened_at: openedAt })
			.where('id', '=', assignment.id)
			.where('opened_at', 'is', null)
			.where('status', '=', 'open')
			.returning('id')
			.executeTakeFirst();
		if (!opened) return [];
		return [
			await roomEvents.append(trx, assignment.id, 'room-opened', actor.userId, {
				openedAt: openedAt.toISOString()
			})
		];
	});
}

// The therapist moves a live room on in ONE statement: the row is locked for that statement alone
// (a batch of saves skips a locked room and comes back for it), the seq bumped, the event and the
// receipt written. It applies only when everything is as expected (open, live, a new opId); anything
// else (a repeat, a closed or homework room, a concurrent repeat losing the race on the receipt) goes
// the general way below, which replays the first result or says why.
const ADVANCE_STATEMENT = `with moved as (
	update assignments set current_section_id = $3::text, last_seq = last_seq + 1
	where id = $1::uuid and status = 'open' and mode = 'live'
		and not exists (select 1 from op_receipts where user_id = $2::uuid and op_id = $4::text)
	returning last_seq
), receipt as (
	insert into op_receipts (user_id, op_id, assignment_id, result)
	select $2::uuid, $4::text, $1::uuid, jsonb_build_object('seq', last_seq) from moved
), evented as (
	insert into room_events (assignment_id, seq, type, actor_id, payload)
	select $1::uuid, last_seq, 'section-opened', $2::uuid, jsonb_build_object('sectionId', $3::text)
	from moved
)
select last_seq as seq from moved`;

async function advanceAtOnce(
	db: Kysely<Database>,
	context: RoomContext,
	sectionId: string,
	opId: string
): Promise<number | null> {
	try {
		const { rows } = await db.executeQuery<{ seq: number }>(
			CompiledQuery.raw(ADVANCE_STATEMENT, [
				context.assignment.id,
				context.actor.userId,
				sectionId,
				opId
			])
		);
		return rows[0]?.seq ?? null;
	} catch (error) {
		if (isUniqueViolation(error)) return null; // a concurrent repeat won: replayed below
		throw error;
	}
}

/** The therapist moves a live room to a section. */
export async function advance(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: string; sectionId: string }
): Promise<WriteResult> {
	const refused = mustBe(context, 'therapist');
	if (refused) return refused;
	const target = sectionNamed(context, input.sectionId);
	if (target) {
		const seq = await advanceAtOnce(db, context, target.id, input.opId);
		if (seq !== null) {
			const payload = { sectionId: target.id };
			const event: StoredEvent = {
				seq,
				type: 'section-opened',
				actorId: context.actor.userId,
				payload
			};
			return { ok: true, seq, events: [event], replayed: false };
		}
	}
	return sectionCommand(db, context, input, 'therapist', async (trx, section, assignment) => {
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
			{ sectionId: section.id }
		);
		return { ok: true, events: [event] };
	});
}

/** The therapist reveals a section early, or re-opens it so the partners can change their answers (audited). */
export async function overrideSection(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: string; sectionId: string; action: 'reveal' | 'reopen' }
): Promise<WriteResult> {
	return sectionCommand(db, context, input, 'therapist', async (trx, section) => {
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
				{ sectionId: section.id }
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
	input: { opId: string }
): Promise<WriteResult> {
	return roomCommand(db, context, input.opId, 'therapist', async (trx) => {
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

/** Where one section with answers shared when both lock stands, for the therapist's assignment page. */
export interface SectionRevealState {
	id: string;
	title: string;
	/** The names of the partners who have locked it. */
	lockedBy: string[];
	/** The names of the partners it still waits for (one who has not joined yet among them). */
	waitingFor: string[];
	isRevealed: boolean;
	revealedAt: Date | null;
	/** Both partners have locked it and it is not revealed yet: the therapist may reveal it now. */
	mayReveal: boolean;
}

/** The reveal state of each section a reveal would show something of (those with simultaneous items). */
export async function revealStates(
	db: Kysely<Database>,
	context: RoomContext
): Promise<SectionRevealState[]> {
	const [locks, reveals] = await Promise.all([
		db
			.selectFrom('section_locks')
			.select(['user_id', 'section_id'])
			.where('assignment_id', '=', context.assignment.id)
			.execute(),
		db
			.selectFrom('section_reveals')
			.select(['section_id', 'revealed_at'])
			.where('assignment_id', '=', context.assignment.id)
			.execute()
	]);
	const partners = partnerIds(context);
	return context.definition.sections.filter(hasSimultaneousItems).map((section) => {
		const lockers = new Set(locks.filter((l) => l.section_id === section.id).map((l) => l.user_id));
		const revealed = reveals.find((r) => r.section_id === section.id);
		return {
			id: section.id,
			title: section.title,
			lockedBy: context.members.filter((m) => m.userId && lockers.has(m.userId)).map((m) => m.name),
			waitingFor: context.members
				.filter((m) => !m.userId || !lockers.has(m.userId))
				.map((m) => m.name),
			isRevealed: !!revealed,
			revealedAt: revealed?.revealed_at ?? null,
			mayReveal: !revealed && partners.length === 2 && partners.every((id) => lockers.has(id))
		};
	});
}

/**
 * The couple's open homework held for the session, section by section, that is not revealed yet:
 * what the therapist's live room lists beside the exercise she runs ("Held for this session"), oldest
 * first. Only for the couple's therapist; a partner gets nothing.
 */
export async function heldForSession(
	db: Kysely<Database>,
	context: RoomContext
): Promise<HeldSection[]> {
	if (context.actor.kind !== 'therapist') return [];
	const rows = await db
		.selectFrom('assignments')
		.select('id')
		.where('couple_id', '=', context.coupleId)
		.where('mode', '=', 'homework')
		.where('reveal_policy', '=', 'session')
		.where('status', '=', 'open')
		.orderBy('created_at')
		.orderBy('id')
		.execute();
	const held: HeldSection[] = [];
	for (const row of rows) {
		const homework = await loadContext(db, { id: context.actor.userId, role: 'therapist' }, row.id);
		if (!homework) continue;
		for (const state of await revealStates(db, homework)) {
			if (state.isRevealed) continue;
			held.push({
				assignmentId: homework.assignment.id,
				exerciseTitle: homework.definition.title,
				sectionId: state.id,
				sectionTitle: state.title,
				lockedBy: state.lockedBy,
				waitingFor: state.waitingFor,
				mayReveal: state.mayReveal
			});
		}
	}
	return held;
}

/**
 * The therapist reveals a section of homework held for the session, from the assignment page or
 * from the couple's live room (`held:reveal`): only
 * once both partners have locked it (before that there is nothing of theirs to set side by side).
 * Audited like a reveal in the live room.
 */
export async function revealHeld(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: string; sectionId: string }
): Promise<WriteResult> {
	return sectionCommand(db, context, input, 'therapist', async (trx, section) => {
		if (revealsWhenBothLock(context.assignment))
			return failure('bad-request', 'This homework is revealed when both partners lock.');
		const [locks, revealed] = await Promise.all([
			trx
				.selectFrom('section_locks')
				.select('user_id')
				.where('assignment_id', '=', context.assignment.id)
				.where('section_id', '=', section.id)
				.execute(),
			trx
				.selectFrom('section_reveals')
				.select('section_id')
				.where('assignment_id', '=', context.assignment.id)
				.where('section_id', '=', section.id)
				.executeTakeFirst()
		]);
		if (revealed) return { ok: true, events: [] };
		const partners = partnerIds(context);
		const lockers = new Set(locks.map((l) => l.user_id));
		if (partners.length < 2 || !partners.every((id) => lockers.has(id))) {
			return failure(
				'bad-request',
				`Both partners need to lock "${section.title}" before it can be revealed.`
			);
		}
		const event = await reveal(trx, context, section.id, context.actor.userId);
		await audit.record(trx, {
			actorId: context.actor.userId,
			action: 'room.section.reveal',
			targetType: 'assignment',
			targetId: context.assignment.id,
			coupleId: context.coupleId,
			detail: { sectionId: section.id, heldForSession: true }
		});
		return { ok: true, events: [event] };
	});
}
