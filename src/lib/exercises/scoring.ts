// Scores as structured discussion aids (not validated instruments): agreement, weighted kappa,
// divergences and 0-100 subscales, driven by item types and fields, never by an exercise's key.
import type { ExerciseDefinition, ExerciseItem, PartnerRole, ScenarioChoice } from './definition';
import { SCENARIO_CHOICES } from './definition';
import { isDivergent } from './answers';

export const NOT_VALIDATED_NOTICE = 'Structured discussion aid, not a validated instrument.';

/** The position of a scenario answer on ok < talk-first < crosses-line (0-2), or null when it is not one. */
export function scenarioOrdinal(value: unknown): number | null {
	if (typeof value !== 'object' || value === null) return null;
	const index = SCENARIO_CHOICES.indexOf((value as { choice?: unknown }).choice as ScenarioChoice);
	return index < 0 ? null : index;
}

/** The position of an answer on its item's ordered scale, or null where the item has no order. */
export function ordinal(item: ExerciseItem, value: unknown): number | null {
	switch (item.type) {
		case 'scenario':
			return scenarioOrdinal(value);
		case 'likert5':
		case 'scale10':
			return typeof value === 'number' ? value : null;
		default:
			return null;
	}
}

/** The largest distance on an item's scale (scenario 2, likert5 4, scale10 10). */
export function scaleSpan(item: ExerciseItem): number | null {
	return item.type === 'scenario'
		? 2
		: item.type === 'likert5'
			? 4
			: item.type === 'scale10'
				? 10
				: null;
}

export interface Agreement {
	/** Share of compared items where both gave the same rating; null when nothing was comparable. */
	rate: number | null;
	same: number;
	compared: number;
}

export function agreementRate(pairs: [number, number][]): Agreement {
	const same = pairs.filter(([a, b]) => a === b).length;
	return { rate: pairs.length ? same / pairs.length : null, same, compared: pairs.length };
}

export type Kappa =
	{ kappa: number } | { kappa: null; reason: 'not-enough-variation' | 'no-pairs' };

/**
 * Cohen's kappa with linear weights over `categories` ordered categories (0..categories-1):
 * w(i,j) = 1 - |i-j|/(k-1); kappa = (Po - Pe) / (1 - Pe). Undefined when Pe = 1 (no variation).
 */
export function weightedKappa(pairs: [number, number][], categories: number): Kappa {
	if (pairs.length === 0) return { kappa: null, reason: 'no-pairs' };
	// With one category every pair agrees by construction, so chance explains everything.
	if (categories < 2) return { kappa: null, reason: 'not-enough-variation' };
	const k = categories;
	const isOnScale = (r: number) => Number.isInteger(r) && r >= 0 && r < k;
	if (!pairs.every(([a, b]) => isOnScale(a) && isOnScale(b)))
		throw new RangeError(`weightedKappa: every rating must be a whole number from 0 to ${k - 1}.`);
	const n = pairs.length;
	const weight = (i: number, j: number) => 1 - Math.abs(i - j) / (k - 1);
	const rows = new Array(k).fill(0);
	const cols = new Array(k).fill(0);
	let observed = 0;
	for (const [a, b] of pairs) {
		rows[a] += 1;
		cols[b] += 1;
		observed += weight(a, b);
	}
	observed /= n;
	let expected = 0;
	for (let i = 0; i < k; i++)
		for (let j = 0; j < k; j++) expected += (weight(i, j) * rows[i] * cols[j]) / (n * n);
	if (Math.abs(1 - expected) < 1e-12) return { kappa: null, reason: 'not-enough-variation' };
	return { kappa: (observed - expected) / (1 - expected) };
}

export interface Divergence {
	itemId: string;
	prompt: string;
	/** Distance between the two answers on the item's scale (scenario: 0-2). */
	distance: number;
	/** The distance as a share of the item's scale, so items of different scales sort together. */
	share: number;
}

/** Items where two partners answered differently, furthest apart first: the session's agenda. */
export function divergences(
	definition: ExerciseDefinition,
	a: Record<string, unknown>,
	b: Record<string, unknown>
): Divergence[] {
	const list: Divergence[] = [];
	for (const item of definition.sections.flatMap((s) => s.items)) {
		const x = ordinal(item, a[item.id]);
		const y = ordinal(item, b[item.id]);
		const span = scaleSpan(item);
		if (x === null || y === null || !span || !isDivergent(item, a[item.id], b[item.id])) continue;
		const distance = Math.abs(x - y);
		list.push({ itemId: item.id, prompt: item.prompt, distance, share: distance / span });
	}
	return list.sort((p, q) => q.share - p.share || q.distance - p.distance);
}

/** 0-100 for one scored answer: likert5 (reverse items flipped) or scale10. */
export function itemScore(item: ExerciseItem, value: unknown): number | null {
	if (typeof value !== 'number') return null;
	if (item.type === 'likert5') return (((item.reverse ? 6 - value : value) - 1) / 4) * 100;
	if (item.type === 'scale10') return value * 10;
	return null;
}

/** Each subscale's score: the mean of its answered items on 0-100; null when none was answered. */
export function subscaleScores(
	definition: ExerciseDefinition,
	answers: Record<string, unknown>
): Record<string, number | null> {
	const sums: Record<string, { total: number; count: number }> = {};
	for (const item of definition.sections.flatMap((s) => s.items)) {
		if (!item.subscale) continue;
		const bucket = (sums[item.subscale] ??= { total: 0, count: 0 });
		const score = itemScore(item, answers[item.id]);
		if (score === null) continue;
		bucket.total += score;
		bucket.count += 1;
	}
	return Object.fromEntries(
		Object.entries(sums).map(([name, s]) => [name, s.count ? s.total / s.count : null])
	);
}

/** Subscales whose items are all meant for one role. */
export function subscalesForRole(
	definition: ExerciseDefinition,
	role: 'injured' | 'involved'
): string[] {
	const targets = new Map<string, Set<string>>();
	for (const item of definition.sections.flatMap((s) => s.items)) {
		if (!item.subscale) continue;
		const set = targets.get(item.subscale) ?? new Set<string>();
		set.add(item.target ?? 'both');
		targets.set(item.subscale, set);
	}
	return [...targets].filter(([, set]) => set.size === 1 && set.has(role)).map(([name]) => name);
}

export function mean(values: (number | null)[]): number | null {
	const present = values.filter((v): v is number => v !== null);
	return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

export interface PartnerAnswers {
	userId: string;
	role: PartnerRole;
	answers: Record<string, unknown>;
}

export interface PartnerScores {
	userId: string;
	role: PartnerRole;
	/** Each subscale 0-100; null where this partner answered none of its items. */
	subscales: Record<string, number | null>;
	/** The partner's headline index (see indexLabel), null when it does not apply or is unanswered. */
	index: number | null;
}

export interface AssignmentScores {
	/** Over the scenario items both partners answered; null when the exercise has no scenarios. */
	agreement: (Agreement & { kappa: number | null; kappaNote: string | null }) | null;
	divergences: Divergence[];
	partners: PartnerScores[];
	/** What `index` means for this exercise, e.g. "Readiness index"; null when it has none. */
	indexLabel: string | null;
	notice: string;
}

interface IndexRule {
	label: string;
	subscales: string[];
	/** Whose answers it summarises; null means every partner's. */
	role: 'injured' | null;
}

/**
 * The index a definition declares in `scoring.index`. Definitions stored before that field existed
 * keep their readiness index: the mean of the subscales meant only for the injured partner, which
 * leaves the involved partner's accountability beside it rather than in it.
 */
function indexRule(definition: ExerciseDefinition): IndexRule | null {
	const declared = definition.scoring?.index;
	if (declared) return { label: declared.label, subscales: declared.subscales, role: null };
	const injuredOnly = subscalesForRole(definition, 'injured');
	return injuredOnly.length
		? { label: 'Readiness index', subscales: injuredOnly, role: 'injured' }
		: null;
}

function scenarioAgreement(
	definition: ExerciseDefinition,
	a: Record<string, unknown>,
	b: Record<string, unknown>
): AssignmentScores['agreement'] {
	const scenarios = definition.sections
		.flatMap((s) => s.items)
		.filter((i) => i.type === 'scenario');
	if (scenarios.length === 0) return null;
	const pairs: [number, number][] = [];
	for (const item of scenarios) {
		const x = scenarioOrdinal(a[item.id]);
		const y = scenarioOrdinal(b[item.id]);
		// An item only one partner answered says nothing about agreement, so it is left out.
		if (x !== null && y !== null) pairs.push([x, y]);
	}
	const kappa = weightedKappa(pairs, SCENARIO_CHOICES.length);
	const kappaNote =
		kappa.kappa !== null
			? null
			: kappa.reason === 'no-pairs'
				? 'No answers to compare yet'
				: 'Not enough variation';
	return { ...agreementRate(pairs), kappa: kappa.kappa, kappaNote };
}

/** Everything the results view shows for one assignment, from each partner's answers. */
export function scoreAssignment(
	definition: ExerciseDefinition,
	partners: PartnerAnswers[]
): AssignmentScores {
	const [a, b] = partners;
	const rule = indexRule(definition);
	return {
		agreement: a && b ? scenarioAgreement(definition, a.answers, b.answers) : null,
		divergences: a && b ? divergences(definition, a.answers, b.answers) : [],
		partners: partners.map((p) => {
			const subscales = subscaleScores(definition, p.answers);
			const isIndexed = rule !== null && (rule.role === null || rule.role === p.role);
			return {
				userId: p.userId,
				role: p.role,
				subscales,
				index: isIndexed ? mean(rule.subscales.map((s) => subscales[s] ?? null)) : null
			};
		}),
		indexLabel: rule?.label ?? null,
		notice: NOT_VALIDATED_NOTICE
	};
}
