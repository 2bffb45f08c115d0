// Reveal policies in words, for the library and the builder.
export type Reveal = 'simultaneous' | 'open' | 'therapist-only';

export const REVEAL_WORDS: Record<Reveal, string> = {
	simultaneous: 'Shared with the other partner once both have locked',
	open: 'Shared with the other partner as soon as it is saved',
	'therapist-only': 'Seen only by the therapist'
};

export function revealSummary(counts: Record<Reveal, number>): string {
	const parts = [
		counts.simultaneous ? `${counts.simultaneous} shared when both lock` : '',
		counts.open ? `${counts.open} shared at once` : '',
		counts['therapist-only'] ? `${counts['therapist-only']} for the therapist only` : ''
	].filter(Boolean);
	return `Reveal: ${parts.join(', ') || 'no items'}.`;
}
