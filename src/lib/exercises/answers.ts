// What an answer means to a person: how it reads as text, and whether two partners' answers agree.
// Pure and shared by pages, exports, results and scoring, so every screen agrees on both.
import type { ExerciseItem } from './definition';

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

/** Item types whose answers two partners can agree or disagree on (free text cannot be compared). */
const COMPARABLE = new Set<ExerciseItem['type']>([
	'scenario',
	'likert5',
	'scale10',
	'choice',
	'checklist'
]);

export function isComparable(item: ExerciseItem): boolean {
	return COMPARABLE.has(item.type);
}

function asSet(value: unknown): Set<unknown> | null {
	return Array.isArray(value) ? new Set(value) : null;
}

/**
 * Whether two partners gave the same answer: a scenario by its rating alone (wanting to be told is
 * a wish, not a position), a checklist or list by what is in it whatever the order, anything else
 * by value. An unanswered side never agrees.
 */
export function isSameAnswer(item: ExerciseItem, a: unknown, b: unknown): boolean {
	if (a === undefined || a === null || b === undefined || b === null) return false;
	if (item.type === 'scenario') {
		return (a as { choice?: unknown }).choice === (b as { choice?: unknown }).choice;
	}
	if (item.type === 'checklist' || item.type === 'list') {
		const x = asSet(a);
		const y = asSet(b);
		return !!x && !!y && x.size === y.size && [...x].every((entry) => y.has(entry));
	}
	return a === b;
}

/** Whether both partners answered an item they can agree on, and answered it differently. */
export function isDivergent(item: ExerciseItem, a: unknown, b: unknown): boolean {
	const isBothAnswered = a !== undefined && a !== null && b !== undefined && b !== null;
	return isComparable(item) && isBothAnswered && !isSameAnswer(item, a, b);
}
