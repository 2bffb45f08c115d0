// The FHIR R4 export: a collection Bundle with a Questionnaire per exercise version used, a
// QuestionnaireResponse per partner (and one for the couple's joint answers) per completed assignment,
// Observations for the scores, and a DocumentReference per signed progress note. People are named by
// their display name only, and every id in it is opaque (no emails, no account ids).
import type * as fhir from 'fhir/r4';
import { answerText } from '$lib/exercises/answers';
import {
	SCENARIO_CHOICES,
	type ExerciseDefinition,
	type ExerciseItem
} from '$lib/exercises/definition';
import { NOT_VALIDATED_NOTICE } from '$lib/exercises/scoring';
import { TEMPLATES } from '../notes';
import { noteText, type ExportRecord } from './record';

/** The canonical url of an exercise; the version goes after a `|` where it is referenced. */
export const exerciseUrl = (key: string) => `urn:trellis:exercise:${key}`;
export const sectionLinkId = (sectionId: string) => `section:${sectionId}`;
export const wantToKnowLinkId = (itemId: string) => `${itemId}:want-to-know`;

const SCENARIO_SYSTEM = 'urn:trellis:scenario-rating';
const LIKERT_SYSTEM = 'urn:trellis:likert5';
const MEASURE_SYSTEM = 'urn:trellis:measure';
const ANSWERED_BY_SYSTEM = 'urn:trellis:answered-by';
const SURVEY: fhir.CodeableConcept = {
	coding: [
		{
			system: 'http://terminology.hl7.org/CodeSystem/observation-category',
			code: 'survey',
			display: 'Survey'
		}
	]
};
const NOTICE: fhir.Annotation[] = [{ text: NOT_VALIDATED_NOTICE }];
const LIKERT_WORDS = ['Strongly disagree', 'Disagree', 'Unsure', 'Agree', 'Strongly agree'];

const words = (name: string) => name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/** A scenario rating as a coding, in the words the couple saw. */
function scenarioCoding(item: ExerciseItem, choice: string): fhir.Coding {
	return { system: SCENARIO_SYSTEM, code: choice, display: answerText(item, { choice }) };
}

function questionFor(item: ExerciseItem): fhir.QuestionnaireItem {
	const base = { linkId: item.id, text: item.prompt, required: false };
	switch (item.type) {
		case 'scenario':
			return {
				...base,
				type: 'choice',
				answerOption: SCENARIO_CHOICES.map((c) => ({ valueCoding: scenarioCoding(item, c) })),
				item: [
					{ linkId: wantToKnowLinkId(item.id), text: 'Would want to be told', type: 'boolean' }
				]
			};
		case 'likert5':
			return {
				...base,
				type: 'choice',
				answerOption: LIKERT_WORDS.map((display, i) => ({
					valueCoding: { system: LIKERT_SYSTEM, code: String(i + 1), display }
				}))
			};
		case 'scale10':
			return {
				...base,
				type: 'integer',
				extension: [
					{ url: 'http://hl7.org/fhir/StructureDefinition/minValue', valueInteger: 0 },
					{ url: 'http://hl7.org/fhir/StructureDefinition/maxValue', valueInteger: 10 }
				]
			};
		case 'choice':
		case 'checklist':
			return {
				...base,
				type: 'choice',
				repeats: item.type === 'checklist',
				answerOption: (item.options ?? []).map((o) => ({
					valueCoding: { code: o.id, display: o.label }
				}))
			};
		case 'text':
			return { ...base, type: 'text' };
		case 'list':
			return { ...base, type: 'string', repeats: true };
	}
}

export function questionnaire(stored: {
	key: string;
	version: number;
	definition: ExerciseDefinition;
}): fhir.Questionnaire {
	const { definition } = stored;
	return {
		resourceType: 'Questionnaire',
		url: exerciseUrl(stored.key),
		identifier: [{ system: 'urn:trellis:exercise', value: `${stored.key}|${stored.version}` }],
		version: String(stored.version),
		title: definition.title,
		status: 'active',
		description: `${definition.purpose}\n\n${NOT_VALIDATED_NOTICE}`,
		item: definition.sections.map((section) => ({
			linkId: sectionLinkId(section.id),
			text: section.title,
			type: 'group',
			item: section.items.map(questionFor)
		}))
	};
}

/** The FHIR answers to one stored value; empty when there is nothing to say (blank text, no ticks). */
function answersFor(item: ExerciseItem, value: unknown): fhir.QuestionnaireResponseItemAnswer[] {
	switch (item.type) {
		case 'scenario': {
			const v = value as { choice?: string; wantToKnow?: boolean } | null;
			if (!v?.choice) return [];
			const answer: fhir.QuestionnaireResponseItemAnswer = {
				valueCoding: scenarioCoding(item, v.choice)
			};
			if (typeof v.wantToKnow === 'boolean') {
				answer.item = [
					{ linkId: wantToKnowLinkId(item.id), answer: [{ valueBoolean: v.wantToKnow }] }
				];
			}
			return [answer];
		}
		case 'likert5':
			return typeof value === 'number'
				? [
						{
							valueCoding: {
								system: LIKERT_SYSTEM,
								code: String(value),
								display: LIKERT_WORDS[value - 1]
							}
						}
					]
				: [];
		case 'scale10':
			return typeof value === 'number' ? [{ valueInteger: value }] : [];
		case 'choice':
			return typeof value === 'string'
				? [{ valueCoding: { code: value, display: answerText(item, value) } }]
				: [];
		case 'checklist':
			return Array.isArray(value)
				? value.map((id: string) => ({
						valueCoding: { code: id, display: answerText(item, [id]) }
					}))
				: [];
		case 'text':
			return typeof value === 'string' && value.length > 0 ? [{ valueString: value }] : [];
		case 'list':
			return Array.isArray(value)
				? value.filter((e) => typeof e === 'string' && e).map((e: string) => ({ valueString: e }))
				: [];
	}
}

/** The response items of one set of answers, grouped by section as the Questionnaire is. */
function responseItems(
	definition: ExerciseDefinition,
	values: Record<string, unknown>
): fhir.QuestionnaireResponseItem[] {
	return definition.sections.flatMap((section) => {
		const items = section.items.flatMap((item) => {
			if (!(item.id in values)) return [];
			const answer = answersFor(item, values[item.id]);
			return answer.length ? [{ linkId: item.id, text: item.prompt, answer }] : [];
		});
		return items.length
			? [{ linkId: sectionLinkId(section.id), text: section.title, item: items }]
			: [];
	});
}

export function toFhirBundle(record: ExportRecord): fhir.Bundle {
	const { history } = record;
	const entries: fhir.BundleEntry[] = [];
	const add = (resource: fhir.FhirResource): fhir.Reference => {
		const fullUrl = `urn:uuid:${crypto.randomUUID()}`;
		entries.push({ fullUrl, resource });
		return { reference: fullUrl };
	};

	const practitioner = add({
		resourceType: 'Practitioner',
		name: [{ text: record.therapistName }]
	});
	const patients = new Map(
		history.partners.map((p) => [
			p.userId,
			{
				name: p.name,
				ref: { ...add({ resourceType: 'Patient', name: [{ text: p.name }] }), display: p.name }
			}
		])
	);
	const couple: fhir.Reference = {
		...add({
			resourceType: 'Group',
			type: 'person',
			actual: true,
			name: history.label,
			quantity: patients.size,
			member: [...patients.values()].map((p) => ({ entity: p.ref }))
		}),
		display: history.label
	};

	const canonical = new Map<string, string>();
	for (const [definitionId, stored] of history.definitions) {
		add(questionnaire(stored));
		canonical.set(definitionId, `${exerciseUrl(stored.key)}|${stored.version}`);
	}

	const byId = new Map(history.scored.map((s) => [s.id, s]));
	for (const assignment of history.assignments) {
		if (!assignment.isComplete) continue;
		const stored = history.definitions.get(assignment.definitionId)!;
		const authored = assignment.date.toISOString();
		const responses = new Map<string, fhir.Reference>();
		const given = history.answers.get(assignment.id) ?? {};
		history.partners.forEach((partner, index) => {
			const values = Object.fromEntries(
				Object.entries(given[partner.userId] ?? {}).map(([id, a]) => [id, a.value])
			);
			const item = responseItems(stored.definition, values);
			if (!item.length) return;
			const who = patients.get(partner.userId)!.ref;
			responses.set(
				partner.userId,
				add({
					resourceType: 'QuestionnaireResponse',
					identifier: {
						system: 'urn:trellis:response',
						value: `${assignment.id}/partner-${index + 1}`
					},
					meta: { tag: [{ system: ANSWERED_BY_SYSTEM, code: 'partner', display: 'One partner' }] },
					questionnaire: canonical.get(assignment.definitionId),
					status: 'completed',
					subject: couple,
					authored,
					author: who,
					source: who,
					item
				})
			);
		});
		const joint = Object.fromEntries(
			Object.entries(history.joint.get(assignment.id) ?? {}).map(([id, a]) => [id, a.value])
		);
		const jointItems = responseItems(stored.definition, joint);
		if (jointItems.length) {
			add({
				resourceType: 'QuestionnaireResponse',
				identifier: { system: 'urn:trellis:response', value: `${assignment.id}/joint` },
				meta: {
					tag: [{ system: ANSWERED_BY_SYSTEM, code: 'joint', display: 'Both partners together' }]
				},
				questionnaire: canonical.get(assignment.definitionId),
				status: 'completed',
				subject: couple,
				authored,
				item: jointItems
			});
		}

		const scored = byId.get(assignment.id);
		if (!scored) continue;
		const observation = (
			code: string,
			text: string,
			subject: fhir.Reference,
			value: Pick<fhir.Observation, 'valueQuantity' | 'dataAbsentReason'>,
			derivedFrom: fhir.Reference[]
		) =>
			add({
				resourceType: 'Observation',
				status: 'final',
				category: [SURVEY],
				code: { coding: [{ system: MEASURE_SYSTEM, code: `${stored.key}.${code}` }], text },
				subject,
				effectiveDateTime: authored,
				...value,
				derivedFrom,
				note: NOTICE
			});
		for (const scores of scored.scores.partners) {
			const patient = patients.get(scores.userId);
			if (!patient) continue;
			const own = [responses.get(scores.userId)].filter((r): r is fhir.Reference => !!r);
			const points = (value: number) => ({
				valueQuantity: { value: round(value, 1), unit: 'points of 100' }
			});
			for (const [name, value] of Object.entries(scores.subscales)) {
				if (value === null) continue;
				const text = `${assignment.title}: ${words(name)} (0-100)`;
				observation(name, text, patient.ref, points(value), own);
			}
			if (scores.index !== null) {
				const text = `${assignment.title}: ${scored.scores.indexLabel ?? 'Index'} (0-100)`;
				observation('index', text, patient.ref, points(scores.index), own);
			}
		}
		const both = [...responses.values()];
		const agreement = scored.scores.agreement;
		if (agreement && agreement.rate !== null) {
			observation(
				'agreement-rate',
				`${assignment.title}: scenarios rated the same`,
				couple,
				{
					valueQuantity: {
						value: round(agreement.rate * 100, 1),
						unit: '%',
						system: 'http://unitsofmeasure.org',
						code: '%'
					}
				},
				both
			);
			observation(
				'weighted-kappa',
				`${assignment.title}: weighted agreement (Cohen's kappa, linear weights)`,
				couple,
				agreement.kappa === null
					? {
							dataAbsentReason: {
								coding: [
									{
										system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
										code: 'not-a-number'
									}
								],
								text: agreement.kappaNote ?? 'Not enough variation'
							}
						}
					: {
							valueQuantity: {
								value: round(agreement.kappa, 2),
								unit: '1',
								system: 'http://unitsofmeasure.org',
								code: '1'
							}
						},
				both
			);
		}
	}

	for (const note of record.notes) {
		const text = noteText(note, record.timeZone);
		add({
			resourceType: 'DocumentReference',
			...(note.contentHash
				? { identifier: [{ system: 'urn:trellis:note-sha256', value: note.contentHash }] }
				: {}),
			status: 'current',
			docStatus: 'final',
			type: { text: `Progress note (${TEMPLATES[note.template].label})` },
			subject: couple,
			date: note.signedAt.toISOString(),
			author: [practitioner],
			description: `Session of ${note.sessionDate}`,
			content: [
				{
					attachment: {
						contentType: 'text/plain; charset=utf-8',
						language: 'en',
						data: Buffer.from(text, 'utf8').toString('base64'),
						title: `Progress note, session of ${note.sessionDate}`,
						creation: note.signedAt.toISOString()
					}
				}
			],
			context: { period: { start: note.sessionDate } }
		});
	}

	return {
		resourceType: 'Bundle',
		identifier: { system: 'urn:trellis:export', value: crypto.randomUUID() },
		type: 'collection',
		timestamp: record.generatedAt.toISOString(),
		entry: entries
	};
}
