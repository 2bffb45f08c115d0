// A short weekly check-in on connection and appreciation, for keeping communication open.
import type { ExerciseDefinition } from '../definition';

export const connectionCheckin: ExerciseDefinition = {
	key: 'connection-checkin',
	title: 'Connection check-in',
	purpose:
		'Regular, low-stakes check-ins keep communication open. This one asks about feeling heard and about time together, and invites one appreciation each week.',
	instructions:
		'Answer for this past week. Your appreciation and your wish are shared with your partner straight away.',
	estimatedMinutes: 3,
	repeatable: true,
	sections: [
		{
			id: 'connection',
			title: 'This week together',
			items: [
				{
					id: 'felt-heard',
					type: 'scale10',
					prompt: 'How heard did I feel by my partner?',
					minLabel: 'Not at all',
					maxLabel: 'Fully',
					subscale: 'heard',
					target: 'both',
					reveal: 'therapist-only'
				},
				{
					id: 'time-together',
					type: 'scale10',
					prompt: 'How much good time did we have together?',
					minLabel: 'None',
					maxLabel: 'Plenty',
					subscale: 'time-together',
					target: 'both',
					reveal: 'therapist-only'
				},
				{
					id: 'appreciation',
					type: 'text',
					prompt: 'Something I appreciated about my partner',
					target: 'both',
					reveal: 'open'
				},
				{
					id: 'try-next',
					type: 'text',
					prompt: 'One thing I would like us to try this week',
					target: 'both',
					reveal: 'open'
				}
			]
		}
	]
};
