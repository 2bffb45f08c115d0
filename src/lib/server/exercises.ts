// Exercise definitions in storage: the built-in catalogue, therapists' own exercises and their versions.
// Built-ins and custom exercises are the same rows; only owner_id (null for built-ins) tells them apart.
import { sql, type Kysely } from 'kysely';
import * as v from 'valibot';
import {
	parseDefinition,
	type DefinitionIssue,
	type ExerciseDefinition
} from '$lib/exercises/definition';
import { builtInExercises } from '$lib/exercises/catalogue';
import { isId } from '$lib/input';
import type { Database } from './db/schema';

export interface StoredDefinition {
	id: string;
	key: string;
	version: number;
	ownerId: string | null;
	definition: ExerciseDefinition;
	createdAt: Date;
}

export interface LibraryEntry extends StoredDefinition {
	isBuiltIn: boolean;
	sectionCount: number;
	itemCount: number;
	reveal: { simultaneous: number; open: number; 'therapist-only': number };
	assignmentCount: number;
}

export type SaveResult =
	| { ok: true; id: string; version: number; isNewVersion: boolean }
	| { ok: false; issues: DefinitionIssue[] };

/** The builder posts its draft as JSON in one form field. */
export const DraftForm = v.object({ definition: v.string() });

export const UNREADABLE_DRAFT = 'The exercise could not be read; reload the page and try again.';

/** The draft inside the builder's field, or undefined when it is not JSON. */
export function parseDraft(json: string): unknown {
	try {
		return JSON.parse(json);
	} catch {
		return undefined;
	}
}

/** Validates a definition with the shared schema; messages name the section or item at fault. */
export function check(
	input: unknown
): { ok: true; definition: ExerciseDefinition } | { ok: false; issues: DefinitionIssue[] } {
	const result = parseDefinition(input);
	if (result.ok) return { ok: true, definition: result.definition };
	return {
		ok: false,
		issues: result.issues.map((issue) => ({
			...issue,
			message: withPosition(issue.message, input)
		}))
	};
}

/** Adds where an item or section sits ("section 2, item 3"), since a builder's ids mean nothing to a person. */
function withPosition(issue: string, input: unknown): string {
	const sections = (input as { sections?: { id?: unknown; items?: { id?: unknown }[] }[] })
		?.sections;
	if (!Array.isArray(sections)) return issue;
	return issue
		.replace(/^Item "([^"]+)"/, (whole, id: string) => {
			for (const [s, section] of sections.entries()) {
				const i = Array.isArray(section?.items)
					? section.items.findIndex((item) => item?.id === id)
					: -1;
				if (i >= 0) return `${whole} (section ${s + 1}, item ${i + 1})`;
			}
			return whole;
		})
		.replace(/^Section "([^"]+)"/, (whole, id: string) => {
			const s = sections.findIndex((section) => section?.id === id);
			return s >= 0 ? `${whole} (section ${s + 1})` : whole;
		});
}

/**
 * Stores each built-in exercise: version 1 the first time, a new version whenever its content
 * changed, nothing when it is already current. Safe to run at every start, on several instances.
 */
export async function installBuiltIns(db: Kysely<Database>): Promise<string[]> {
	const installed: string[] = [];
	for (const exercise of builtInExercises) {
		const checked = check(exercise);
		if (!checked.ok)
			throw new Error(
				`Built-in exercise "${exercise.key}" is invalid: ${checked.issues.map((i) => i.message).join('; ')}`
			);
		const json = JSON.stringify(checked.definition);
		const latest = await db
			.selectFrom('exercise_definitions')
			.select(['version', sql<boolean>`definition = ${json}::jsonb`.as('isSame')])
			.where('key', '=', exercise.key)
			.where('owner_id', 'is', null)
			.orderBy('version', 'desc')
			.limit(1)
			.executeTakeFirst();
		if (latest?.isSame) continue;
		const inserted = await db
			.insertInto('exercise_definitions')
			.values({
				key: exercise.key,
				version: (latest?.version ?? 0) + 1,
				owner_id: null,
				definition: json
			})
			.onConflict((oc) => oc.doNothing())
			.returning('id')
			.executeTakeFirst();
		if (inserted) installed.push(`${exercise.key}@${(latest?.version ?? 0) + 1}`);
	}
	return installed;
}

function toStored(row: {
	id: string;
	key: string;
	version: number;
	owner_id: string | null;
	definition: unknown;
	created_at: Date;
}): StoredDefinition {
	return {
		id: row.id,
		key: row.key,
		version: row.version,
		ownerId: row.owner_id,
		definition: row.definition as ExerciseDefinition,
		createdAt: row.created_at
	};
}

/** The newest version of every exercise a therapist may use: the built-ins and their own. */
export async function list(db: Kysely<Database>, therapistId: string): Promise<LibraryEntry[]> {
	const rows = await db
		.selectFrom('exercise_definitions as d')
		.select(['d.id', 'd.key', 'd.version', 'd.owner_id', 'd.definition', 'd.created_at'])
		.select(
			sql<number>`(select count(*)::int from assignments a
				join exercise_definitions v on v.id = a.definition_id
				join couples c on c.id = a.couple_id
				where v.key = d.key and v.owner_id is not distinct from d.owner_id and c.therapist_id = ${therapistId})`.as(
				'assignment_count'
			)
		)
		.where((w) => w.or([w('d.owner_id', 'is', null), w('d.owner_id', '=', therapistId)]))
		.where('d.archived_at', 'is', null)
		.where(({ not, exists, selectFrom }) =>
			not(
				exists(
					selectFrom('exercise_definitions as newer')
						.select('newer.id')
						.whereRef('newer.key', '=', 'd.key')
						.whereRef('newer.version', '>', 'd.version')
						.where(sql<boolean>`newer.owner_id is not distinct from d.owner_id`)
				)
			)
		)
		.orderBy(sql`d.owner_id is null`, 'desc')
		.orderBy(sql`d.definition->>'title'`)
		.execute();
	return rows.map((row) => {
		const stored = toStored(row);
		const items = stored.definition.sections.flatMap((s) => s.items);
		const reveal = { simultaneous: 0, open: 0, 'therapist-only': 0 };
		for (const item of items) reveal[item.reveal] += 1;
		return {
			...stored,
			isBuiltIn: row.owner_id === null,
			sectionCount: stored.definition.sections.length,
			itemCount: items.length,
			reveal,
			assignmentCount: Number(row.assignment_count ?? 0)
		};
	});
}

/** One stored version, if the therapist may use it (a built-in or their own); null otherwise. */
export async function get(
	db: Kysely<Database>,
	therapistId: string,
	definitionId: string
): Promise<StoredDefinition | null> {
	if (!isId(definitionId)) return null;
	const row = await db
		.selectFrom('exercise_definitions')
		.select(['id', 'key', 'version', 'owner_id', 'definition', 'created_at'])
		.where('id', '=', definitionId)
		.where((w) => w.or([w('owner_id', 'is', null), w('owner_id', '=', therapistId)]))
		.executeTakeFirst();
	return row ? toStored(row) : null;
}

/** The current version of a built-in exercise, by key (the demo and tests assign by key). */
export async function builtIn(db: Kysely<Database>, key: string): Promise<StoredDefinition | null> {
	const row = await db
		.selectFrom('exercise_definitions')
		.select(['id', 'key', 'version', 'owner_id', 'definition', 'created_at'])
		.where('key', '=', key)
		.where('owner_id', 'is', null)
		.orderBy('version', 'desc')
		.limit(1)
		.executeTakeFirst();
	return row ? toStored(row) : null;
}

function slug(title: string) {
	const base = title
		.toLowerCase()
		.normalize('NFKD')
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 40);
	return `${base || 'exercise'}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Saves a therapist's new exercise as version 1 under a fresh key. */
export async function createCustom(
	db: Kysely<Database>,
	therapistId: string,
	input: unknown
): Promise<SaveResult> {
	const title =
		typeof (input as { title?: unknown })?.title === 'string'
			? (input as { title: string }).title
			: '';
	const key = `custom-${slug(title)}`;
	const checked = check({ ...(input as object), key });
	if (!checked.ok) return checked;
	const row = await db
		.insertInto('exercise_definitions')
		.values({
			key,
			version: 1,
			owner_id: therapistId,
			definition: JSON.stringify(checked.definition)
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return { ok: true, id: row.id, version: 1, isNewVersion: true };
}

/**
 * Saves changes to a therapist's own exercise. When any version of it has been assigned, the change
 * becomes a new version so existing assignments keep the one they were given; otherwise the newest
 * version is changed in place.
 */
export async function updateCustom(
	db: Kysely<Database>,
	therapistId: string,
	definitionId: string,
	input: unknown
): Promise<SaveResult | null> {
	const current = await get(db, therapistId, definitionId);
	if (!current || current.ownerId !== therapistId) return null;
	const checked = check({ ...(input as object), key: current.key });
	if (!checked.ok) return checked;
	const json = JSON.stringify(checked.definition);
	return db.transaction().execute(async (trx) => {
		const latest = await trx
			.selectFrom('exercise_definitions')
			.select(['id', 'version'])
			.where('key', '=', current.key)
			.where('owner_id', '=', therapistId)
			.orderBy('version', 'desc')
			.limit(1)
			.forUpdate()
			.executeTakeFirstOrThrow();
		const assigned = await trx
			.selectFrom('assignments')
			.select('id')
			.where('definition_id', '=', latest.id)
			.limit(1)
			.executeTakeFirst();
		if (!assigned) {
			await trx
				.updateTable('exercise_definitions')
				.set({ definition: json })
				.where('id', '=', latest.id)
				.execute();
			return { ok: true as const, id: latest.id, version: latest.version, isNewVersion: false };
		}
		const row = await trx
			.insertInto('exercise_definitions')
			.values({
				key: current.key,
				version: latest.version + 1,
				owner_id: therapistId,
				definition: json
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return { ok: true as const, id: row.id, version: latest.version + 1, isNewVersion: true };
	});
}

/** Hides a therapist's own exercise from the library; its assignments and results stay. */
export async function archive(
	db: Kysely<Database>,
	therapistId: string,
	definitionId: string
): Promise<boolean> {
	const current = await get(db, therapistId, definitionId);
	if (!current || current.ownerId !== therapistId) return false;
	await db
		.updateTable('exercise_definitions')
		.set({ archived_at: new Date() })
		.where('key', '=', current.key)
		.where('owner_id', '=', therapistId)
		.execute();
	return true;
}
