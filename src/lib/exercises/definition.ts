// An exercise as data: the one schema for built-in and custom definitions, shared by client and server,
// with the rules every answer must meet.
import * as v from 'valibot';
import { LENGTH_LIMITS, storable } from '$lib/input';

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
/** The boundary scale, in order: its index is the answer's ordinal for scoring. */
export const SCENARIO_CHOICES = ['ok', 'talk-first', 'crosses-line'] as const;

export type ItemType = (typeof ITEM_TYPES)[number];
export type Target = (typeof TARGETS)[number];
export type Reveal = (typeof REVEALS)[number];
export type ScenarioChoice = (typeof SCENARIO_CHOICES)[number];
export type PartnerRole = 'injured' | 'involved' | 'none';

/** What each item type is called in the builder. */
export const ITEM_TYPE_LABELS: Record<ItemType, string> = {
	scenario: 'Scenario (fine / talk first / crosses the line)',
	likert5: 'Agree–disagree, 5 points',
	scale10: 'Slider, 0 to 10',
	choice: 'One choice from a list',
	checklist: 'Checklist (any number)',
	text: 'Written answer',
	list: 'List of short entries'
};

/** The optional fields an item may have, depending on its type. */
const ITEM_FIELDS = ['options', 'endLabels', 'reverse', 'subscale', 'safety', 'joint'] as const;
type ItemField = (typeof ITEM_FIELDS)[number];
type FieldSet = Record<ItemField, boolean>;

/** An item type's fields: true for those it takes, false for every other. */
function takes(...fields: ItemField[]): FieldSet {
	return Object.fromEntries(ITEM_FIELDS.map((f) => [f, fields.includes(f)])) as FieldSet;
}

/**
 * Which optional fields belong to each item type: the validator refuses the others and the builder
 * offers (and sends) only these, so the two can never disagree.
 */
export const TYPE_FIELDS: Record<ItemType, FieldSet> = {
	scenario: takes('joint'),
	likert5: takes('reverse', 'subscale'),
	scale10: takes('endLabels', 'subscale'),
	choice: takes('options', 'safety', 'joint'),
	checklist: takes('options'),
	text: takes('joint'),
	list: takes('joint')
};

export const TEXT_MAX = 2000;
export const LIST_MAX_ENTRIES = 50;
export const LIST_ENTRY_MAX = 280;

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
		v.maxLength(max, `${what} is at most ${max} characters.`),
		storable(what)
	);
const flag = (what: string) => v.optional(v.boolean(`${what} must be true or false.`));

const OptionSchema = v.object(
	{ id: slug('An option id'), label: words('An option label', LENGTH_LIMITS.optionLabel) },
	'An option must be an object with an id and a label.'
);

// One flat object rather than a variant per type: UI code reads `item.options` on any item, and the
// per-type rules (options only on choices, labels only on sliders...) are checked in crossChecks.
export const ItemSchema = v.object(
	{
		id: slug('An item id'),
		type: v.picklist(ITEM_TYPES, `The item type must be one of: ${ITEM_TYPES.join(', ')}.`),
		prompt: words('The prompt', 500),
		help: v.optional(words('The help text', 1000)),
		target: v.optional(v.picklist(TARGETS, 'Target must be both, injured or involved.'), 'both'),
		reveal: v.optional(
			v.picklist(REVEALS, 'Reveal must be simultaneous, open or therapist-only.'),
			'simultaneous'
		),
		reverse: flag('Reverse'),
		subscale: v.optional(slug('A subscale')),
		minLabel: v.optional(words('The low-end label', 80)),
		maxLabel: v.optional(words('The high-end label', 80)),
		options: v.optional(
			v.pipe(
				v.array(OptionSchema, 'Options must be a list.'),
				v.maxLength(20, 'An item has at most 20 options.')
			)
		),
		safety: v.optional(
			v.object({
				triggerOptions: v.array(slug('A trigger option'), 'Trigger options must be a list.')
			})
		),
		joint: flag('Joint')
	},
	'An item must be an object with an id, a type and a prompt.'
);

export const SectionSchema = v.object(
	{
		id: slug('A section id'),
		title: words('A section title', LENGTH_LIMITS.sectionTitle),
		intro: v.optional(words('A section introduction', 2000)),
		items: v.pipe(
			v.array(ItemSchema, 'A section needs a list of items.'),
			v.minLength(1, 'A section needs at least one item.'),
			v.maxLength(60, 'A section has at most 60 items.')
		)
	},
	'A section must be an object with an id, a title and items.'
);

/** How an exercise's subscales combine; without it, scoring falls back to the role rule in scoring.ts. */
export const ScoringSchema = v.object({
	/** One headline figure per partner: the mean of these subscales (e.g. the readiness index). */
	index: v.optional(
		v.object({
			label: words('The index label', 80),
			subscales: v.pipe(
				v.array(slug('A subscale'), 'The index subscales must be a list.'),
				v.minLength(1, 'The index needs at least one subscale.')
			)
		})
	),
	/**
	 * Two scored items of one partner charted against each other over time, the gap between them
	 * shaded (e.g. "I have said what I need" against "I see my partner doing it").
	 */
	pairs: v.optional(
		v.pipe(
			v.array(
				v.object({
					id: slug('A pair id'),
					label: words('The pair label', 120),
					first: v.object({ item: slug('The pair’s first item'), name: words('Its name', 60) }),
					second: v.object({ item: slug('The pair’s second item'), name: words('Its name', 60) })
				}),
				'The pairs must be a list.'
			),
			v.maxLength(10, 'An exercise has at most 10 pairs.')
		)
	)
});

export const DefinitionSchema = v.object(
	{
		key: slug('The exercise key'),
		title: words('The title', LENGTH_LIMITS.exerciseTitle),
		purpose: words('The purpose', 2000),
		instructions: words('The instructions', 4000),
		estimatedMinutes: v.optional(
			v.pipe(
				v.number('The estimated minutes must be a number.'),
				v.integer('The estimated minutes must be a whole number.'),
				v.minValue(1, 'The estimated minutes must be at least 1.'),
				v.maxValue(240, 'The estimated minutes must be at most 240.')
			),
			10
		),
		repeatable: flag('Repeatable'),
		scoring: v.optional(ScoringSchema),
		sections: v.pipe(
			v.array(SectionSchema, 'Sections must be a list.'),
			v.minLength(1, 'An exercise needs at least one section.'),
			v.maxLength(30, 'An exercise has at most 30 sections.')
		)
	},
	'An exercise definition must be an object.'
);

export type ExerciseDefinition = v.InferOutput<typeof DefinitionSchema>;
export type ExerciseSection = ExerciseDefinition['sections'][number];
export type ExerciseItem = ExerciseSection['items'][number];
export type ExerciseScoring = v.InferOutput<typeof ScoringSchema>;

/**
 * One problem with a definition: where it is (the path into the input, as Valibot gives it), what kind
 * of problem it is, and a sentence for developers naming the section or item by id. The builder turns
 * path and kind into plain words on the field itself ($lib/exercises/builder-issues.ts).
 */
export interface DefinitionIssue {
	path: (string | number)[];
	kind: IssueKind;
	/** The length or count a too-long / too-many / too-few issue is measured against. */
	limit?: number;
	message: string;
}

export type IssueKind =
	| 'missing'
	| 'empty'
	| 'too-long'
	| 'too-few'
	| 'too-many'
	| 'format'
	| 'out-of-range'
	| 'unstorable'
	| 'wrong-type'
	| 'duplicate'
	| 'not-for-type'
	| 'no-trigger'
	| 'unknown-trigger'
	| 'scoring'
	| 'forbidden-key';

type Path = (string | number)[];

/** Checks what the per-field schema cannot: unique ids, fields that fit the item's type. */
function crossChecks(definition: ExerciseDefinition): DefinitionIssue[] {
	const issues: DefinitionIssue[] = [];
	const sectionIds = new Set<string>();
	const itemIds = new Set<string>();
	const subscales = new Set<string>();
	for (const [s, section] of definition.sections.entries()) {
		if (sectionIds.has(section.id))
			issues.push({
				path: ['sections', s, 'id'],
				kind: 'duplicate',
				message: `Section "${section.id}": the id is used twice.`
			});
		sectionIds.add(section.id);
		for (const [i, item] of section.items.entries()) {
			const where = `Item "${item.id}"`;
			const at: Path = ['sections', s, 'items', i];
			if (itemIds.has(item.id))
				issues.push({
					path: [...at, 'id'],
					kind: 'duplicate',
					message: `${where}: the id is used twice.`
				});
			itemIds.add(item.id);
			if (item.subscale) subscales.add(item.subscale);
			for (const issue of itemIssues(item))
				issues.push({
					...issue,
					path: [...at, ...issue.path],
					message: `${where}: ${issue.message}`
				});
		}
	}
	const scoring = (message: string): DefinitionIssue => ({
		path: ['scoring'],
		kind: 'scoring',
		message: `The exercise (scoring): ${message}`
	});
	for (const name of definition.scoring?.index?.subscales ?? []) {
		if (!subscales.has(name))
			issues.push(scoring(`the index names subscale "${name}", which no item has.`));
	}
	const items = new Map(definition.sections.flatMap((s) => s.items).map((i) => [i.id, i]));
	for (const pair of definition.scoring?.pairs ?? []) {
		for (const end of [pair.first, pair.second]) {
			const item = items.get(end.item);
			if (!item) {
				issues.push(scoring(`pair "${pair.id}" names item "${end.item}", which is not in it.`));
			} else if (item.type !== 'likert5' && item.type !== 'scale10') {
				issues.push(
					scoring(
						`pair "${pair.id}" needs scored items (agree scale or 0-10); "${end.item}" is a ${item.type} item.`
					)
				);
			}
		}
	}
	return issues;
}

/** An item's problems, with paths inside the item. */
function itemIssues(item: ExerciseItem): DefinitionIssue[] {
	const issues: DefinitionIssue[] = [];
	const add = (field: string, kind: IssueKind, message: string, limit?: number) =>
		issues.push({ path: [field], kind, message, ...(limit === undefined ? {} : { limit }) });
	const fields = TYPE_FIELDS[item.type];
	const having = (field: keyof typeof fields, or = false) => {
		const types = ITEM_TYPES.filter((type) => TYPE_FIELDS[type][field]);
		const last = types.pop();
		return types.length ? `${types.join(', ')} ${or ? 'or' : 'and'} ${last}` : String(last);
	};
	if (fields.options && (!item.options || item.options.length < 2)) {
		add('options', 'too-few', `a ${item.type} item needs at least two options.`, 2);
	}
	if (!fields.options && item.options)
		add('options', 'not-for-type', `only ${having('options')} items have options.`);
	if (item.options) {
		const ids = item.options.map((o) => o.id);
		if (new Set(ids).size !== ids.length) add('options', 'duplicate', 'two options share an id.');
	}
	if (item.safety && !fields.safety) {
		add('safety', 'not-for-type', `only a ${having('safety')} item can be a safety item.`);
	} else if (item.safety) {
		if (item.safety.triggerOptions.length === 0)
			add('safety', 'no-trigger', 'a safety item needs at least one trigger option.');
		for (const trigger of item.safety.triggerOptions) {
			if (!item.options?.some((o) => o.id === trigger))
				add('safety', 'unknown-trigger', `trigger "${trigger}" is not one of its options.`);
		}
	}
	if (item.reverse && !fields.reverse)
		add('reverse', 'not-for-type', `only ${having('reverse')} items can be reverse-scored.`);
	if ((item.minLabel || item.maxLabel) && !fields.endLabels)
		add(
			item.minLabel ? 'minLabel' : 'maxLabel',
			'not-for-type',
			`only ${having('endLabels')} items have end labels.`
		);
	// Scores are means on a numeric scale, so a subscale on a text or choice item would silently count nothing.
	if (item.subscale && !fields.subscale)
		add('subscale', 'not-for-type', `only ${having('subscale')} items can belong to a subscale.`);
	if (item.joint && !fields.joint) {
		add('joint', 'not-for-type', `a joint answer fits ${having('joint', true)} items.`);
	}
	return issues;
}

/** Names the section or item a path into the input sits in, by id when it has a usable one, else by position. */
function placeOf(path: readonly unknown[], input: unknown): string {
	let where = 'The exercise';
	let sectionName: string | null = null;
	let node: unknown = input;
	for (let step = 0; step < path.length; step++) {
		const key = path[step];
		node = (node as Record<string | number, unknown> | undefined)?.[key as string | number];
		const parent = path[step - 1];
		if (typeof key !== 'number') continue;
		const id = node && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
		const name = typeof id === 'string' && id ? `"${id}"` : null;
		if (parent === 'sections') {
			sectionName = name ?? `${key + 1}`;
			where = `Section ${sectionName}`;
		} else if (parent === 'items') {
			where = name ? `Item ${name}` : `Item ${key + 1} of section ${sectionName}`;
		}
	}
	return where;
}

/** What kind of problem a Valibot issue is, and the limit it was measured against. */
function kindOf(issue: v.BaseIssue<unknown>): { kind: IssueKind; limit?: number } {
	const limit = typeof issue.requirement === 'number' ? issue.requirement : undefined;
	const isList = Array.isArray(issue.input);
	switch (issue.type) {
		case 'non_empty':
			return { kind: 'empty' };
		case 'max_length':
			return { kind: isList ? 'too-many' : 'too-long', limit };
		case 'min_length':
			return { kind: 'too-few', limit };
		case 'regex':
			return { kind: 'format' };
		case 'min_value':
		case 'max_value':
		case 'integer':
			return { kind: 'out-of-range' };
		case 'check':
			return { kind: 'unstorable' };
		default:
			return { kind: 'wrong-type' };
	}
}

function describeIssue(issue: v.BaseIssue<unknown>, input: unknown): DefinitionIssue {
	const path = (issue.path ?? []).map((step) => step.key as string | number);
	const where = placeOf(path, input);
	const field = path.at(-1);
	// Valibot reports a missing key with its own generic wording, not the field's message.
	const isMissing = issue.kind === 'schema' && issue.type === 'object' && issue.input === undefined;
	if (isMissing && typeof field === 'string')
		return { path, kind: 'missing', message: `${where}: "${field}" is missing.` };
	return {
		path,
		...kindOf(issue),
		message: `${where}${typeof field === 'string' ? ` (${field})` : ''}: ${issue.message}`
	};
}

export type ParseResult =
	{ ok: true; definition: ExerciseDefinition } | { ok: false; issues: DefinitionIssue[] };

/**
 * The path to the first `__proto__` key in a draft, if any. JSON.parse keeps such a key as a plain
 * field, but it cannot be serialised back into a page, and no definition has a use for it.
 */
function protoKeyPath(input: unknown): (string | number)[] | null {
	// Walked with a stack of its own (each entry knows its parent): a draft nested thousands deep
	// must neither overflow the call stack nor copy its path at every level.
	type Step = { node: unknown; key: string | number | null; parent: Step | null };
	const stack: Step[] = [{ node: input, key: null, parent: null }];
	while (stack.length > 0) {
		const step = stack.pop()!;
		const { node } = step;
		if (!node || typeof node !== 'object') continue;
		if (Object.hasOwn(node, '__proto__')) {
			const path: (string | number)[] = [];
			for (let at: Step | null = step; at?.key != null; at = at.parent) path.unshift(at.key);
			return path;
		}
		for (const [key, child] of Object.entries(node).reverse()) {
			stack.push({ node: child, key: Array.isArray(node) ? Number(key) : key, parent: step });
		}
	}
	return null;
}

/** Validates a definition. Safety items are always therapist-only, whatever the input says. */
export function parseDefinition(input: unknown): ParseResult {
	const poisoned = protoKeyPath(input);
	if (poisoned) {
		const message = `${placeOf(poisoned, input)}: a field named “__proto__” is not allowed; remove it.`;
		return { ok: false, issues: [{ path: poisoned, kind: 'forbidden-key', message }] };
	}
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

export type ScenarioAnswer = { choice: ScenarioChoice; wantToKnow?: boolean };
/** An answer as stored, sent over the live protocol and exported (see EXERCISES.md, "Item types"). */
export type AnswerValue = ScenarioAnswer | number | string | string[];

const wholeNumber = (min: number, max: number, message: string) =>
	v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));

const optionOf = (item: ExerciseItem, message: string) =>
	v.pipe(
		v.string(message),
		v.check((id) => !!item.options?.some((o) => o.id === id), message)
	);

/** The schema an answer to this item must pass; its messages leave out the item, validateAnswer adds it. */
export function answerSchema(item: ExerciseItem): v.GenericSchema<unknown, AnswerValue> {
	switch (item.type) {
		case 'scenario':
			return v.strictObject(
				{
					choice: v.picklist(
						SCENARIO_CHOICES,
						'choice must be "ok", "talk-first" or "crosses-line".'
					),
					wantToKnow: v.optional(v.boolean('wantToKnow must be true or false.'))
				},
				'expects {choice: "ok" | "talk-first" | "crosses-line", wantToKnow?: true | false} and nothing else.'
			);
		case 'likert5':
			return wholeNumber(1, 5, 'expects a whole number from 1 to 5.');
		case 'scale10':
			return wholeNumber(0, 10, 'expects a whole number from 0 to 10.');
		case 'choice':
			return optionOf(item, 'expects one of its option ids.');
		case 'checklist':
			return v.pipe(
				v.array(
					optionOf(item, 'expects a list of its option ids.'),
					'expects a list of its option ids.'
				),
				v.check((ids) => new Set(ids).size === ids.length, 'lists an option twice.')
			);
		case 'text':
			// Stored as typed (no trim): the partner's words are theirs, and rendering is always as text.
			return v.pipe(
				v.string('expects text.'),
				v.maxLength(TEXT_MAX, `is at most ${TEXT_MAX.toLocaleString('en')} characters.`),
				storable()
			);
		case 'list':
			return v.pipe(
				v.array(
					v.pipe(
						v.string('expects a list of text entries.'),
						v.trim(),
						v.nonEmpty('has a blank entry.'),
						v.maxLength(LIST_ENTRY_MAX, `each entry is at most ${LIST_ENTRY_MAX} characters.`),
						storable('an entry')
					),
					'expects a list of text entries.'
				),
				v.maxLength(LIST_MAX_ENTRIES, `holds at most ${LIST_MAX_ENTRIES} entries.`)
			);
	}
}

export type AnswerCheck = { ok: true; value: AnswerValue } | { ok: false; message: string };

// Built once per item: a definition's items do not change once it is parsed, and building the schema
// again on every save was the largest single allocation of a live save on the server.
const schemas = new WeakMap<ExerciseItem, v.GenericSchema<unknown, AnswerValue>>();

/** Whether a value fits its item's type; the message names the item. */
export function validateAnswer(item: ExerciseItem, value: unknown): AnswerCheck {
	let schema = schemas.get(item);
	if (!schema) {
		schema = answerSchema(item);
		schemas.set(item, schema);
	}
	const result = v.safeParse(schema, value, { abortPipeEarly: true });
	if (result.success) return { ok: true, value: result.output };
	return { ok: false, message: `Item "${item.id}": ${result.issues[0].message}` };
}

/** Whether this answer should show crisis resources and flag the therapist. */
export function isSafetyTriggered(item: ExerciseItem, value: unknown): boolean {
	return !!item.safety && typeof value === 'string' && item.safety.triggerOptions.includes(value);
}

/**
 * The items a partner answers: those for both, plus those for their role. A couple whose roles do
 * not apply gives each partner the role 'none', so they get only the items for both.
 */
export function itemsFor(definition: ExerciseDefinition, role: PartnerRole): ExerciseItem[] {
	return definition.sections.flatMap((s) => s.items.filter((i) => isForRole(i, role)));
}

/**
 * Whether a partner may lock a section: at least one of their items in it answered (a lock seals
 * answers, so an empty one would reveal nothing of theirs). `items` are the section's items meant for
 * them; a section with none for their role locks as it is. The server enforces it; pages show it.
 */
export function mayLockSection(items: ExerciseItem[], answered: Iterable<string>): boolean {
	if (items.length === 0) return true;
	const done = new Set(answered);
	return items.some((item) => done.has(item.id));
}

/** The item with this id in any section of the definition (a stored one may have lost it: undefined). */
export function itemById(
	definition: { sections: { items: ExerciseItem[] }[] },
	itemId: string
): ExerciseItem | undefined {
	return definition.sections.flatMap((s) => s.items).find((i) => i.id === itemId);
}

/** Whether an item is meant for a partner of this role: items for both are meant for every role. */
export function isForRole(item: ExerciseItem, role: PartnerRole): boolean {
	return (item.target ?? 'both') === 'both' || item.target === role;
}
