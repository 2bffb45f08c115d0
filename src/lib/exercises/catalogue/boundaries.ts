// "Where is our line?": each partner rates everyday situations across six kinds of infidelity.
import type { ExerciseDefinition } from '../definition';

type Scenario = [id: string, prompt: string];

function section(id: string, title: string, intro: string, scenarios: Scenario[]) {
	return {
		id,
		title,
		intro,
		items: scenarios.map(([itemId, prompt]) => ({
			id: itemId,
			type: 'scenario' as const,
			prompt,
			target: 'both' as const,
			reveal: 'simultaneous' as const,
			joint: true
		}))
	};
}

export const boundaries: ExerciseDefinition = {
	key: 'boundaries',
	title: 'Where is our line?',
	purpose:
		'People draw the line of faithfulness in different places. Saying out loud where each of you draws it stops you hurting each other through misunderstanding, and gives you a shared agreement to keep.',
	instructions:
		'For each situation, say how it would sit with you if your partner did it: fine with you, something you would want to talk about first, or something that crosses the line. You can also tick whether you would want to be told if it happened. Answer for yourself; your partner will not see your answers until you have both locked a section.',
	estimatedMinutes: 20,
	repeatable: true,
	sections: [
		section('sexual', 'Physical and sexual', 'Situations involving touch and physical closeness.', [
			[
				'kiss-pushed-away',
				'Someone kisses my partner, who pushes them away and does not tell me about it.'
			],
			['dance-closely', 'My partner slow-dances closely with someone else at a party.'],
			['massage-friend', 'My partner trades back massages with a friend they find attractive.'],
			['hug-ex', 'My partner greets an ex with a long hug.']
		]),
		section(
			'emotional',
			'Emotional closeness',
			'Situations where feelings and confidences go elsewhere.',
			[
				[
					'confide-problems',
					'My partner confides our relationship problems to someone they find attractive.'
				],
				['daily-texting', 'My partner texts a new close friend privately every day.'],
				['meet-ex', 'My partner meets up with an ex and does not mention it.'],
				[
					'closest-confidant',
					'Someone else becomes the first person my partner shares good news with.'
				]
			]
		),
		section('cyber', 'Online', 'Situations on phones, apps and social media.', [
			['dating-app', 'My partner keeps a dating app installed "just to look".'],
			['flirty-messages', 'My partner exchanges flirty or sexual messages online.'],
			['likes-ex-photos', 'My partner follows an ex and likes their photos.'],
			['pornography', 'My partner watches pornography.']
		]),
		section(
			'object',
			'Put before us',
			'When something else keeps taking the place of time together.',
			[
				[
					'work-over-plans',
					'My partner regularly chooses work over time we had agreed to spend together.'
				],
				['phone-at-dinner', 'My partner is on their phone through most of our evenings.'],
				[
					'hobby-every-weekend',
					'A hobby takes my partner away every weekend without us discussing it.'
				]
			]
		),
		section('financial', 'Money', 'Honesty about earning, spending, owing and lending.', [
			['secret-account', 'My partner has a bank account or card I do not know about.'],
			['large-purchase', 'My partner makes a large purchase without telling me.'],
			['hidden-debt', 'My partner hides a debt from me.'],
			['lend-money', 'My partner lends a sizeable sum to someone without discussing it with me.']
		]),
		section(
			'micro',
			'Small things',
			'Small acts that may not clearly cross a line but can still hurt.',
			[
				['flirting-no-intent', 'My partner flirts with someone with no intention of acting on it.'],
				['hide-relationship', 'My partner lets someone believe they are single.'],
				['false-contact-name', 'My partner saves a contact under a false name.']
			]
		)
	]
};
