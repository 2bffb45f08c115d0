import { describe, expect, it } from 'vitest';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import {
	answerVisibility,
	definitionFor,
	hasSimultaneousItems,
	revealsWhenBothLock,
	visibilityOf,
	visibleAnswered,
	visibleAnswers,
	type Viewer
} from './visibility';

const item = (id: string, target: string, reveal: string) => ({
	id,
	type: 'scenario',
	prompt: id,
	target,
	reveal
});

const definition = {
	key: 'rules',
	title: 'Rules',
	purpose: 'p',
	instructions: 'i',
	sections: [
		{
			id: 'one',
			title: 'One',
			items: [
				item('shared-open', 'both', 'open'),
				item('shared-later', 'both', 'simultaneous'),
				item('shared-private', 'both', 'therapist-only'),
				item('injured-open', 'injured', 'open'),
				item('injured-later', 'injured', 'simultaneous'),
				item('involved-open', 'involved', 'open'),
				item('involved-later', 'involved', 'simultaneous')
			]
		},
		{ id: 'two', title: 'Two', items: [item('involved-only', 'involved', 'open')] }
	]
} as unknown as ExerciseDefinition;

const alex: Viewer = { userId: 'alex', kind: 'partner', role: 'injured' };
const sam: Viewer = { userId: 'sam', kind: 'partner', role: 'involved' };
const therapist: Viewer = { userId: 'therapist', kind: 'therapist', role: 'none' };
const nobodysRole: Viewer = { userId: 'priya', kind: 'partner', role: 'none' };

const revealedOne = new Set(['one']);
const none = new Set<string>();
const seenBy = (viewer: Viewer, owner: string, itemId: string, revealed: ReadonlySet<string>) =>
	visibilityOf(definition, viewer, owner, itemId, revealed);

describe('what a partner may learn of the other partner’s answer', () => {
	it('is the value of an open item for both at once, and of a simultaneous one after the reveal', () => {
		expect(seenBy(alex, 'sam', 'shared-open', none)).toBe('value');
		expect(seenBy(alex, 'sam', 'shared-later', none)).toBe('answered');
		expect(seenBy(alex, 'sam', 'shared-later', revealedOne)).toBe('value');
	});

	it('is only that a therapist-only item was answered, even after the reveal', () => {
		expect(seenBy(alex, 'sam', 'shared-private', revealedOne)).toBe('answered');
	});

	it('is nothing at all of an item meant for the other role, open or revealed', () => {
		for (const itemId of ['involved-open', 'involved-later', 'involved-only']) {
			expect(seenBy(alex, 'sam', itemId, revealedOne)).toBe('nothing');
			expect(seenBy(alex, 'sam', itemId, none)).toBe('nothing');
		}
		expect(seenBy(sam, 'alex', 'injured-open', revealedOne)).toBe('nothing');
		expect(seenBy(nobodysRole, 'tom', 'injured-open', revealedOne)).toBe('nothing');
	});

	it('follows the viewer’s role, whoever answered: both may see an item of their shared role', () => {
		// Roles can change after answers are given; what counts is what the item is meant for now.
		expect(seenBy(alex, 'sam', 'injured-open', none)).toBe('value');
		expect(seenBy(alex, 'sam', 'injured-later', revealedOne)).toBe('value');
	});

	it('is nothing of an item the exercise does not have', () => {
		expect(seenBy(alex, 'sam', 'no-such-item', revealedOne)).toBe('nothing');
		expect(answerVisibility(alex, 'sam', undefined, true)).toBe('nothing');
	});
});

describe('what a member may see of their own answers, and the therapist of everyone’s', () => {
	it('gives a partner their own values of the items meant for them', () => {
		expect(seenBy(alex, 'alex', 'shared-private', none)).toBe('value');
		expect(seenBy(alex, 'alex', 'injured-later', none)).toBe('value');
		expect(seenBy(alex, 'alex', 'involved-open', none)).toBe('nothing');
	});

	it('gives the therapist every value, before any reveal', () => {
		for (const itemId of ['shared-later', 'shared-private', 'involved-later', 'injured-open'])
			expect(seenBy(therapist, 'sam', itemId, none)).toBe('value');
	});
});

describe('projections built on the rule', () => {
	const stored = {
		alex: { 'shared-later': 1, 'shared-private': 2, 'injured-later': 3 },
		sam: {
			'shared-open': 4,
			'shared-later': 5,
			'shared-private': 6,
			'involved-open': 7,
			'involved-only': 8
		}
	};

	it('keeps only the values the viewer may see, and drops owners with none', () => {
		expect(visibleAnswers(definition, alex, stored, none)).toEqual({
			alex: stored.alex,
			sam: { 'shared-open': 4 }
		});
		expect(visibleAnswers(definition, alex, stored, revealedOne)).toEqual({
			alex: stored.alex,
			sam: { 'shared-open': 4, 'shared-later': 5 }
		});
		expect(visibleAnswers(definition, sam, { alex: { 'injured-later': 3 } }, revealedOne)).toEqual(
			{}
		);
		expect(visibleAnswers(definition, therapist, stored, none)).toEqual(stored);
	});

	it('lists only the answered items the viewer may know of', () => {
		expect(visibleAnswered(definition, alex, 'sam', Object.keys(stored.sam))).toEqual([
			'shared-open',
			'shared-later',
			'shared-private'
		]);
		expect(visibleAnswered(definition, therapist, 'sam', Object.keys(stored.sam))).toEqual(
			Object.keys(stored.sam)
		);
	});

	it('shows a partner the exercise without the other role’s items, every section kept', () => {
		const seen = definitionFor(definition, alex);
		expect(seen.sections.map((s) => [s.id, s.items.map((i) => i.id)])).toEqual([
			['one', ['shared-open', 'shared-later', 'shared-private', 'injured-open', 'injured-later']],
			['two', []]
		]);
		expect(definitionFor(definition, therapist)).toBe(definition);
	});

	it('reveals on the second lock in a live room and in homework set to reveal on lock, never in homework held for the session', () => {
		expect(revealsWhenBothLock({ mode: 'live', reveal_policy: 'on_lock' })).toBe(true);
		expect(revealsWhenBothLock({ mode: 'homework', reveal_policy: 'on_lock' })).toBe(true);
		expect(revealsWhenBothLock({ mode: 'homework', reveal_policy: 'session' })).toBe(false);
		// A live room has the therapist in it: her presence is the session.
		expect(revealsWhenBothLock({ mode: 'live', reveal_policy: 'session' })).toBe(true);
	});

	it('counts a section as having something to reveal only when it holds a simultaneous item', () => {
		expect(definition.sections.map((s) => hasSimultaneousItems(s))).toEqual([true, false]);
		expect(hasSimultaneousItems({ items: [item('x', 'both', 'therapist-only')] as never })).toBe(
			false
		);
	});
});
