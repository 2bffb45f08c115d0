// What one member of an assignment may see right now: the state a room:join or a homework page starts from.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { RoomContext } from './context';
import * as audit from '../audit';
import type { JointStatus, RoomView } from '$lib/realtime/events';
import { definitionFor, revealsWhenBothLock, visibleAnswered, visibleAnswers } from './visibility';

export function jointStatusOf(row: {
	proposed_by: string | null;
	revision: number;
	confirmed_by: string | null;
	confirmed_at: Date | null;
}): JointStatus {
	return {
		proposedBy: row.proposed_by,
		revision: row.revision,
		confirmedBy: row.confirmed_by,
		isAgreed: row.confirmed_at !== null
	};
}

export async function viewFor(db: Kysely<Database>, context: RoomContext): Promise<RoomView> {
	const id = context.assignment.id;
	const [assignment, responses, locks, reveals, joint] = await Promise.all([
		db
			.selectFrom('assignments')
			.innerJoin('couples', 'couples.id', 'assignments.couple_id')
			.select([
				'assignments.status',
				'assignments.current_section_id',
				'assignments.last_seq',
				'assignments.opened_at',
				'couples.archived_at'
			])
			.where('assignments.id', '=', id)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('responses')
			.select(['user_id', 'item_id', 'value'])
			.where('assignment_id', '=', id)
			.execute(),
		db
			.selectFrom('section_locks')
			.select(['user_id', 'section_id'])
			.where('assignment_id', '=', id)
			.execute(),
		db.selectFrom('section_reveals').select('section_id').where('assignment_id', '=', id).execute(),
		db
			.selectFrom('joint_answers')
			.select(['item_id', 'value', 'proposed_by', 'revision', 'confirmed_by', 'confirmed_at'])
			.where('assignment_id', '=', id)
			.execute()
	]);
	const revealed = new Set(reveals.map((r) => r.section_id));
	const { definition, actor } = context;
	const stored: Record<string, Record<string, unknown>> = {};
	for (const row of responses) (stored[row.user_id] ??= {})[row.item_id] = row.value;
	const answers = visibleAnswers(definition, actor, stored, revealed);
	const progress = context.members.flatMap((m) =>
		m.userId
			? [
					{
						userId: m.userId,
						name: m.name,
						answered: visibleAnswered(
							definition,
							actor,
							m.userId,
							Object.keys(stored[m.userId] ?? {})
						),
						lockedSections: locks.filter((l) => l.user_id === m.userId).map((l) => l.section_id)
					}
				]
			: []
	);

	if (actor.kind === 'therapist') {
		await audit.record(db, {
			actorId: actor.userId,
			action: 'responses.view',
			targetType: 'assignment',
			targetId: id,
			coupleId: context.coupleId
		});
	}

	return {
		assignment: {
			id,
			mode: context.assignment.mode,
			status: assignment.status,
			dueAt: context.assignment.due_at?.toISOString() ?? null,
			note: context.assignment.note,
			currentSectionId: assignment.current_section_id,
			openedAt: assignment.opened_at?.toISOString() ?? null,
			isArchived: assignment.archived_at !== null,
			revealPolicy: revealsWhenBothLock(context.assignment) ? 'on_lock' : 'session'
		},
		coupleLabel: context.coupleLabel,
		therapist: { userId: context.therapistId, name: context.therapistName },
		definition: definitionFor(definition, actor),
		me: context.actor,
		members: context.members.map((m) => ({ userId: m.userId, name: m.name, slot: m.slot })),
		answers,
		progress,
		revealedSections: [...revealed],
		joint: Object.fromEntries(joint.map((j) => [j.item_id, j.value])),
		jointStatus: Object.fromEntries(joint.map((j) => [j.item_id, jointStatusOf(j)])),
		seq: assignment.last_seq
	};
}
