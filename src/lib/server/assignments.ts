// Assignments: one exercise version given to one couple, and the context every read or write of it needs.
import type { Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { Assignment, AssignmentMode, Database, PartnerRole } from './db/schema';
import type { SessionUser } from './auth/session';
import { isId } from '$lib/input';

export interface RoomMember {
	userId: string | null;
	slot: 1 | 2;
	name: string;
	role: PartnerRole;
}

/** Everything known about an assignment from where one person stands. */
export interface RoomContext {
	assignment: Assignment;
	definition: ExerciseDefinition;
	definitionKey: string;
	definitionVersion: number;
	coupleId: string;
	coupleLabel: string;
	rolesApply: boolean;
	therapistId: string;
	members: RoomMember[];
	actor: {
		userId: string;
		kind: 'therapist' | 'partner';
		/** The partner's role in this couple ('none' for the therapist or when roles do not apply). */
		role: PartnerRole;
	};
}

/** Loads an assignment for a user, or null when it does not exist or is not theirs (callers answer 404). */
export async function loadContext(
	db: Kysely<Database>,
	user: Pick<SessionUser, 'id' | 'role'>,
	assignmentId: string
): Promise<RoomContext | null> {
	if (!isId(assignmentId)) return null;
	const row = await db
		.selectFrom('assignments')
		.innerJoin('couples', 'couples.id', 'assignments.couple_id')
		.innerJoin('exercise_definitions as def', 'def.id', 'assignments.definition_id')
		.selectAll('assignments')
		.select([
			'couples.therapist_id',
			'couples.label',
			'couples.roles_apply',
			'def.definition',
			'def.key as definition_key',
			'def.version as definition_version'
		])
		.where('assignments.id', '=', assignmentId)
		.executeTakeFirst();
	if (!row) return null;

	const memberRows = await db
		.selectFrom('couple_members')
		.select(['user_id', 'slot', 'display_name', 'role'])
		.where('couple_id', '=', row.couple_id)
		.orderBy('slot')
		.execute();
	const members: RoomMember[] = memberRows.map((m) => ({
		userId: m.user_id,
		slot: m.slot,
		name: m.display_name,
		role: row.roles_apply ? m.role : 'none'
	}));

	let actor: RoomContext['actor'];
	if (user.role === 'therapist') {
		if (row.therapist_id !== user.id) return null;
		actor = { userId: user.id, kind: 'therapist', role: 'none' };
	} else {
		const me = members.find((m) => m.userId === user.id);
		if (!me) return null;
		actor = { userId: user.id, kind: 'partner', role: me.role };
	}

	const {
		therapist_id,
		label,
		roles_apply,
		definition,
		definition_key,
		definition_version,
		...assignment
	} = row;
	return {
		assignment,
		definition: definition as ExerciseDefinition,
		definitionKey: definition_key,
		definitionVersion: definition_version,
		coupleId: row.couple_id,
		coupleLabel: label,
		rolesApply: roles_apply,
		therapistId: therapist_id,
		members,
		actor
	};
}

export interface NewAssignment {
	coupleId: string;
	definitionId: string;
	mode: AssignmentMode;
	dueAt?: Date | null;
	note?: string | null;
}

/** Gives an exercise version to a couple; a live assignment opens on its first section. */
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

export function partnerIds(context: RoomContext): string[] {
	return context.members.flatMap((m) => (m.userId ? [m.userId] : []));
}
