// The exercise schema, answer validation, safety triggers and role targeting, through the module's exports.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { builtInExercises } from './catalogue';
import {
	answerSchema,
	isSafetyTriggered,
	itemById,
	itemsFor,
	parseDefinition,
	validateAnswer,
	type ExerciseDefinition,
	type ExerciseItem
} from './definition';

/** A small valid definition; each test breaks one thing in a copy of it. */
function sample() {
	return {
		key: 'sample',
		title: 'Sample',
		purpose: 'Tests the schema.',
		instructions: 'Answer each item.',
		estimatedMinutes: 5,
		sections: [
			{
				id: 'first',
				title: 'First',
				items: [
					{
						id: 'flirt',
						type: 'scenario',
						prompt: 'Flirting',
						target: 'both',
						reveal: 'simultaneous'
					},
					{
						id: 'settled',
						type: 'likert5',
						prompt: 'I feel settled',
						target: 'injured',
						reveal: 'therapist-only',
						subscale: 'calm'
					},
					{
						id: 'steps',
						type: 'checklist',
						prompt: 'Steps taken',
						target: 'involved',
						reveal: 'therapist-only',
						options: [
							{ id: 'ended', label: 'Ended contact' },
							{ id: 'apologised', label: 'Apologised' }
						]
					}
				]
			},
			{
				id: 'second',
				title: 'Second',
				items: [
					{
						id: 'unsafe',
						type: 'choice',
						prompt: 'Felt unsafe at home',
						target: 'both',
						reveal: 'therapist-only',
						options: [
							{ id: 'no', label: 'No' },
							{ id: 'sometimes', label: 'Sometimes' },
							{ id: 'often', label: 'Often' }
						],
						safety: { triggerOptions: ['sometimes', 'often'] }
					},
					{
						id: 'trust',
						type: 'scale10',
						prompt: 'Trust this week',
						target: 'both',
						reveal: 'therapist-only',
						minLabel: 'None',
						maxLabel: 'Complete'
					},
					{ id: 'hope', type: 'text', prompt: 'One hope', target: 'both', reveal: 'open' },
					{
						id: 'needs',
						type: 'list',
						prompt: 'What would reassure me',
						target: 'both',
						reveal: 'open',
						joint: true
					}
				]
			}
		]
	};
}

type Sample = ReturnType<typeof sample>;
type LooseItem = Sample['sections'][number]['items'][number] & Record<string, unknown>;

/** Applies a change to one item of a fresh sample and returns the parse issues. */
function issuesAfter(itemId: string, change: (item: LooseItem) => void): string[] {
	const input = sample();
	const item = input.sections.flatMap((s) => s.items).find((i) => i.id === itemId)!;
	change(item as LooseItem);
	return messages(parseDefinition(input));
}

/** The developers' sentences of a parse result (none when it passed). */
function messages(result: ReturnType<typeof parseDefinition>): string[] {
	return result.ok ? [] : result.issues.map((issue) => issue.message);
}

function parsed(): ExerciseDefinition {
	const result = parseDefinition(sample());
	if (!result.ok) throw new Error(messages(result).join('\n'));
	return result.definition;
}

const item = (id: string): ExerciseItem => itemById(parsed(), id)!;

describe('parseDefinition', () => {
	it('accepts every built-in exercise unchanged, so storing one never creates a spurious version', () => {
		for (const exercise of builtInExercises) {
			const result = parseDefinition(structuredClone(exercise));
			expect(messages(result), exercise.key).toEqual([]);
			if (result.ok) expect(result.definition, exercise.key).toEqual(exercise);
		}
	});

	it('fills the defaults a custom definition may leave out', () => {
		const input = sample() as { estimatedMinutes?: number; sections: { items: object[] }[] };
		delete input.estimatedMinutes;
		input.sections[0].items[0] = { id: 'flirt', type: 'scenario', prompt: 'Flirting' };
		const result = parseDefinition(input);
		expect(result.ok && result.definition.estimatedMinutes).toBe(10);
		expect(result.ok && result.definition.sections[0].items[0]).toMatchObject({
			target: 'both',
			reveal: 'simultaneous'
		});
	});

	it('forces a safety item to therapist-only, whatever the definition says', () => {
		const input = sample();
		const unsafe = input.sections[1].items[0];
		unsafe.reveal = 'open';
		const result = parseDefinition(input);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.definition.sections[1].items[0].reveal).toBe('therapist-only');
		expect(unsafe.reveal).toBe('open');
	});

	it('names the item when an id is used twice, even across sections', () => {
		expect(issuesAfter('hope', (i) => (i.id = 'flirt'))).toEqual([
			'Item "flirt": the id is used twice.'
		]);
	});

	it('names the section when a section id is used twice', () => {
		const input = sample();
		input.sections[1].id = 'first';
		const result = parseDefinition(input);
		expect(messages(result)).toEqual(['Section "first": the id is used twice.']);
	});

	it('names the item and field of a per-field problem', () => {
		expect(issuesAfter('hope', (i) => (i.prompt = '   '))).toEqual([
			'Item "hope" (prompt): The prompt is required.'
		]);
		expect(issuesAfter('hope', (i) => delete (i as Partial<LooseItem>).prompt)).toEqual([
			'Item "hope": "prompt" is missing.'
		]);
		expect(issuesAfter('hope', (i) => (i.type = 'essay'))).toEqual([
			'Item "hope" (type): The item type must be one of: scenario, likert5, scale10, choice, checklist, text, list.'
		]);
		expect(issuesAfter('steps', (i) => (i.options![1].label = ''))).toEqual([
			'Item "steps" (label): An option label is required.'
		]);
	});

	it('names an item by its position when it has no usable id', () => {
		expect(issuesAfter('hope', (i) => delete (i as Partial<LooseItem>).id)).toEqual([
			'Item 3 of section "second": "id" is missing.'
		]);
	});

	it('rejects input that is not a definition at all, in words', () => {
		const result = parseDefinition(null);
		expect(messages(result)).toEqual(['The exercise: An exercise definition must be an object.']);
		const input: { sections: { items: unknown[] }[] } = sample();
		input.sections[1].items[1] = null;
		const broken = parseDefinition(input);
		expect(messages(broken)).toEqual([
			'Item 2 of section "second": An item must be an object with an id, a type and a prompt.'
		]);
	});

	it('requires at least two options on choice and checklist items, and options only there', () => {
		expect(issuesAfter('steps', (i) => delete i.options)).toEqual([
			'Item "steps": a checklist item needs at least two options.'
		]);
		expect(
			issuesAfter(
				'hope',
				(i) =>
					(i.options = [
						{ id: 'a', label: 'A' },
						{ id: 'b', label: 'B' }
					])
			)
		).toEqual(['Item "hope": only choice and checklist items have options.']);
		expect(issuesAfter('steps', (i) => (i.options![1].id = 'ended'))).toEqual([
			'Item "steps": two options share an id.'
		]);
	});

	it('allows safety only on choice items, with triggers that are among its options', () => {
		expect(issuesAfter('settled', (i) => (i.safety = { triggerOptions: ['often'] }))).toEqual([
			'Item "settled": only a choice item can be a safety item.'
		]);
		expect(issuesAfter('unsafe', (i) => (i.safety = { triggerOptions: ['always'] }))).toEqual([
			'Item "unsafe": trigger "always" is not one of its options.'
		]);
		expect(issuesAfter('unsafe', (i) => (i.safety = { triggerOptions: [] }))).toEqual([
			'Item "unsafe": a safety item needs at least one trigger option.'
		]);
	});

	it('keeps type-specific fields on the types they belong to', () => {
		expect(issuesAfter('trust', (i) => (i.reverse = true))).toEqual([
			'Item "trust": only likert5 items can be reverse-scored.'
		]);
		expect(issuesAfter('settled', (i) => (i.minLabel = 'Low'))).toEqual([
			'Item "settled": only scale10 items have end labels.'
		]);
		expect(issuesAfter('hope', (i) => (i.subscale = 'calm'))).toEqual([
			'Item "hope": only likert5 and scale10 items can belong to a subscale.'
		]);
		expect(issuesAfter('steps', (i) => (i.joint = true))).toEqual([
			'Item "steps": a joint answer fits scenario, choice, text or list items.'
		]);
	});

	it('checks that a declared index names subscales the items actually have', () => {
		const input = {
			...sample(),
			scoring: { index: { label: 'Calm', subscales: ['calm', 'joy'] } }
		};
		const result = parseDefinition(input);
		expect(messages(result)).toEqual([
			'The exercise (scoring): the index names subscale "joy", which no item has.'
		]);
	});

	it('checks that a pair names two scored items of the exercise', () => {
		const pair = (first: string, second: string) => ({
			...sample(),
			scoring: {
				pairs: [
					{
						id: 'gap',
						label: 'Said and seen',
						first: { item: first, name: 'Said' },
						second: { item: second, name: 'Seen' }
					}
				]
			}
		});
		expect(parseDefinition(pair('settled', 'trust')).ok).toBe(true);
		const result = parseDefinition(pair('hope', 'missing'));
		expect(messages(result)).toEqual([
			'The exercise (scoring): pair "gap" needs scored items (agree scale or 0-10); "hope" is a text item.',
			'The exercise (scoring): pair "gap" names item "missing", which is not in it.'
		]);
	});

	it('refuses a __proto__ key anywhere in a draft, naming where it is', () => {
		const top = JSON.parse(`{"__proto__": {"isAdmin": true}, ${JSON.stringify(sample()).slice(1)}`);
		expect(messages(parseDefinition(top))).toEqual([
			'The exercise: a field named “__proto__” is not allowed; remove it.'
		]);
		const nested = JSON.parse(
			JSON.stringify(sample()).replace('"id":"settled"', '"__proto__":{},"id":"settled"')
		);
		expect(parseDefinition(nested)).toMatchObject({
			ok: false,
			issues: [{ path: ['sections', 0, 'items', 1], kind: 'forbidden-key' }]
		});
		expect(messages(parseDefinition(nested))).toEqual([
			'Item "settled": a field named “__proto__” is not allowed; remove it.'
		]);
	});

	it('refuses text the database cannot store: a NUL, or half of an emoji', () => {
		const input = sample();
		input.title = 'Lines\u0000';
		input.sections[0].items[0].prompt = 'Flirting \ud83d';
		const result = parseDefinition(input);
		expect(messages(result)).toEqual([
			'The exercise (title): The title contains a NUL character (\\0) or half of an emoji, which cannot be saved; remove it and try again.',
			'Item "flirt" (prompt): The prompt contains a NUL character (\\0) or half of an emoji, which cannot be saved; remove it and try again.'
		]);
	});

	it('reports every problem at once, not just the first', () => {
		const input = sample();
		input.sections[0].items[0].prompt = '';
		input.sections[1].items[2].type = 'slider';
		const result = parseDefinition(input);
		expect(messages(result)).toHaveLength(2);
	});
});

describe('validateAnswer', () => {
	const accepts = (id: string, value: unknown) => validateAnswer(item(id), value);
	const rejection = (id: string, value: unknown) => {
		const result = validateAnswer(item(id), value);
		return result.ok ? null : result.message;
	};

	it('takes a scenario rating with an optional "want to know", and nothing else', () => {
		expect(accepts('flirt', { choice: 'talk-first' })).toEqual({
			ok: true,
			value: { choice: 'talk-first' }
		});
		expect(accepts('flirt', { choice: 'crosses-line', wantToKnow: true })).toEqual({
			ok: true,
			value: { choice: 'crosses-line', wantToKnow: true }
		});
		expect(rejection('flirt', { choice: 'maybe' })).toBe(
			'Item "flirt": choice must be "ok", "talk-first" or "crosses-line".'
		);
		expect(rejection('flirt', { choice: 'ok', wantToKnow: 'yes' })).toBe(
			'Item "flirt": wantToKnow must be true or false.'
		);
		expect(rejection('flirt', { choice: 'ok', note: 'hi' })).toMatch(/^Item "flirt": expects/);
		expect(rejection('flirt', 'ok')).toMatch(/^Item "flirt": expects/);
	});

	it('takes whole numbers 1-5 for likert5 and 0-10 for scale10', () => {
		expect(accepts('settled', 1)).toEqual({ ok: true, value: 1 });
		expect(accepts('settled', 5)).toEqual({ ok: true, value: 5 });
		for (const bad of [0, 6, 2.5, '3', null, Number.NaN]) {
			expect(rejection('settled', bad)).toBe('Item "settled": expects a whole number from 1 to 5.');
		}
		expect(accepts('trust', 0)).toEqual({ ok: true, value: 0 });
		expect(accepts('trust', 10)).toEqual({ ok: true, value: 10 });
		expect(rejection('trust', 11)).toBe('Item "trust": expects a whole number from 0 to 10.');
		expect(rejection('trust', -1)).toBe('Item "trust": expects a whole number from 0 to 10.');
	});

	it('takes one of its option ids for a choice', () => {
		expect(accepts('unsafe', 'no')).toEqual({ ok: true, value: 'no' });
		expect(rejection('unsafe', 'never')).toBe('Item "unsafe": expects one of its option ids.');
		expect(rejection('unsafe', ['no'])).toBe('Item "unsafe": expects one of its option ids.');
	});

	it('takes distinct option ids for a checklist, including none', () => {
		expect(accepts('steps', ['ended', 'apologised'])).toEqual({
			ok: true,
			value: ['ended', 'apologised']
		});
		expect(accepts('steps', [])).toEqual({ ok: true, value: [] });
		expect(rejection('steps', ['ended', 'ended'])).toBe('Item "steps": lists an option twice.');
		expect(rejection('steps', ['ended', 'moved-away'])).toBe(
			'Item "steps": expects a list of its option ids.'
		);
		expect(rejection('steps', 'ended')).toBe('Item "steps": expects a list of its option ids.');
	});

	it('takes text up to 2,000 characters, stored as typed', () => {
		expect(accepts('hope', '  <b>more walks</b>  ')).toEqual({
			ok: true,
			value: '  <b>more walks</b>  '
		});
		expect(accepts('hope', 'x'.repeat(2000)).ok).toBe(true);
		expect(rejection('hope', 'x'.repeat(2001))).toBe('Item "hope": is at most 2,000 characters.');
		expect(rejection('hope', 42)).toBe('Item "hope": expects text.');
		expect(rejection('hope', 'before\u0000after')).toMatch(
			/^Item "hope": contains a NUL character/
		);
		expect(rejection('hope', 'half \udc94')).toMatch(/^Item "hope": contains a NUL character/);
		expect(accepts('hope', 'whole 💔').ok).toBe(true);
	});

	it('takes up to 50 trimmed, non-blank list entries of up to 280 characters', () => {
		expect(accepts('needs', ['  Call at lunch ', 'Share plans'])).toEqual({
			ok: true,
			value: ['Call at lunch', 'Share plans']
		});
		expect(
			accepts(
				'needs',
				Array.from({ length: 50 }, (_, n) => `Entry ${n}`)
			).ok
		).toBe(true);
		expect(
			rejection(
				'needs',
				Array.from({ length: 51 }, (_, n) => `Entry ${n}`)
			)
		).toBe('Item "needs": holds at most 50 entries.');
		expect(rejection('needs', ['x'.repeat(281)])).toBe(
			'Item "needs": each entry is at most 280 characters.'
		);
		expect(rejection('needs', ['Fine', '   '])).toBe('Item "needs": has a blank entry.');
		expect(rejection('needs', ['Fine', 3])).toBe('Item "needs": expects a list of text entries.');
	});

	it('exposes the same rules as a Valibot schema for forms and other validators', () => {
		expect(v.is(answerSchema(item('settled')), 4)).toBe(true);
		expect(v.is(answerSchema(item('settled')), 9)).toBe(false);
		expect(v.parse(answerSchema(item('needs')), [' Text me '])).toEqual(['Text me']);
	});
});

describe('isSafetyTriggered', () => {
	it('triggers on the listed options only, and never for items without safety', () => {
		expect(isSafetyTriggered(item('unsafe'), 'no')).toBe(false);
		expect(isSafetyTriggered(item('unsafe'), 'sometimes')).toBe(true);
		expect(isSafetyTriggered(item('unsafe'), 'often')).toBe(true);
		expect(isSafetyTriggered(item('unsafe'), undefined)).toBe(false);
		expect(isSafetyTriggered(item('hope'), 'often')).toBe(false);
	});

	it('triggers on the built-in check-in for anything but "no"', () => {
		const checkIn = builtInExercises.find((e) => e.key === 'trust-checkin')!;
		const safety = checkIn.sections.flatMap((s) => s.items).filter((i) => i.safety);
		expect(safety.map((i) => i.id)).toEqual(['safety-self-harm', 'safety-afraid']);
		for (const safetyItem of safety) {
			expect(safetyItem.options?.map((o) => [o.id, isSafetyTriggered(safetyItem, o.id)])).toEqual([
				['no', false],
				['sometimes', true],
				['often', true]
			]);
		}
	});
});

describe('itemsFor', () => {
	const ids = (role: 'injured' | 'involved' | 'none') => itemsFor(parsed(), role).map((i) => i.id);

	it('gives each role the shared items plus its own, in definition order', () => {
		expect(ids('injured')).toEqual(['flirt', 'settled', 'unsafe', 'trust', 'hope', 'needs']);
		expect(ids('involved')).toEqual(['flirt', 'steps', 'unsafe', 'trust', 'hope', 'needs']);
	});

	it('gives a partner without a role only the items for both', () => {
		expect(ids('none')).toEqual(['flirt', 'unsafe', 'trust', 'hope', 'needs']);
	});
});
