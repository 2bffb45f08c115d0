// Assignments: one exercise version given to one couple (the room context is in rooms/context.ts).
import type { Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { Assignment, AssignmentMode, Database, RevealPolicy } from './db/schema';
import { isId } from '$lib/input';
import * as couples from './couples';

export interface NewAssignment {
	coupleId: string;
	definitionId: string;
	mode: AssignmentMode;
	dueAt?: Date | null;
	note?: string | null;
	/** Homework only: when its simultaneous sections are revealed (a live room reveals on lock). */
	revealPolicy?: RevealPolicy;
}

/**
 * Whether a therapist may give this exercise version to this couple: the couple is hers and not
 * archived (its record is read-only), the exercise is a built-in or hers. One rule for single
 * assignments and schedules; `field` names the form field to mark when she may not.
 */
export async function assignable(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	definitionId: string
) {
	if (!isId(coupleId)) return { ok: false as const, field: 'coupleId' as const };
	if (!isId(definitionId)) return { ok: false as const, field: 'definitionId' as const };
	const couple = await couples.openForTherapist(db, therapistId, coupleId);
	if (!couple) return { ok: false as const, field: 'coupleId' as const };
	const definition = await db
		.selectFrom('exercise_definitions')
		.select(['id', 'definition', 'owner_id'])
		.where('id', '=', definitionId)
		.executeTakeFirst();
	if (!definition || (definition.owner_id !== null && definition.owner_id !== therapistId)) {
		return { ok: false as const, field: 'definitionId' as const };
	}
	return { ok: true as const, couple, definition };
}

/**
 * Gives an exercise version to a couple; a live assignment opens on its first section. Null when the
 * couple is not this therapist's, is archived (its record is read-only), or the exercise is not hers.
 */
export async function create(
	db: Kysely<Database>,
	therapistId: string,
	input: NewAssignment
): Promise<Assignment | null> {
	const found = await assignable(db, therapistId, input.coupleId, input.definitionId);
	if (!found.ok) return null;
	const { definition } = found;
	const firstSection = (definition.definition as ExerciseDefinition).sections[0]?.id ?? null;
	return db
		.insertInto('assignments')
		.values({
			couple_id: input.coupleId,
			definition_id: input.definitionId,
			mode: input.mode,
			due_at: input.mode === 'homework' ? (input.dueAt ?? null) : null,
			note: input.note ?? null,
			reveal_policy: input.mode === 'homework' ? (input.revealPolicy ?? 'on_lock') : 'on_lock',
			current_section_id: input.mode === 'live' ? firstSection : null,
			created_by: therapistId
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}
