// Safety flags raised by safety items, for the therapist only, and the crisis resources shown to partners.
// A flag is never part of anything a partner loads: only the therapist's pages call into this module's flags.
import type { Kysely } from 'kysely';
import { isId } from '$lib/input';
import type { Database } from './db/schema';
import * as audit from './audit';

export interface OpenFlag {
	id: string;
	raisedAt: Date;
	coupleId: string;
	coupleLabel: string;
	partnerName: string;
	assignmentId: string;
	exerciseTitle: string;
	itemId: string;
	itemPrompt: string;
}

/** Unacknowledged flags on a therapist's couples, newest first. */
export async function openFlags(db: Kysely<Database>, therapistId: string): Promise<OpenFlag[]> {
	const rows = await db
		.selectFrom('safety_flags as f')
		.innerJoin('couples as c', 'c.id', 'f.couple_id')
		.innerJoin('couple_members as m', (j) =>
			j.onRef('m.couple_id', '=', 'f.couple_id').onRef('m.user_id', '=', 'f.user_id')
		)
		.innerJoin('assignments as a', 'a.id', 'f.assignment_id')
		.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
		.select([
			'f.id',
			'f.raised_at',
			'f.couple_id',
			'f.assignment_id',
			'f.item_id',
			'c.label',
			'm.display_name',
			'd.definition'
		])
		.where('c.therapist_id', '=', therapistId)
		.where('f.acknowledged_at', 'is', null)
		.orderBy('f.raised_at', 'desc')
		.execute();
	return rows.map((row) => {
		const definition = row.definition as {
			title: string;
			sections: { items: { id: string; prompt: string }[] }[];
		};
		const item = definition.sections.flatMap((s) => s.items).find((i) => i.id === row.item_id);
		return {
			id: row.id,
			raisedAt: row.raised_at,
			coupleId: row.couple_id,
			coupleLabel: row.label,
			partnerName: row.display_name,
			assignmentId: row.assignment_id,
			exerciseTitle: definition.title,
			itemId: row.item_id,
			itemPrompt: item?.prompt ?? row.item_id
		};
	});
}

/** Marks a flag as seen by the couple's therapist; the acknowledgement lands in the audit log. */
export async function acknowledge(
	db: Kysely<Database>,
	therapistId: string,
	flagId: string,
	ip: string | null = null
): Promise<boolean> {
	if (!isId(flagId)) return false;
	return db.transaction().execute(async (trx) => {
		const flag = await trx
			.selectFrom('safety_flags as f')
			.innerJoin('couples as c', 'c.id', 'f.couple_id')
			.select(['f.id', 'f.couple_id', 'f.assignment_id', 'f.item_id', 'f.acknowledged_at'])
			.where('f.id', '=', flagId)
			.where('c.therapist_id', '=', therapistId)
			.forUpdate()
			.executeTakeFirst();
		if (!flag) return false;
		if (flag.acknowledged_at) return true;
		await trx
			.updateTable('safety_flags')
			.set({ acknowledged_by: therapistId, acknowledged_at: new Date() })
			.where('id', '=', flagId)
			.execute();
		await audit.record(trx, {
			actorId: therapistId,
			action: 'safety_flag.acknowledge',
			targetType: 'safety_flag',
			targetId: flagId,
			coupleId: flag.couple_id,
			ip,
			detail: { assignmentId: flag.assignment_id, itemId: flag.item_id }
		});
		return true;
	});
}

export interface CrisisResource {
	name: string;
	phone: string | null;
	textLine: string | null;
	url: string | null;
}

/** Shown when a therapist has not set their own list (US services; a practice elsewhere sets its own). */
export const DEFAULT_CRISIS_RESOURCES: CrisisResource[] = [
	{
		name: '988 Suicide & Crisis Lifeline',
		phone: '988',
		textLine: 'Text 988',
		url: 'https://988lifeline.org'
	},
	{
		name: 'National Domestic Violence Hotline',
		phone: '1-800-799-7233',
		textLine: 'Text START to 88788',
		url: 'https://www.thehotline.org'
	}
];

/** The crisis resources of a therapist's practice, or the default list when none are set. */
export async function crisisResources(
	db: Kysely<Database>,
	therapistId: string | null
): Promise<CrisisResource[]> {
	if (!therapistId) return DEFAULT_CRISIS_RESOURCES;
	const rows = await db
		.selectFrom('crisis_resources')
		.select(['name', 'phone', 'text_line', 'url'])
		.where('therapist_id', '=', therapistId)
		.orderBy('position')
		.execute();
	if (rows.length === 0) return DEFAULT_CRISIS_RESOURCES;
	return rows.map((r) => ({ name: r.name, phone: r.phone, textLine: r.text_line, url: r.url }));
}

/** The resources for a partner: those of the therapist of their (first) couple. */
export async function crisisResourcesForPartner(
	db: Kysely<Database>,
	userId: string
): Promise<CrisisResource[]> {
	const couple = await db
		.selectFrom('couple_members as m')
		.innerJoin('couples as c', 'c.id', 'm.couple_id')
		.select('c.therapist_id')
		.where('m.user_id', '=', userId)
		.orderBy('c.created_at')
		.limit(1)
		.executeTakeFirst();
	return crisisResources(db, couple?.therapist_id ?? null);
}

/** Replaces a therapist's crisis resource list (an empty list restores the default). */
export async function setCrisisResources(
	db: Kysely<Database>,
	therapistId: string,
	resources: CrisisResource[]
): Promise<void> {
	await db.transaction().execute(async (trx) => {
		const t = trx;
		await t.deleteFrom('crisis_resources').where('therapist_id', '=', therapistId).execute();
		if (resources.length === 0) return;
		await t
			.insertInto('crisis_resources')
			.values(
				resources.map((r, position) => ({
					therapist_id: therapistId,
					position,
					name: r.name,
					phone: r.phone,
					text_line: r.textLine,
					url: r.url
				}))
			)
			.execute();
	});
}

/** The therapist's second contact for safety alerts (a colleague or on-call address), or null. */
export async function safetyContact(
	db: Kysely<Database>,
	therapistId: string
): Promise<string | null> {
	const row = await db
		.selectFrom('users')
		.select('safety_contact_email')
		.where('id', '=', therapistId)
		.executeTakeFirst();
	return row?.safety_contact_email ?? null;
}

export async function setSafetyContact(
	db: Kysely<Database>,
	therapistId: string,
	address: string | null
): Promise<void> {
	await db
		.updateTable('users')
		.set({ safety_contact_email: address })
		.where('id', '=', therapistId)
		.execute();
}
