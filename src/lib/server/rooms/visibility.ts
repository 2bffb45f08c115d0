// The reveal rules: what one member of a couple may learn of another member's answers, and when a
// section is revealed. Every path that gives a partner answers, answered item ids or scores made from
// them (the room view, room events, the homework endpoint, progress counts, the progress page) asks
// `answerVisibility` with the assignment's revealed sections (its `section_reveals` rows); a row is
// written only where `revealsWhenBothLock` allows it, or by the therapist. So the rule is here once.
import {
	isForRole,
	type ExerciseDefinition,
	type ExerciseItem,
	type PartnerRole
} from '$lib/exercises/definition';
import type { RevealPolicy } from '../db/schema';

/**
 * Whether the second partner's lock reveals a section. A live room and homework set to 'on_lock' do:
 * both partners see each other's answers at once. Homework held for the session ('session') does
 * not: both lock at home and the section stays unrevealed — to both — until the therapist reveals it
 * (`held:reveal` from the couple's live room, or "Reveal now" on the assignment page, both
 * `control.revealHeld`).
 */
export function revealsWhenBothLock(assignment: {
	mode: 'homework' | 'live';
	reveal_policy: RevealPolicy;
}): boolean {
	return assignment.mode === 'live' || assignment.reveal_policy !== 'session';
}

/** Whether a section has anything a reveal would show a partner: an item shared when both lock. */
export function hasSimultaneousItems(section: { items: ExerciseItem[] }): boolean {
	return section.items.some((i) => (i.reveal ?? 'simultaneous') === 'simultaneous');
}

/** Who is looking: the couple's therapist, or a partner with their role in the couple. */
export interface Viewer {
	userId: string;
	kind: 'therapist' | 'partner';
	role: PartnerRole;
}

/** What a viewer may learn of one answer: its value, only that it was given, or nothing at all. */
export type AnswerVisibility = 'value' | 'answered' | 'nothing';

/**
 * The rule. The therapist sees every value. A partner learns nothing of an item their role is not
 * meant for (not its id, not that it was answered); of the others they see their own values, the
 * other partner's `open` values, the other's `simultaneous` values once the section is revealed, and
 * of `therapist-only` items only that they were answered.
 */
export function answerVisibility(
	viewer: Viewer,
	ownerId: string,
	item: ExerciseItem | undefined,
	isSectionRevealed: boolean
): AnswerVisibility {
	if (viewer.kind === 'therapist') return 'value';
	if (!item || !isForRole(item, viewer.role)) return 'nothing';
	if (ownerId === viewer.userId) return 'value';
	const reveal = item.reveal ?? 'simultaneous';
	if (reveal === 'open' || (reveal === 'simultaneous' && isSectionRevealed)) return 'value';
	return 'answered';
}

interface Placed {
	item: ExerciseItem;
	sectionId: string;
}

const placesCache = new WeakMap<ExerciseDefinition, Map<string, Placed>>();

/** itemId → the item and its section, once per definition object: events look items up per recipient. */
function placesOf(definition: ExerciseDefinition): Map<string, Placed> {
	let places = placesCache.get(definition);
	if (!places) {
		places = new Map();
		for (const section of definition.sections) {
			for (const item of section.items) places.set(item.id, { item, sectionId: section.id });
		}
		placesCache.set(definition, places);
	}
	return places;
}

const NO_SECTIONS: ReadonlySet<string> = new Set();

/** The rule for an item named by id, given the sections revealed so far. */
export function visibilityOf(
	definition: ExerciseDefinition,
	viewer: Viewer,
	ownerId: string,
	itemId: string,
	revealedSections: ReadonlySet<string>
): AnswerVisibility {
	const place = placesOf(definition).get(itemId);
	const isRevealed = !!place && revealedSections.has(place.sectionId);
	return answerVisibility(viewer, ownerId, place?.item, isRevealed);
}

/** Of stored answers (owner → item → value), the values the viewer may see; owners with none drop out. */
export function visibleAnswers(
	definition: ExerciseDefinition,
	viewer: Viewer,
	answers: Record<string, Record<string, unknown>>,
	revealedSections: ReadonlySet<string>
): Record<string, Record<string, unknown>> {
	const visible: Record<string, Record<string, unknown>> = {};
	for (const [ownerId, values] of Object.entries(answers)) {
		for (const [itemId, value] of Object.entries(values)) {
			if (visibilityOf(definition, viewer, ownerId, itemId, revealedSections) === 'value')
				(visible[ownerId] ??= {})[itemId] = value;
		}
	}
	return visible;
}

/** Of the items an owner has answered, those the viewer may know were answered. */
export function visibleAnswered(
	definition: ExerciseDefinition,
	viewer: Viewer,
	ownerId: string,
	itemIds: Iterable<string>
): string[] {
	return [...itemIds].filter(
		(itemId) => visibilityOf(definition, viewer, ownerId, itemId, NO_SECTIONS) !== 'nothing'
	);
}

/**
 * The exercise as the viewer may see it: a partner gets only the items they may learn anything of.
 * Every section stays, so the section a live room is on is always one the viewer knows.
 */
export function definitionFor(definition: ExerciseDefinition, viewer: Viewer): ExerciseDefinition {
	if (viewer.kind === 'therapist') return definition;
	return {
		...definition,
		sections: definition.sections.map((s) => ({
			...s,
			items: s.items.filter((i) => answerVisibility(viewer, viewer.userId, i, false) !== 'nothing')
		}))
	};
}
