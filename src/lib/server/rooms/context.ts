// The room context: everything known about one assignment from where one person stands, and the
// one answer to "may this person open this assignment" (its couple's therapist or one of its partners).
import type { Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import { isId } from '$lib/input';
import type { Assignment, Database, PartnerRole } from '../db/schema';
import type { SessionUser } from '../auth/session';

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
	/** The therapist's name as the couple sees it ("who is in the room"). */
	therapistName: string;
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
		.innerJoin('users as therapist', 'therapist.id', 'couples.therapist_id')
		.selectAll('assignments')
		.select([
			'couples.therapist_id',
			'therapist.display_name as therapist_name',
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
		therapist_name,
		label,
		roles_apply,
		definition,
		definition_key,
		definition_version,
		...assignment
	} = row;
	return {
		assignment,
		definition: shared(row.definition_id, definition),
		definitionKey: definition_key,
		definitionVersion: definition_version,
		coupleId: row.couple_id,
		coupleLabel: label,
		rolesApply: roles_apply,
		therapistId: therapist_id,
		therapistName: therapist_name,
		members,
		actor
	};
}

// Every context of one exercise version shares one frozen definition, so what is derived from its
// items (each answer's schema, validateAnswer) is built once per process, not once per socket that
// joins (a 300-room run built a schema on most saves and kept them all: 2.2 MB of the 3 MB the
// server retained while it ran). A version is rewritten only until it is first assigned, so the text
// is compared too.
const definitions = new Map<string, { text: string; definition: ExerciseDefinition }>();
const MAX_DEFINITIONS = 500;

function shared(id: string, stored: unknown): ExerciseDefinition {
	const text = JSON.stringify(stored);
	const known = definitions.get(id);
	const entry =
		known?.text === text ? known : { text, definition: deepFreeze(stored) as ExerciseDefinition };
	// Kept in use order, so the version dropped at the limit is the one least recently read.
	definitions.delete(id);
	definitions.set(id, entry);
	if (definitions.size > MAX_DEFINITIONS) definitions.delete(definitions.keys().next().value!);
	return entry.definition;
}

function deepFreeze<T>(value: T): T {
	if (value && typeof value === 'object' && !Object.isFrozen(value)) {
		Object.freeze(value);
		for (const inner of Object.values(value)) deepFreeze(inner);
	}
	return value;
}

export function partnerIds(context: RoomContext): string[] {
	return context.members.flatMap((m) => (m.userId ? [m.userId] : []));
}
