// What every room command checks before it writes, in one place: who may send it, which item or
// section it names, the assignment row locked and still open, and (for partners) the couple not archived.
import type { Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import { COUPLE_ARCHIVED_MESSAGE } from '$lib/realtime/events';
import type { Database } from '../db/schema';
import type { RoomContext } from './context';
import type { StoredEvent } from './events';
import { failure, type Failure, type Outcome, type WriteResult } from './outcome';
import { once } from './receipts';

type Section = ExerciseDefinition['sections'][number];

/** The item a message names, with its section, or the refusal to send back. */
export function itemNamed(definition: ExerciseDefinition, itemId: string) {
	for (const section of definition.sections) {
		const item = section.items.find((i) => i.id === itemId);
		if (item) return { ok: true as const, item, section };
	}
	return failure('not-found', `There is no item "${itemId.slice(0, 80)}" in this exercise.`);
}

export function sectionNamed(context: RoomContext, sectionId: string): Section | null {
	return context.definition.sections.find((s) => s.id === sectionId) ?? null;
}

const REFUSALS = {
	partner: () => failure('forbidden', 'Only the partners answer; the therapist facilitates.'),
	therapist: () => failure('forbidden', 'Only the therapist can do that.')
};

/** Refuses a command the actor's kind may not send. */
export function mustBe(context: RoomContext, kind: 'partner' | 'therapist'): Failure | null {
	return context.actor.kind === kind ? null : REFUSALS[kind]();
}

// Archived means read-only for the partners, however they write (homework page, API, live socket):
// every partner write checks the couple's state at the moment it commits, not when the room was joined.
export const coupleArchived = () => failure('couple-archived', COUPLE_ARCHIVED_MESSAGE);

/** The state of an assignment every command checks: open or closed, its mode and section, archived. */
function assignmentState(db: Kysely<Database>, assignmentId: string) {
	return db
		.selectFrom('assignments')
		.innerJoin('couples', 'couples.id', 'assignments.couple_id')
		.select([
			'assignments.status',
			'assignments.mode',
			'assignments.current_section_id',
			'couples.archived_at'
		])
		.where('assignments.id', '=', assignmentId);
}

/** Re-reads the assignment row inside the transaction, locking it so state checks and writes agree. */
function lockAssignment(trx: Kysely<Database>, assignmentId: string) {
	return assignmentState(trx, assignmentId).forUpdate('assignments').executeTakeFirstOrThrow();
}

/** The assignment's state now, unlocked (to explain a refusal after the fact). */
export function readAssignment(db: Kysely<Database>, assignmentId: string) {
	return assignmentState(db, assignmentId).executeTakeFirstOrThrow();
}

export type LockedAssignment = Awaited<ReturnType<typeof lockAssignment>>;

/**
 * The shape of every room command but the hot answer save: check who sends it, then once per opId
 * lock the assignment row, refuse when the exercise has ended (or, for a partner, the couple is
 * archived), and run the write. Its events and receipt commit together.
 */
export function roomCommand<T extends object>(
	db: Kysely<Database>,
	context: RoomContext,
	opId: string,
	kind: 'partner' | 'therapist',
	write: (
		trx: Kysely<Database>,
		assignment: LockedAssignment
	) => Promise<Outcome<T & { events: StoredEvent[] }>>
): Promise<WriteResult<T>> | Failure {
	const refused = mustBe(context, kind);
	if (refused) return refused;
	return once<T>(db, context, opId, async (trx) => {
		const assignment = await lockAssignment(trx, context.assignment.id);
		if (context.actor.kind === 'partner' && assignment.archived_at !== null)
			return coupleArchived();
		if (assignment.status === 'closed') return failure('room-closed', 'This exercise has ended.');
		return write(trx, assignment);
	});
}

/** A room command about one section: the section must exist before anything else is done. */
export function sectionCommand<T extends object>(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: string; sectionId: string },
	kind: 'partner' | 'therapist',
	write: (
		trx: Kysely<Database>,
		section: Section,
		assignment: LockedAssignment
	) => Promise<Outcome<T & { events: StoredEvent[] }>>
): Promise<WriteResult<T>> | Failure {
	const refused = mustBe(context, kind);
	if (refused) return refused;
	const section = sectionNamed(context, input.sectionId);
	if (!section) return failure('not-found', 'There is no such section in this exercise.');
	return roomCommand<T>(db, context, input.opId, kind, (trx, assignment) =>
		write(trx, section, assignment)
	);
}
