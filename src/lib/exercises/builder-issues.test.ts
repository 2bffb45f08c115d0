import { describe, expect, it } from 'vitest';
import { builderIssues, fieldIds } from './builder-issues';
import { parseDefinition } from './definition';
import { LENGTH_LIMITS } from '$lib/input';

/** A draft as the builder posts it: ids it made up, fields as typed. */
function draft() {
	return {
		key: 'custom-weekend',
		title: 'Weekend check-in',
		purpose: 'A short look back at the weekend.',
		instructions: 'Answer on your own, then talk it over.',
		estimatedMinutes: 10,
		sections: [
			{
				id: 'section-f3c0ff',
				title: 'How it went',
				items: [
					{ id: 'item-a1b2c3', type: 'scenario', prompt: 'Texting an ex' },
					{
						id: 'item-d4e5f6',
						type: 'choice',
						prompt: 'Did you feel safe at home?',
						options: [
							{ id: 'yes', label: 'Yes' },
							{ id: 'not-always', label: 'Not always' }
						],
						safety: { triggerOptions: ['not-always'] }
					}
				]
			},
			{
				id: 'section-9a8b7c',
				title: 'Next week',
				items: [{ id: 'item-0f0f0f', type: 'scale10', prompt: 'How hopeful are you?' }]
			}
		]
	};
}

function issuesOf(input: unknown) {
	const result = parseDefinition(input);
	return result.ok ? [] : builderIssues(result.issues, input);
}

describe('builderIssues', () => {
	it('says what to do in plain words and points at the field, never at the ids', () => {
		const input = draft();
		input.instructions = '';
		input.sections[0].title = '  ';
		input.sections[1].items[0].prompt = '';
		const issues = issuesOf(input);
		expect(issues).toEqual([
			{ fieldId: fieldIds.instructions, message: 'Write the instructions for the couple.' },
			{ fieldId: 'section-f3c0ff-title', message: 'Give section 1 a title.' },
			{
				fieldId: 'section-9a8b7c-item-0f0f0f-prompt',
				message: 'Write the question or statement of item 1 in section 2.'
			}
		]);
		for (const issue of issues) expect(issue.message).not.toMatch(/section-|item-|is required/);
	});

	it('names an option by its place and points at its input', () => {
		const input = draft();
		input.sections[0].items[1].options![1].label = '';
		expect(issuesOf(input)).toEqual([
			{
				fieldId: fieldIds.option('section-f3c0ff', 'item-d4e5f6', 1),
				message: 'Give option 2 of item 2 in section 1 some words.'
			}
		]);
	});

	it('marks a safety item without a trigger at its first trigger box', () => {
		const input = draft();
		input.sections[0].items[1].safety!.triggerOptions = [];
		expect(issuesOf(input)).toEqual([
			{
				fieldId: fieldIds.trigger('section-f3c0ff', 'item-d4e5f6', 0),
				message: 'Choose at least one of the answers that trigger item 2 in section 1.'
			}
		]);
	});

	it('gives lengths and the minutes as a person would read them', () => {
		const input = draft() as unknown as {
			title: string;
			estimatedMinutes: unknown;
			sections: { items: Record<string, unknown>[] }[];
		};
		input.title = 'x'.repeat(LENGTH_LIMITS.exerciseTitle + 1);
		input.estimatedMinutes = null;
		input.sections[1].items[0].subscale = 'Hope Now';
		expect(issuesOf(input)).toEqual([
			{
				fieldId: 'title',
				message: `Shorten the title to ${LENGTH_LIMITS.exerciseTitle} characters or fewer.`
			},
			{ fieldId: 'minutes', message: 'Give the minutes as a whole number from 1 to 240.' },
			{
				fieldId: 'section-9a8b7c-item-0f0f0f-subscale',
				message:
					'Write the subscale of item 1 in section 2 in lowercase letters, digits and dashes, such as “trust”.'
			}
		]);
	});

	it('points an empty section at its "new item" control', () => {
		const input = draft();
		input.sections[1].items = [];
		expect(issuesOf(input)).toEqual([
			{ fieldId: 'section-9a8b7c-new-type', message: 'Add an item to section 2.' }
		]);
	});

	it('leaves a problem with no field of its own to the summary, with the developers’ sentence', () => {
		const input = draft() as unknown as Record<string, unknown>;
		input.scoring = { index: { label: 'Readiness', subscales: ['nowhere'] } };
		const [issue] = issuesOf(input);
		expect(issue.fieldId).toBeNull();
		expect(issue.message).toContain('subscale "nowhere"');
	});

	it('survives a draft that is not a definition at all', () => {
		expect(issuesOf(null)).toEqual([
			{ fieldId: null, message: 'The exercise: An exercise definition must be an object.' }
		]);
		expect(
			builderIssues(
				[{ path: ['sections', 4, 'items', 2, 'prompt'], kind: 'empty', message: '' }],
				{}
			)
		).toEqual([
			{ fieldId: null, message: 'Write the question or statement of item 3 in section 5.' }
		]);
	});
});
