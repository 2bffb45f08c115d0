// The weekly trust and insecurity check-in: about a minute, repeated, the backbone of the progress view.
import type { ExerciseDefinition } from '../definition';

const frequency = [
	{ id: 'no', label: 'No' },
	{ id: 'sometimes', label: 'Sometimes' },
	{ id: 'often', label: 'Often' }
];

export const trustCheckin: ExerciseDefinition = {
	key: 'trust-checkin',
	title: 'Weekly trust check-in',
	purpose:
		'Trust and insecurity can linger long after forgiveness. A short check-in each week keeps you talking about how you each feel, and shows you both how things move over time.',
	instructions: 'Take a minute to answer for this past week. There are no right answers.',
	estimatedMinutes: 2,
	repeatable: true,
	sections: [
		{
			id: 'this-week',
			title: 'This week',
			items: [
				{
					id: 'trust',
					type: 'scale10',
					prompt: 'How much did I trust my partner this week?',
					minLabel: 'Not at all',
					maxLabel: 'Completely',
					subscale: 'trust',
					target: 'both',
					reveal: 'therapist-only'
				},
				{
					id: 'secure',
					type: 'scale10',
					prompt: 'How secure did I feel in our relationship?',
					minLabel: 'Very insecure',
					maxLabel: 'Very secure',
					subscale: 'security',
					target: 'both',
					reveal: 'therapist-only'
				},
				{
					id: 'intrusive-thoughts',
					type: 'choice',
					prompt: 'How often did thoughts about the affair come uninvited?',
					target: 'both',
					reveal: 'therapist-only',
					options: [
						{ id: 'never', label: 'Never' },
						{ id: 'once-or-twice', label: 'Once or twice' },
						{ id: 'most-days', label: 'Most days' },
						{ id: 'every-day', label: 'Every day' }
					]
				},
				{
					id: 'connected',
					type: 'scale10',
					prompt: 'How connected did I feel to my partner?',
					minLabel: 'Far apart',
					maxLabel: 'Very close',
					subscale: 'connection',
					target: 'both',
					reveal: 'therapist-only'
				},
				{
					id: 'helped',
					type: 'text',
					prompt: 'One thing my partner did that helped',
					target: 'both',
					reveal: 'open'
				},
				{
					id: 'need-this-week',
					type: 'text',
					prompt: 'One thing I need this week',
					target: 'both',
					reveal: 'open'
				}
			]
		},
		{
			id: 'safety',
			title: 'Your safety',
			intro: 'Only your therapist sees these answers.',
			items: [
				{
					id: 'safety-self-harm',
					type: 'choice',
					prompt: 'Have I had thoughts of harming myself?',
					target: 'both',
					reveal: 'therapist-only',
					options: frequency,
					safety: { triggerOptions: ['sometimes', 'often'] }
				},
				{
					id: 'safety-afraid',
					type: 'choice',
					prompt: 'Have I felt afraid of my partner, or unsafe at home?',
					target: 'both',
					reveal: 'therapist-only',
					options: frequency,
					safety: { triggerOptions: ['sometimes', 'often'] }
				}
			]
		}
	]
};
