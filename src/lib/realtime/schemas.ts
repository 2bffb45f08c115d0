// The one schema of every client-to-server message of /live (and of the homework endpoint, which
// sends the same answers and locks): parsed once where a message enters, typed from then on.
import * as v from 'valibot';
import { id } from '$lib/input';

/** A client's id for one write, so a repeat (after a reconnect) is applied once. */
export const OpId = v.pipe(
	v.string('opId is required.'),
	v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'opId must be 8 to 64 letters, digits, "-" or "_".')
);

const ItemId = v.pipe(v.string('itemId is required.'), v.maxLength(200, 'itemId is too long.'));
const SectionId = v.pipe(
	v.string('sectionId is required.'),
	v.maxLength(200, 'sectionId is too long.')
);

const AnswerSave = v.object({ opId: OpId, itemId: ItemId, value: v.unknown() });
const SectionCommand = v.object({ opId: OpId, sectionId: SectionId });

/** Every event a client may send, with the schema its payload must meet. */
export const CLIENT_EVENTS = {
	'presence:list': v.object({ coupleId: id('coupleId must be a couple id.') }),
	'room:join': v.object({
		assignmentId: id('assignmentId must be an assignment id.'),
		sinceSeq: v.optional(
			v.pipe(
				v.number('sinceSeq must be a number.'),
				v.integer('sinceSeq must be a whole number.'),
				v.minValue(0, 'sinceSeq cannot be negative.')
			)
		)
	}),
	'answer:save': AnswerSave,
	'answer:lock': SectionCommand,
	'joint:save': AnswerSave,
	'joint:confirm': v.object({
		opId: OpId,
		itemId: ItemId,
		revision: v.pipe(
			v.number('revision is required: the proposal you confirm.'),
			v.integer('revision must be a whole number.'),
			v.minValue(1, 'revision starts at 1.')
		)
	}),
	'room:advance': SectionCommand,
	'room:reveal': SectionCommand,
	'room:reopen': SectionCommand,
	'room:end': v.object({ opId: OpId }),
	// From the therapist's live room: a section of the couple's homework held for the session.
	'held:reveal': v.object({
		opId: OpId,
		assignmentId: id('assignmentId must be an assignment id.'),
		sectionId: SectionId
	}),
	'room:leave': v.object({})
} as const;

export type ClientEventName = keyof typeof CLIENT_EVENTS;
export const CLIENT_EVENT_NAMES = Object.keys(CLIENT_EVENTS) as ClientEventName[];
export type ClientPayload<E extends ClientEventName> = v.InferOutput<(typeof CLIENT_EVENTS)[E]>;

export function isClientEvent(name: string): name is ClientEventName {
	return Object.hasOwn(CLIENT_EVENTS, name);
}

/** The homework endpoint's body: an answer or a lock, as the socket's `answer:save` / `answer:lock`. */
export const HomeworkWrite = v.variant('action', [
	v.object({ action: v.literal('answer'), ...AnswerSave.entries }),
	v.object({ action: v.literal('lock'), ...SectionCommand.entries })
]);
