// Turns a stored answer into words for side-by-side views and tables.
import type { ExerciseItem } from '$lib/exercises/definition';

const scenarioWords: Record<string, string> = {
	ok: 'Fine with me',
	'talk-first': 'Talk with me first',
	'crosses-line': 'Crosses the line'
};
const likertWords = ['Strongly disagree', 'Disagree', 'Unsure', 'Agree', 'Strongly agree'];

export function answerText(item: ExerciseItem, value: unknown): string {
	if (value === undefined || value === null) return 'No answer';
	switch (item.type) {
		case 'scenario': {
			const v = value as { choice?: string; wantToKnow?: boolean };
			const words = scenarioWords[v.choice ?? ''] ?? 'No answer';
			return v.wantToKnow ? `${words} · would want to be told` : words;
		}
		case 'likert5':
			return likertWords[(value as number) - 1] ?? String(value);
		case 'scale10':
			return `${value} of 10`;
		case 'choice':
			return item.options?.find((o) => o.id === value)?.label ?? String(value);
		case 'checklist':
			return (
				(value as string[])
					.map((id) => item.options?.find((o) => o.id === id)?.label ?? id)
					.join(', ') || 'None'
			);
		case 'list':
			return (value as string[]).join('; ') || 'Nothing yet';
		default:
			return String(value);
	}
}

/** Whether two partners gave the same answer (scenarios compare the rating only). */
export function isSameAnswer(item: ExerciseItem, a: unknown, b: unknown): boolean {
	if (a === undefined || b === undefined) return false;
	if (item.type === 'scenario') {
		return (a as { choice?: string }).choice === (b as { choice?: string }).choice;
	}
	return JSON.stringify(a) === JSON.stringify(b);
}
