// The couple's joint answers ("our agreement") in a live room: a partner proposes a value, and it is
// agreed only when the other partner (or the therapist in the room) confirms that very revision.
// Any later change, by either partner, is a new proposal. Where both partners already gave the same
// answer, the reveal pre-fills it as a proposal (prefillJoint). Lists merge entry by entry.
import type { Kysely } from 'kysely';
import { isSameAnswer } from '$lib/exercises/answers';
import { LIST_ENTRY_MAX, validateAnswer, type ExerciseItem } from '$lib/exercises/definition';
import { isStorable, unstorableMessage } from '$lib/input';
import type { JointStatus } from '$lib/realtime/events';
import type { Database } from '../db/schema';
import { itemNamed, roomCommand } from './commands';
import { partnerIds, type RoomContext } from './context';
import * as roomEvents from './events';
import { failure, type WriteResult } from './outcome';

/** The most entries a joint list holds. */
const LIST_MAX = 50;

function jointItem(context: RoomContext, itemId: string) {
	const found = itemNamed(context.definition, itemId);
	if (!found.ok) return found;
	if (!found.item.joint)
		return failure('forbidden', `Item "${found.item.id}" has no joint answer.`);
	return found;
}

function lockedRow(trx: Kysely<Database>, assignmentId: string, itemId: string) {
	return trx
		.selectFrom('joint_answers')
		.select(['value', 'revision', 'proposed_by', 'confirmed_at'])
		.where('assignment_id', '=', assignmentId)
		.where('item_id', '=', itemId)
		.forUpdate()
		.executeTakeFirst();
}

/**
 * A partner proposes a joint value: a whole value, or for a list one entry added or removed (merged
 * into the current list under the assignment's row lock, so two partners adding at once both keep
 * their entries). The result is a new proposal by this partner, never an agreement by itself.
 */
export async function proposeJoint(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: string; itemId: string; value: unknown }
): Promise<WriteResult> {
	const found = jointItem(context, input.itemId);
	if (!found.ok) return found;
	const { item, section } = found;
	if (context.actor.kind !== 'partner')
		return failure(
			'forbidden',
			'Only the partners propose a joint answer; you can confirm one they proposed.'
		);

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

	return roomCommand(db, context, input.opId, 'partner', async (trx) => {
		const existing = await lockedRow(trx, context.assignment.id, item.id);
		let value: unknown;
		if (item.type === 'list') {
			const list = Array.isArray(existing?.value) ? (existing.value as string[]) : [];
			if (change.add !== undefined) {
				if (list.length >= LIST_MAX && !list.includes(change.add))
					return failure('invalid-answer', `Item "${item.id}" holds at most ${LIST_MAX} entries.`);
				value = list.includes(change.add) ? list : [...list, change.add];
			} else value = list.filter((entry) => entry !== change.remove);
		} else value = change.value;
		const revision = (existing?.revision ?? 0) + 1;
		const proposal = {
			value: JSON.stringify(value),
			updated_by: context.actor.userId,
			updated_at: new Date(),
			proposed_by: context.actor.userId,
			revision,
			confirmed_by: null,
			confirmed_at: null
		};
		await trx
			.insertInto('joint_answers')
			.values({ assignment_id: context.assignment.id, item_id: item.id, ...proposal })
			.onConflict((oc) => oc.columns(['assignment_id', 'item_id']).doUpdateSet(proposal))
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
				previous: existing?.value ?? null,
				revision
			}
		);
		return { ok: true, events: [event] };
	});
}

/**
 * The other partner, or the therapist, confirms a proposal: the revision named must be the one
 * standing (else `proposal-changed`: they would agree to something they have not seen), and a
 * partner cannot confirm their own. A pre-filled proposal (both gave that answer) may be confirmed
 * by either partner.
 */
export async function confirmJoint(
	db: Kysely<Database>,
	context: RoomContext,
	input: { opId: string; itemId: string; revision: number }
): Promise<WriteResult> {
	const found = jointItem(context, input.itemId);
	if (!found.ok) return found;
	const { item, section } = found;
	return roomCommand(db, context, input.opId, context.actor.kind, async (trx) => {
		const existing = await lockedRow(trx, context.assignment.id, item.id);
		if (!existing)
			return failure('no-proposal', `Nothing has been proposed for "${item.prompt}" yet.`);
		if (existing.revision !== input.revision)
			return failure(
				'proposal-changed',
				`The proposal for "${item.prompt}" changed before you confirmed it; read the new one first.`
			);
		if (existing.confirmed_at !== null)
			return failure('already-agreed', `"${item.prompt}" is already agreed.`);
		if (existing.proposed_by === context.actor.userId)
			return failure(
				'own-proposal',
				`You proposed this for "${item.prompt}"; your partner or your therapist confirms it.`
			);
		await trx
			.updateTable('joint_answers')
			.set({ confirmed_by: context.actor.userId, confirmed_at: new Date() })
			.where('assignment_id', '=', context.assignment.id)
			.where('item_id', '=', item.id)
			.execute();
		const event = await roomEvents.append(
			trx,
			context.assignment.id,
			'joint-confirmed',
			context.actor.userId,
			{ itemId: item.id, sectionId: section.id, revision: existing.revision }
		);
		return { ok: true, events: [event] };
	});
}

/** The value a pre-filled proposal takes: a scenario by its rating alone (as isSameAnswer compares). */
function agreedValue(item: ExerciseItem, value: unknown): unknown {
	if (item.type === 'scenario') return { choice: (value as { choice: unknown }).choice };
	return value;
}

/**
 * At a section's reveal: each joint item both partners answered the same way (the one agreement
 * rule, isSameAnswer) and nobody has proposed anything for yet becomes a proposal by neither, which
 * either partner or the therapist can confirm. Returns what was pre-filled, for the reveal event.
 * Items only the therapist may see, or safety items, are never pre-filled.
 */
export async function prefillJoint(
	trx: Kysely<Database>,
	context: RoomContext,
	sectionId: string,
	answers: Record<string, Record<string, unknown>>
): Promise<Record<string, { value: unknown; status: JointStatus }>> {
	const section = context.definition.sections.find((s) => s.id === sectionId);
	const [a, b] = partnerIds(context);
	if (!section || !a || !b) return {};
	const candidates = section.items.filter(
		(item) =>
			item.joint &&
			!item.safety &&
			item.reveal !== 'therapist-only' &&
			isSameAnswer(item, answers[a]?.[item.id], answers[b]?.[item.id])
	);
	if (candidates.length === 0) return {};
	const prefilled: Record<string, { value: unknown; status: JointStatus }> = {};
	for (const item of candidates) {
		const value = agreedValue(item, answers[a][item.id]);
		if (!validateAnswer(item, value).ok) continue;
		const inserted = await trx
			.insertInto('joint_answers')
			.values({
				assignment_id: context.assignment.id,
				item_id: item.id,
				value: JSON.stringify(value),
				updated_by: context.actor.userId,
				updated_at: new Date(),
				proposed_by: null,
				revision: 1
			})
			.onConflict((oc) => oc.columns(['assignment_id', 'item_id']).doNothing())
			.returning('item_id')
			.executeTakeFirst();
		if (inserted)
			prefilled[item.id] = {
				value,
				status: { proposedBy: null, revision: 1, confirmedBy: null, isAgreed: false }
			};
	}
	return prefilled;
}
