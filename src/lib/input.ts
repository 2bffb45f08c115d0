// The rules every value from outside meets wherever it enters (route params, forms, JSON bodies,
// socket payloads, exercise drafts), shared by client and server: ids are UUIDs, text is storable.
import * as v from 'valibot';

const NOT_AN_ID = 'That is not a valid id.';

/** A row id: a UUID and nothing else (36 dashes are the right length, and still not one). */
export const id = (message = NOT_AN_ID) => v.pipe(v.string(message), v.uuid(message));

const anyId = id();

export function isId(value: unknown): value is string {
	return v.is(anyId, value);
}

// PostgreSQL stores no NUL (U+0000) in text or jsonb, and no half of a surrogate pair in jsonb:
// either would fail the write with a 500, so such text is refused where it enters.
const LONE_SURROGATE = /\p{Cs}/u;

export function isStorable(text: string): boolean {
	return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** The sentence for text that breaks the rule; without a subject it continues one ("Item "x": contains…"). */
export const unstorableMessage = (subject?: string) =>
	`${subject ? `${subject} contains` : 'contains'} a NUL character (\\0) or half of an emoji, which cannot be saved; remove it and try again.`;

/** The one text rule, as a pipe step for every schema of text from outside. */
export const storable = (subject?: string) =>
	v.check<string, string>(isStorable, unstorableMessage(subject));

/**
 * How long a name or label may be: the form schemas refuse longer with a sentence, and the inputs
 * carry the same number as `maxlength` and say it in their hint.
 */
export const LENGTH_LIMITS = {
	coupleLabel: 80,
	partnerName: 80,
	exerciseTitle: 100,
	sectionTitle: 120,
	optionLabel: 120
} as const;
