// Forgiveness readiness: what the hurt partner needs in order to forgive, and the other's accountability.
import type { ExerciseDefinition } from '../definition';

const agree = (
	id: string,
	prompt: string,
	subscale: string,
	extra: { reverse?: boolean; target?: 'injured' | 'involved' } = {}
) => ({
	id,
	type: 'likert5' as const,
	prompt,
	subscale,
	target: extra.target ?? ('injured' as const),
	reveal: 'therapist-only' as const,
	...(extra.reverse ? { reverse: true } : {})
});

export const forgivenessReadiness: ExerciseDefinition = {
	key: 'forgiveness-readiness',
	title: 'Forgiveness readiness',
	purpose:
		'Forgiving starts with knowing what you need in order to forgive, saying it clearly, and seeing it met. Saying "I forgive you" before you mean it tends to turn into resentment; this exercise helps you both see where you are without hurrying.',
	instructions:
		'Answer for where you are today, not where you feel you should be. Your answers go to your therapist, who may choose to share some of them with you both in a session.',
	estimatedMinutes: 10,
	repeatable: true,
	// Named here rather than inferred, so the index never quietly absorbs a new subscale; the involved
	// partner's accountability stays beside it, never inside it.
	scoring: {
		index: {
			label: 'Readiness index',
			subscales: ['understanding', 'needs', 'emotional-readiness', 'genuineness']
		},
		// The progress view sets what was asked for beside what is being seen, over the weeks.
		pairs: [
			{
				id: 'needs-gap',
				label: 'Needs stated and needs being met',
				first: { item: 'said-needs', name: 'Needs stated' },
				second: { item: 'needs-met', name: 'Needs being met' }
			}
		]
	},
	sections: [
		{
			id: 'understanding-needs',
			title: 'Understanding and needs',
			intro: 'For the partner who was hurt.',
			items: [
				agree(
					'have-information',
					'I have the information I need about what happened.',
					'understanding'
				),
				agree(
					'understand-why',
					'I understand, at least in part, why it happened.',
					'understanding'
				),
				agree('said-needs', 'I have told my partner clearly what I need from them.', 'needs'),
				agree('needs-met', 'I see my partner doing what I asked for.', 'needs'),
				{
					id: 'need-to-forgive',
					type: 'list',
					prompt: 'What I need in order to forgive',
					help: 'Short, concrete things. These can become part of your reassurance plan.',
					target: 'injured',
					reveal: 'therapist-only'
				}
			]
		},
		{
			id: 'readiness',
			title: 'Where my heart is',
			intro: 'For the partner who was hurt.',
			items: [
				agree(
					'fewer-intrusive-thoughts',
					'Thoughts about the affair come less often than they used to.',
					'emotional-readiness'
				),
				agree(
					'wish-to-retaliate',
					'Part of me wants my partner to hurt the way I have.',
					'emotional-readiness',
					{ reverse: true }
				),
				agree('keep-distance', 'I keep my distance to protect myself.', 'emotional-readiness', {
					reverse: true
				}),
				agree('goodwill', 'Despite the hurt, I wish my partner well.', 'emotional-readiness'),
				agree('would-mean-it', 'If I said "I forgive you" today, I would mean it.', 'genuineness'),
				agree(
					'stop-weapon',
					'I could stop bringing up the affair as a weapon when we argue.',
					'genuineness'
				),
				{
					id: 'not-my-fault',
					type: 'likert5',
					prompt: 'I know that what happened was not my fault.',
					target: 'injured',
					reveal: 'therapist-only'
				},
				{
					id: 'caring-for-self',
					type: 'likert5',
					prompt: 'I am looking after my own health and have people who support me.',
					target: 'injured',
					reveal: 'therapist-only'
				}
			]
		},
		{
			id: 'accountability',
			title: 'Taking responsibility',
			intro: 'For the partner who was involved.',
			items: [
				{
					id: 'steps-taken',
					type: 'checklist',
					prompt: 'Steps I have taken',
					target: 'involved',
					reveal: 'therapist-only',
					options: [
						{ id: 'contact-ended', label: 'I have ended contact with the other person' },
						{
							id: 'took-responsibility',
							label: 'I have taken responsibility without blaming my partner'
						},
						{ id: 'apologised', label: 'I have apologised sincerely' },
						{ id: 'transparency', label: 'I offer transparency without being asked' },
						{ id: 'answer-honestly', label: 'I answer questions honestly, even hard ones' }
					]
				},
				agree(
					'hear-pain',
					"I can hear my partner's pain without defending myself.",
					'accountability',
					{ target: 'involved' }
				),
				agree('understand-self', 'I understand what in me led to the affair.', 'accountability', {
					target: 'involved'
				}),
				agree(
					'accept-pace',
					"I accept that healing will go at my partner's pace.",
					'accountability',
					{ target: 'involved' }
				)
			]
		}
	]
};
