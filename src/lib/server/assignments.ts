// Assignments: one exercise version given to one couple (the room context is in rooms/context.ts).
import type { Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { Assignment, AssignmentMode, Database } from './db/schema';
import { isId } from '$lib/input';

export interface NewAssignment {
	coupleId: string;
	definitionId: string;
	mode: AssignmentMode;
	dueAt?: Date | null;
	note?: string | null;
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
	if (!isId(input.coupleId) || !isId(input.definitionId)) return null;
	const couple = await db
		.selectFrom('couples')
		.select('id')
		.where('id', '=', input.coupleId)
		.where('therapist_id', '=', therapistId)
		.where('archived_at', 'is', null)
		.executeTakeFirst();
	const definition = await db
		.selectFrom('exercise_definitions')
		.select(['id', 'definition', 'owner_id'])
		.where('id', '=', input.definitionId)
		.executeTakeFirst();
	if (!couple || !definition) return null;
	if (definition.owner_id !== null && definition.owner_id !== therapistId) return null;
	const firstSection = (definition.definition as ExerciseDefinition).sections[0]?.id ?? null;
	return db
		.insertInto('assignments')
		.values({
			couple_id: input.coupleId,
			definition_id: input.definitionId,
			mode: input.mode,
			due_at: input.mode === 'homework' ? (input.dueAt ?? null) : null,
			note: input.note ?? null,
			current_section_id: input.mode === 'live' ? firstSection : null,
			created_by: therapistId
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}
