// The ordered log of what happened in an assignment, and what each member may see of each entry.
import { sql, type Kysely } from 'kysely';
import type { RoomEvent } from '$lib/realtime/events';
import type { Database } from '../db/schema';
import type { RoomContext } from './context';
import { visibilityOf, visibleAnswers, type Viewer } from './visibility';

export interface StoredEvent {
	seq: number;
	type: string;
	actorId: string | null;
	payload: Record<string, unknown>;
}

/** Takes the next seq for the assignment (the row lock orders concurrent writers) and stores the event. */
export async function append(
	trx: Kysely<Database>,
	assignmentId: string,
	type: string,
	actorId: string | null,
	payload: Record<string, unknown>
): Promise<StoredEvent> {
	const { last_seq: seq } = await trx
		.updateTable('assignments')
		.set({ last_seq: sql`last_seq + 1` })
		.where('id', '=', assignmentId)
		.returning('last_seq')
		.executeTakeFirstOrThrow();
	await trx
		.insertInto('room_events')
		.values({
			assignment_id: assignmentId,
			seq,
			type,
			actor_id: actorId,
			payload: JSON.stringify(payload)
		})
		.execute();
	return { seq, type, actorId, payload };
}

export async function since(
	db: Kysely<Database>,
	assignmentId: string,
	afterSeq: number,
	limit = 1000
): Promise<StoredEvent[]> {
	const rows = await db
		.selectFrom('room_events')
		.select(['seq', 'type', 'actor_id', 'payload'])
		.where('assignment_id', '=', assignmentId)
		.where('seq', '>', afterSeq)
		.orderBy('seq')
		.limit(limit)
		.execute();
	return rows.map((r) => ({
		seq: r.seq,
		type: r.type,
		actorId: r.actor_id,
		payload: r.payload as Record<string, unknown>
	}));
}

/** Everyone a room's events go to, each as a viewer: the therapist and every joined partner. */
export function recipients(context: RoomContext): Viewer[] {
	return [
		{ userId: context.therapistId, kind: 'therapist', role: 'none' },
		...context.members.flatMap((m) =>
			m.userId ? [{ userId: m.userId, kind: 'partner' as const, role: m.role }] : []
		)
	];
}

/**
 * What one member receives for an event, by the reveal rules (reveal-rules.ts). Before a reveal the
 * other partner learns only that an item was answered; therapist-only values never reach a partner;
 * of an item for the other role a partner gets a bare `hidden` frame, which only moves their seq on.
 */
export function project(
	context: RoomContext,
	viewer: Viewer,
	event: StoredEvent,
	revealedSections: ReadonlySet<string>
): RoomEvent | null {
	const base = { seq: event.seq, type: event.type, actorId: event.actorId };
	switch (event.type) {
		case 'answer-saved': {
			const { itemId, sectionId, value } = event.payload as {
				itemId: string;
				sectionId: string;
				value: unknown;
			};
			const owner = event.actorId!;
			const seen = visibilityOf(context.definition, viewer, owner, itemId, revealedSections);
			if (seen === 'value') return { ...base, itemId, sectionId, value };
			if (seen === 'answered') return { ...base, type: 'partner-answered', itemId, sectionId };
			// Not even who acted: without the frame the client would see a gap in seq and re-join.
			return { seq: event.seq, type: 'hidden', actorId: null };
		}
		case 'section-revealed': {
			const { sectionId, answers, joint } = event.payload as {
				sectionId: string;
				answers: Record<string, Record<string, unknown>>;
				joint?: Record<string, unknown>;
			};
			const shown = new Set([sectionId]);
			// Pre-filled joint proposals go to whoever may see the item (both partners gave that answer).
			const jointSeen =
				joint &&
				Object.fromEntries(
					Object.entries(joint).filter(
						([itemId]) =>
							visibilityOf(context.definition, viewer, viewer.userId, itemId, shown) !== 'nothing'
					)
				);
			return {
				...base,
				sectionId,
				answers: visibleAnswers(context.definition, viewer, answers, shown),
				...(jointSeen ? { joint: jointSeen } : {})
			};
		}
		default:
			return { ...base, ...event.payload };
	}
}
