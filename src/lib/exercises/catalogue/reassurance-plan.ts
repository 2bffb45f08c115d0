// The reassurance plan: a living, shared list of concrete requests and the answers to them.
import type { ExerciseDefinition } from '../definition';

export const reassurancePlan: ExerciseDefinition = {
	key: 'reassurance-plan',
	title: 'Reassurance plan',
	purpose:
		'Insecurity eases when the hurt partner can say exactly what reassures them and the other partner chooses to do it openly. This plan is written together and kept up to date.',
	instructions:
		'The partner who was hurt proposes concrete requests; the partner who was involved accepts each one or suggests a change. Items you both accept go into the plan.',
	estimatedMinutes: 25,
	sections: [
		{
			id: 'requests',
			title: 'What would reassure me',
			items: [
				{
					id: 'requests',
					type: 'list',
					prompt: 'Concrete things that would reassure me',
					help: 'For example: "Tell me when plans change."',
					target: 'injured',
					reveal: 'open'
				},
				{
					id: 'offers',
					type: 'list',
					prompt: 'What I will do, or what I suggest instead',
					target: 'involved',
					reveal: 'open'
				}
			]
		},
		{
			id: 'plan',
			title: 'Our plan',
			items: [
				{
					id: 'plan',
					type: 'list',
					prompt: 'The reassurance we have agreed on',
					target: 'both',
					reveal: 'open',
					joint: true
				},
				{
					id: 'check-in',
					type: 'text',
					prompt: 'How and when we will check on the plan',
					target: 'both',
					reveal: 'open',
					joint: true
				}
			]
		}
	]
};
