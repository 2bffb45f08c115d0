// An exercise as data: the one schema for built-in and custom definitions, shared by client and server,
// with the rules every answer must meet.
import * as v from 'valibot';

export const ITEM_TYPES = [
	'scenario',
	'likert5',
	'scale10',
	'choice',
	'checklist',
	'text',
	'list'
] as const;
export const TARGETS = ['both', 'injured', 'involved'] as const;
export const REVEALS = ['simultaneous', 'open', 'therapist-only'] as const;
export const SCENARIO_CHOICES = ['ok', 'talk-first', 'crosses-line'] as const;

export type ItemType = (typeof ITEM_TYPES)[number];
export type Target = (typeof TARGETS)[number];
export type Reveal = (typeof REVEALS)[number];
export type PartnerRole = 'injured' | 'involved' | 'none';

const slug = (what: string) =>
	v.pipe(
		v.string(`${what} must be text.`),
		v.regex(
			/^[a-z0-9][a-z0-9-]{0,63}$/,
			`${what} must be lowercase letters, digits and dashes (up to 64).`
		)
	);
const words = (what: string, max: number) =>
	v.pipe(
		v.string(`${what} must be text.`),
		v.trim(),
		v.nonEmpty(`${what} is required.`),
		v.maxLength(max, `${what} is at most ${max} characters.`)
	);

const OptionSchema = v.object({ id: slug('An option id'), label: words('An option label', 200) });

export const ItemSchema = v.object({
	id: slug('An item id'),
	type: v.picklist(ITEM_TYPES, 'The item type must be one of: ' + ITEM_TYPES.join(', ') + '.'),
	prompt: words('The prompt', 500),
	help: v.optional(words('The help text', 1000)),
	target: v.optional(v.picklist(TARGETS, 'Target must be both, injured or involved.'), 'both'),
	reveal: v.optional(
		v.picklist(REVEALS, 'Reveal must be simultaneous, open or therapist-only.'),
		'simultaneous'
	),
	reverse: v.optional(v.boolean()),
	subscale: v.optional(slug('A subscale')),
	minLabel: v.optional(words('The low-end label', 80)),
	maxLabel: v.optional(words('The high-end label', 80)),
	options: v.optional(
		v.pipe(v.array(OptionSchema), v.maxLength(20, 'An item has at most 20 options.'))
	),
	safety: v.optional(v.object({ triggerOptions: v.array(slug('A trigger option')) })),
	joint: v.optional(v.boolean())
});

export const SectionSchema = v.object({
	id: slug('A section id'),
	title: words('A section title', 200),
	intro: v.optional(words('A section introduction', 2000)),
	items: v.pipe(
		v.array(ItemSchema),
		v.minLength(1, 'A section needs at least one item.'),
		v.maxLength(60, 'A section has at most 60 items.')
	)
});

export const DefinitionSchema = v.object({
	key: slug('The exercise key'),
	title: words('The title', 200),
	purpose: words('The purpose', 2000),
	instructions: words('The instructions', 4000),
	estimatedMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(240)), 10),
	repeatable: v.optional(v.boolean()),
	sections: v.pipe(
		v.array(SectionSchema),
		v.minLength(1, 'An exercise needs at least one section.'),
		v.maxLength(30, 'An exercise has at most 30 sections.')
	)
});

export type ExerciseDefinition = v.InferOutput<typeof DefinitionSchema>;
export type ExerciseSection = ExerciseDefinition['sections'][number];
export type ExerciseItem = ExerciseSection['items'][number];

/** Checks what the per-field schema cannot: unique ids, options where needed, safety only on choices. */
function crossChecks(definition: ExerciseDefinition): string[] {
	const issues: string[] = [];
	const sectionIds = new Set<string>();
	const itemIds = new Set<string>();
	for (const section of definition.sections) {
		if (sectionIds.has(section.id)) issues.push(`Section id "${section.id}" is used twice.`);
		sectionIds.add(section.id);
		for (const item of section.items) {
			const where = `Item "${item.id}"`;
			if (itemIds.has(item.id)) issues.push(`${where}: the id is used twice.`);
			itemIds.add(item.id);
			const needsOptions = item.type === 'choice' || item.type === 'checklist';
			if (needsOptions && (!item.options || item.options.length < 2)) {
				issues.push(`${where}: a ${item.type} item needs at least two options.`);
			}
			if (needsOptions && item.options) {
				const ids = item.options.map((o) => o.id);
				if (new Set(ids).size !== ids.length) issues.push(`${where}: two options share an id.`);
			}
			if (item.safety) {
				if (item.type !== 'choice')
					issues.push(`${where}: only a choice item can be a safety item.`);
				else if (item.safety.triggerOptions.length === 0)
					issues.push(`${where}: a safety item needs at least one trigger option.`);
				else {
					for (const trigger of item.safety.triggerOptions) {
						if (!item.options?.some((o) => o.id === trigger))
							issues.push(`${where}: trigger "${trigger}" is not one of its options.`);
					}
				}
			}
			if (item.reverse && item.type !== 'likert5')
				issues.push(`${where}: only likert5 items can be reverse-scored.`);
			if (item.joint && !['scenario', 'list', 'text', 'choice'].includes(item.type)) {
				issues.push(`${where}: a joint answer fits scenario, choice, text or list items.`);
			}
		}
	}
	return issues;
}

function describeIssue(issue: v.BaseIssue<unknown>, input: unknown): string {
	const path = issue.path ?? [];
	let sectionId: string | null = null;
	let itemId: string | null = null;
	let node: unknown = input;
	for (const step of path) {
		node = (node as Record<string | number, unknown> | undefined)?.[step.key as string | number];
		if (node && typeof node === 'object' && 'id' in node) {
			const id = String((node as { id: unknown }).id);
			if ('items' in node) sectionId = id;
			else if ('prompt' in node || 'type' in node) itemId = id;
		}
	}
	const field = path.at(-1)?.key;
	const where = itemId ? `Item "${itemId}"` : sectionId ? `Section "${sectionId}"` : 'The exercise';
	return `${where}${typeof field === 'string' ? ` (${field})` : ''}: ${issue.message}`;
}

export type ParseResult =
	{ ok: true; definition: ExerciseDefinition } | { ok: false; issues: string[] };

/** Validates a definition. Safety items are always therapist-only, whatever the input says. */
export function parseDefinition(input: unknown): ParseResult {
	const result = v.safeParse(DefinitionSchema, input);
	if (!result.success)
		return { ok: false, issues: result.issues.map((i) => describeIssue(i, input)) };
	const definition = result.output;
	const issues = crossChecks(definition);
	if (issues.length) return { ok: false, issues };
	for (const section of definition.sections) {
		for (const item of section.items) if (item.safety) item.reveal = 'therapist-only';
	}
	return { ok: true, definition };
}

export type AnswerCheck = { ok: true; value: unknown } | { ok: false; message: string };

/** Whether a value fits its item's type; the message names the item. */
export function validateAnswer(item: ExerciseItem, value: unknown): AnswerCheck {
	const bad = (what: string): AnswerCheck => ({ ok: false, message: `Item "${item.id}": ${what}` });
	switch (item.type) {
		case 'scenario': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) {
				return bad('expects {choice: "ok" | "talk-first" | "crosses-line"}.');
			}
			const { choice, wantToKnow, ...rest } = value as Record<string, unknown>;
			if (!SCENARIO_CHOICES.includes(choice as (typeof SCENARIO_CHOICES)[number])) {
				return bad('choice must be "ok", "talk-first" or "crosses-line".');
			}
			if (wantToKnow !== undefined && typeof wantToKnow !== 'boolean')
				return bad('wantToKnow must be true or false.');
			if (Object.keys(rest).length) return bad('only choice and wantToKnow are allowed.');
			return { ok: true, value: wantToKnow === undefined ? { choice } : { choice, wantToKnow } };
		}
		case 'likert5':
			return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 5
				? { ok: true, value }
				: bad('expects a whole number from 1 to 5.');
		case 'scale10':
			return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 10
				? { ok: true, value }
				: bad('expects a whole number from 0 to 10.');
		case 'choice':
			return typeof value === 'string' && item.options?.some((o) => o.id === value)
				? { ok: true, value }
				: bad('expects one of its option ids.');
		case 'checklist': {
			if (
				!Array.isArray(value) ||
				!value.every((id) => typeof id === 'string' && item.options?.some((o) => o.id === id))
			) {
				return bad('expects a list of its option ids.');
			}
			if (new Set(value).size !== value.length) return bad('lists an option twice.');
			return { ok: true, value };
		}
		case 'text':
			if (typeof value !== 'string') return bad('expects text.');
			if (value.length > 2000) return bad('is at most 2,000 characters.');
			return { ok: true, value };
		case 'list': {
			if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string'))
				return bad('expects a list of text entries.');
			const entries = value.map((entry: string) => entry.trim()).filter(Boolean);
			if (entries.length > 50) return bad('holds at most 50 entries.');
			if (entries.some((entry) => entry.length > 280))
				return bad('each entry is at most 280 characters.');
			return { ok: true, value: entries };
		}
	}
}

export function isSafetyTriggered(item: ExerciseItem, value: unknown): boolean {
	return !!item.safety && typeof value === 'string' && item.safety.triggerOptions.includes(value);
}

/** The items a partner answers: those for both, plus those for their role when roles apply. */
export function itemsFor(definition: ExerciseDefinition, role: PartnerRole): ExerciseItem[] {
	return definition.sections.flatMap((s) =>
		s.items.filter((i) => (i.target ?? 'both') === 'both' || i.target === role)
	);
}
