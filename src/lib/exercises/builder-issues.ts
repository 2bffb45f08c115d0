// The exercise builder's words for a definition's problems: each issue in plain words, tied to the
// field it is about (by the id the builder gives that field), so the page can mark the field itself.
import type { DefinitionIssue } from './definition';

/** The DOM ids of the builder's fields: the builder renders them and issues point at them. */
export const fieldIds = {
	title: 'title',
	purpose: 'purpose',
	instructions: 'instructions',
	minutes: 'minutes',
	section: (sectionId: string, field: 'title' | 'intro' | 'new-type') => `${sectionId}-${field}`,
	item: (
		sectionId: string,
		itemId: string,
		field: 'prompt' | 'target' | 'reveal' | 'min' | 'max' | 'subscale'
	) => `${sectionId}-${itemId}-${field}`,
	option: (sectionId: string, itemId: string, index: number) =>
		`${sectionId}-${itemId}-option-${index}`,
	trigger: (sectionId: string, itemId: string, index: number) =>
		`${sectionId}-${itemId}-trigger-${index}`
};

/** One problem as the builder shows it: a sentence, and the field it is about (null: the whole exercise). */
export interface BuilderIssue {
	fieldId: string | null;
	message: string;
}

/** A field as people call it, and what to do when it is empty. */
interface Field {
	fieldId: string | null;
	/** "the title of section 1" */
	name: string;
	/** "Give section 1 a title." */
	whenEmpty: string;
	/** The item or section it belongs to ("item 2 in section 1"), for sentences about its parts. */
	owner?: string;
}

type DraftLike = { sections?: { id?: unknown; items?: { id?: unknown }[] }[] };

const nth = (n: number) => n + 1;
const idOf = (node: { id?: unknown } | undefined): string | null =>
	typeof node?.id === 'string' && node.id ? node.id : null;

const MINUTES = 'Give the minutes as a whole number from 1 to 240.';

const EXERCISE_FIELDS: Record<string, Field> = {
	title: { fieldId: fieldIds.title, name: 'the title', whenEmpty: 'Give the exercise a title.' },
	purpose: {
		fieldId: fieldIds.purpose,
		name: 'the purpose',
		whenEmpty: 'Write the purpose: what the exercise is for.'
	},
	instructions: {
		fieldId: fieldIds.instructions,
		name: 'the instructions',
		whenEmpty: 'Write the instructions for the couple.'
	},
	estimatedMinutes: { fieldId: fieldIds.minutes, name: 'the minutes', whenEmpty: MINUTES }
};

/** The field a path points at, or the nearest one that holds it (an item's question, say). */
function fieldAt(path: (string | number)[], draft: DraftLike): Field {
	const [top, s, , i, field, o, optionField] = path;
	if (top !== 'sections' || typeof s !== 'number') {
		const known = typeof top === 'string' ? EXERCISE_FIELDS[top] : undefined;
		if (known) return known;
		if (top === 'sections')
			return { fieldId: null, name: 'the sections', whenEmpty: 'Add a section.' };
		return { fieldId: null, name: 'the exercise', whenEmpty: 'Fill in the exercise.' };
	}
	const section = draft.sections?.[s];
	const sectionId = idOf(section);
	const sectionName = `section ${nth(s)}`;
	const inSection = (name: 'title' | 'intro' | 'new-type') =>
		sectionId ? fieldIds.section(sectionId, name) : null;
	if (path.length === 3 && path[2] === 'title')
		return {
			fieldId: inSection('title'),
			name: `the title of ${sectionName}`,
			whenEmpty: `Give ${sectionName} a title.`
		};
	if (path.length === 3 && path[2] === 'intro')
		return {
			fieldId: inSection('intro'),
			name: `the introduction of ${sectionName}`,
			whenEmpty: `Write the introduction of ${sectionName}, or leave it empty.`
		};
	if (path[2] !== 'items' || typeof i !== 'number')
		return {
			fieldId: inSection(path[2] === 'items' ? 'new-type' : 'title'),
			name: `the items of ${sectionName}`,
			whenEmpty: `Add an item to ${sectionName}.`
		};

	const item = section?.items?.[i];
	const itemId = idOf(item);
	const itemName = `item ${nth(i)} in ${sectionName}`;
	const inItem = (name: 'prompt' | 'min' | 'max' | 'subscale') =>
		sectionId && itemId ? fieldIds.item(sectionId, itemId, name) : null;
	const question: Field = {
		fieldId: inItem('prompt'),
		name: `the question or statement of ${itemName}`,
		whenEmpty: `Write the question or statement of ${itemName}.`
	};
	switch (field) {
		case 'prompt':
			return question;
		case 'minLabel':
		case 'maxLabel': {
			const end = field === 'minLabel' ? 'at 0' : 'at 10';
			return {
				fieldId: inItem(field === 'minLabel' ? 'min' : 'max'),
				name: `the label ${end} of ${itemName}`,
				whenEmpty: `Write the label ${end} of ${itemName}, or leave it empty.`
			};
		}
		case 'subscale':
			return {
				fieldId: inItem('subscale'),
				name: `the subscale of ${itemName}`,
				whenEmpty: `Name the subscale of ${itemName}, or leave it empty.`
			};
		case 'options': {
			const index = typeof o === 'number' ? o : 0;
			const fieldId = sectionId && itemId ? fieldIds.option(sectionId, itemId, index) : null;
			if (typeof o === 'number' && (optionField === 'label' || optionField === undefined))
				return {
					fieldId,
					name: `option ${nth(o)} of ${itemName}`,
					whenEmpty: `Give option ${nth(o)} of ${itemName} some words.`,
					owner: itemName
				};
			return {
				fieldId,
				name: `the options of ${itemName}`,
				whenEmpty: `Add options to ${itemName}.`,
				owner: itemName
			};
		}
		case 'safety':
			return {
				fieldId: sectionId && itemId ? fieldIds.trigger(sectionId, itemId, 0) : null,
				name: `the answers that trigger ${itemName}`,
				whenEmpty: `Choose the answers that trigger the safety item, ${itemName}.`
			};
		default:
			return { ...question, name: itemName };
	}
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const count = (n: number | undefined) => (n ?? 0).toLocaleString('en');

function sentence(issue: DefinitionIssue, field: Field): string {
	if (issue.path.length === 1 && issue.path[0] === 'estimatedMinutes') return MINUTES;
	switch (issue.kind) {
		case 'missing':
		case 'empty':
			return field.whenEmpty;
		case 'too-long':
			return `Shorten ${field.name} to ${count(issue.limit)} characters or fewer.`;
		case 'too-many':
			return `${capital(field.name)} can be at most ${count(issue.limit)}; remove some.`;
		case 'too-few':
			return issue.path.at(-1) === 'options' && field.owner
				? `${capital(field.owner)} needs at least two options.`
				: field.whenEmpty;
		case 'unstorable':
			return `${capital(field.name)} holds a character that cannot be saved (an invisible NUL or half of an emoji); remove it.`;
		case 'format':
			return issue.path.at(-1) === 'subscale'
				? `Write ${field.name} in lowercase letters, digits and dashes, such as “trust”.`
				: `Something in ${field.name} could not be read; reload the page and try again.`;
		case 'out-of-range':
			return MINUTES;
		case 'duplicate':
			return issue.path.at(-1) === 'options' && field.owner
				? `Two options of ${field.owner} have the same words; make each one different.`
				: 'Two parts of the exercise have the same id; reload the page and try again.';
		case 'no-trigger':
			return `Choose at least one of ${field.name}.`;
		case 'unknown-trigger':
			return `${capital(field.name)} must be among its options; choose them again.`;
		default:
			// Kinds the builder cannot produce (a wrong type, a field another type has): a copied or
			// hand-made draft. The sentence for developers still names the place.
			return issue.message;
	}
}

/** Each issue of a draft in plain words, with the builder field it is about. */
export function builderIssues(issues: DefinitionIssue[], draft: unknown): BuilderIssue[] {
	const shape = (draft && typeof draft === 'object' ? draft : {}) as DraftLike;
	return issues.map((issue) => {
		const field = fieldAt(issue.path, shape);
		return { fieldId: field.fieldId, message: sentence(issue, field) };
	});
}
