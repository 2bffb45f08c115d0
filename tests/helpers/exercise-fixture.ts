// A small exercise that uses every reveal policy, role targeting, a joint list and a safety item.
import type { ExerciseDefinition } from '$lib/exercises/definition';

export const testExercise = {
	key: 'test-lines',
	title: 'Test lines',
	purpose: 'Exercises every rule of a live room.',
	instructions: 'Answer each item, then lock the section.',
	estimatedMinutes: 5,
	sections: [
		{
			id: 'first',
			title: 'First',
			items: [
				{
					id: 'flirt',
					type: 'scenario',
					prompt: 'Flirting with no intent',
					target: 'both',
					reveal: 'simultaneous',
					joint: true
				},
				{
					id: 'texting',
					type: 'scenario',
					prompt: 'Daily private texting',
					target: 'both',
					reveal: 'simultaneous',
					joint: true
				},
				{
					id: 'our-words',
					type: 'text',
					prompt: 'Our words for this',
					target: 'both',
					reveal: 'open',
					joint: true
				},
				{
					id: 'hope',
					type: 'text',
					prompt: 'One hope for this week',
					target: 'both',
					reveal: 'open'
				},
				{
					id: 'private',
					type: 'likert5',
					prompt: 'I feel settled',
					target: 'both',
					reveal: 'therapist-only'
				}
			]
		},
		{
			id: 'second',
			title: 'Second',
			items: [
				{
					id: 'needs',
					type: 'list',
					prompt: 'What would reassure me',
					target: 'injured',
					reveal: 'open',
					joint: true
				},
				{
					id: 'steps',
					type: 'checklist',
					prompt: 'Steps I have taken',
					target: 'involved',
					reveal: 'simultaneous',
					options: [
						{ id: 'ended', label: 'Ended contact' },
						{ id: 'apologised', label: 'Apologised' }
					]
				},
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
				}
			]
		}
	]
} as unknown as ExerciseDefinition;
