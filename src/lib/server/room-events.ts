// The ordered log of what happened in an assignment, and what each member may see of each entry.
import { sql, type Kysely } from 'kysely';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { RoomEvent } from '$lib/realtime/events';
import type { Database } from './db/schema';
import type { RoomContext } from './assignments';

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

type Reveal = 'simultaneous' | 'open' | 'therapist-only';

const policyCache = new WeakMap<ExerciseDefinition, Map<string, Reveal>>();

/** itemId → reveal policy, computed once per definition object. */
export function revealPolicies(definition: ExerciseDefinition): Map<string, Reveal> {
	let map = policyCache.get(definition);
	if (!map) {
		map = new Map();
		for (const section of definition.sections) {
			for (const item of section.items) map.set(item.id, item.reveal);
		}
		policyCache.set(definition, map);
	}
	return map;
}

/** Whether `viewer` may see `owner`'s value for an item, given which sections are revealed. */
export function maySeeValue(
	context: RoomContext,
	viewerId: string,
	ownerId: string,
	itemId: string,
	sectionRevealed: boolean
): boolean {
	if (viewerId === ownerId) return true;
	if (viewerId === context.therapistId) return true;
	const reveal = revealPolicies(context.definition).get(itemId);
	if (reveal === 'open') return true;
	if (reveal === 'simultaneous') return sectionRevealed;
	return false;
}

/**
 * What one member receives for an event. Before a reveal the other partner learns only that an
 * item was answered; therapist-only values never reach a partner.
 */
export function project(
	context: RoomContext,
	viewerId: string,
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
			if (maySeeValue(context, viewerId, owner, itemId, revealedSections.has(sectionId))) {
				return { ...base, itemId, sectionId, value };
			}
			return { ...base, type: 'partner-answered', itemId, sectionId };
		}
		case 'section-revealed': {
			const { sectionId, answers } = event.payload as {
				sectionId: string;
				answers: Record<string, Record<string, unknown>>;
			};
			const visible: Record<string, Record<string, unknown>> = {};
			for (const [ownerId, values] of Object.entries(answers)) {
				visible[ownerId] = {};
				for (const [itemId, value] of Object.entries(values)) {
					if (maySeeValue(context, viewerId, ownerId, itemId, true))
						visible[ownerId][itemId] = value;
				}
			}
			return { ...base, sectionId, answers: visible };
		}
		default:
			return { ...base, ...event.payload };
	}
}
