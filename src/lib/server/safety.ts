// Safety flags raised by safety items, for the therapist only, and the crisis resources shown to partners.
// A flag is never part of anything a partner loads: only the therapist's pages call into this module's flags.
import type { Kysely } from 'kysely';
import { isId } from '$lib/input';
import { itemById, type ExerciseItem } from '$lib/exercises/definition';
import { answerText } from '$lib/exercises/answers';
import type { SafetyAction } from '$lib/safety-actions';
import type { Database, OutboxStatus } from './db/schema';
import { columnOf } from './db/column';
import * as audit from './audit';
import * as outbox from './outbox';
import { appKeyring, openColumns, sealColumns, type Keyring } from './crypto/keyring';

/** A flag left unacknowledged this long is overdue, and listed first. */
export const OVERDUE_MS = 24 * 3600_000;

/** Where one alert email of a flag stands; `recipient` says whose address it went to. */
export interface AlertDelivery {
	recipient: 'therapist' | 'second-contact';
	status: OutboxStatus;
	attempts: number;
	nextAttemptAt: Date | null;
	sentAt: Date | null;
}

export interface OpenFlag {
	id: string;
	raisedAt: Date;
	isOverdue: boolean;
	coupleId: string;
	coupleLabel: string;
	partnerName: string;
	/** The partner's sign-in address and the phone number on the therapist's record of them. */
	partnerEmail: string | null;
	partnerPhone: string | null;
	assignmentId: string;
	exerciseTitle: string;
	itemId: string;
	itemPrompt: string;
	/** The answer that raised the flag, in words; null on a flag raised before answers were kept. */
	answer: string | null;
	/** The partner's answer now, when it has changed since the flag was raised. */
	answerNow: string | null;
	/** The crisis resources the partner was shown with the flag. */
	resourcesShown: CrisisResource[];
	/** The alert emails queued with the flag; empty when email was not set up (SMTP_URL unset). */
	alerts: AlertDelivery[];
}

interface StoredDefinition {
	title: string;
	sections: { items: ExerciseItem[] }[];
}

/** The alert emails of flags, by flag id: the outbox rows the flag's statement queued (dedupe keys). */
async function alertDeliveries(
	db: Kysely<Database>,
	flagIds: string[]
): Promise<Map<string, AlertDelivery[]>> {
	const byFlag = new Map<string, AlertDelivery[]>();
	if (flagIds.length === 0) return byFlag;
	const keys = flagIds.flatMap((id) => [
		`safety-alert:${id}:therapist`,
		`safety-alert:${id}:second-contact`
	]);
	const rows = await db
		.selectFrom('outbox')
		.select(['id', 'dedupe_key'])
		.where((eb) => eb('dedupe_key', '=', eb.fn.any(eb.val(keys))))
		.execute();
	const found = await outbox.statuses(
		db,
		rows.map((r) => r.id)
	);
	for (const row of rows) {
		const [, flagId, recipient] = (row.dedupe_key ?? '').split(':');
		const delivery = found.get(row.id);
		if (!delivery) continue;
		const list = byFlag.get(flagId) ?? [];
		list.push({
			recipient: recipient === 'second-contact' ? 'second-contact' : 'therapist',
			status: delivery.status,
			attempts: delivery.attempts,
			nextAttemptAt: delivery.nextAttemptAt,
			sentAt: delivery.sentAt
		});
		list.sort((a, b) => Number(a.recipient !== 'therapist') - Number(b.recipient !== 'therapist'));
		byFlag.set(flagId, list);
	}
	return byFlag;
}

function storedResources(value: unknown): CrisisResource[] {
	if (!Array.isArray(value) || value.length === 0) return DEFAULT_CRISIS_RESOURCES;
	return value.map((r: Record<string, unknown>) => ({
		name: String(r.name ?? ''),
		phone: typeof r.phone === 'string' ? r.phone : null,
		textLine: typeof r.textLine === 'string' ? r.textLine : null,
		url: typeof r.url === 'string' ? r.url : null
	}));
}

/** The flags on a therapist's couples, each with its couple, the partner who raised it and its exercise. */
function flagsOf(db: Kysely<Database>, therapistId: string) {
	return db
		.selectFrom('safety_flags as f')
		.innerJoin('couples as c', 'c.id', 'f.couple_id')
		.innerJoin('couple_members as m', (j) =>
			j.onRef('m.couple_id', '=', 'f.couple_id').onRef('m.user_id', '=', 'f.user_id')
		)
		.innerJoin('assignments as a', 'a.id', 'f.assignment_id')
		.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
		.where('c.therapist_id', '=', therapistId);
}

/**
 * Unacknowledged flags on a therapist's couples, each with what she needs to act on it: overdue ones
 * (older than a day) first, oldest first, then the others newest first.
 */
export async function openFlags(
	db: Kysely<Database>,
	therapistId: string,
	now: Date = new Date()
): Promise<OpenFlag[]> {
	const rows = await flagsOf(db, therapistId)
		.innerJoin('users as u', 'u.id', 'f.user_id')
		.leftJoin('responses as r', (j) =>
			j
				.onRef('r.assignment_id', '=', 'f.assignment_id')
				.onRef('r.user_id', '=', 'f.user_id')
				.onRef('r.item_id', '=', 'f.item_id')
		)
		.select([
			'f.id',
			'f.raised_at',
			'f.couple_id',
			'f.assignment_id',
			'f.item_id',
			'f.answer',
			'f.resources_shown',
			'r.value as answer_now',
			'c.label',
			'm.display_name',
			'm.phone',
			'u.email',
			'd.definition'
		])
		.where('f.acknowledged_at', 'is', null)
		.orderBy('f.raised_at', 'desc')
		.execute();
	const alerts = await alertDeliveries(
		db,
		rows.map((r) => r.id)
	);
	const flags = rows.map((row): OpenFlag => {
		const definition = row.definition as StoredDefinition;
		const item = itemById(definition, row.item_id);
		const given = row.answer ?? null;
		const answer = item && given !== null ? answerText(item, given) : null;
		const current = item && row.answer_now != null ? answerText(item, row.answer_now) : null;
		return {
			id: row.id,
			raisedAt: row.raised_at,
			isOverdue: false,
			coupleId: row.couple_id,
			coupleLabel: row.label,
			partnerName: row.display_name,
			partnerEmail: row.email,
			partnerPhone: row.phone,
			assignmentId: row.assignment_id,
			exerciseTitle: definition.title,
			itemId: row.item_id,
			itemPrompt: item?.prompt ?? row.item_id,
			answer,
			answerNow: current !== null && current !== answer ? current : null,
			resourcesShown: storedResources(row.resources_shown),
			alerts: alerts.get(row.id) ?? []
		};
	});
	for (const flag of flags) flag.isOverdue = now.getTime() - flag.raisedAt.getTime() > OVERDUE_MS;
	const overdue = flags.filter((f) => f.isOverdue).reverse();
	return [...overdue, ...flags.filter((f) => !f.isOverdue)];
}

/** How many flags on a therapist's couples wait for her acknowledgement (the navigation's count). */
export async function openCount(db: Kysely<Database>, therapistId: string): Promise<number> {
	const row = await db
		.selectFrom('safety_flags as f')
		.innerJoin('couples as c', 'c.id', 'f.couple_id')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('c.therapist_id', '=', therapistId)
		.where('f.acknowledged_at', 'is', null)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

export interface Acknowledgement {
	action: SafetyAction;
	/** A short note on what was done; empty for none. Sealed like session notes, never in the audit log. */
	note: string;
}

/**
 * The couple's therapist acknowledges a flag, saying what she did; the note is sealed with the flag's
 * id, and the acknowledgement (without the note) lands in the audit log. False for a flag that is not
 * on one of her couples.
 */
export async function acknowledge(
	db: Kysely<Database>,
	therapistId: string,
	flagId: string,
	ack: Acknowledgement,
	ip: string | null = null,
	keyring: Keyring = appKeyring()
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
		// A second acknowledgement (a form sent twice) changes nothing and is not audited again.
		if (flag.acknowledged_at) return true;
		await trx
			.updateTable('safety_flags')
			.set({
				acknowledged_by: therapistId,
				acknowledged_at: new Date(),
				acknowledged_action: ack.action
			})
			.where('id', '=', flagId)
			.execute();
		const note = ack.note.trim();
		if (note) {
			await trx
				.insertInto('safety_ack_notes')
				.values({ id: flagId, ...sealColumns(keyring, flagId, note) })
				.execute();
		}
		await audit.record(trx, {
			actorId: therapistId,
			action: 'safety_flag.acknowledge',
			targetType: 'safety_flag',
			targetId: flagId,
			coupleId: flag.couple_id,
			ip,
			detail: {
				assignmentId: flag.assignment_id,
				itemId: flag.item_id,
				action: ack.action,
				hasNote: note !== ''
			}
		});
		return true;
	});
}

export interface AcknowledgedFlag {
	id: string;
	raisedAt: Date;
	acknowledgedAt: Date;
	coupleId: string;
	coupleLabel: string;
	partnerName: string;
	itemPrompt: string;
	action: SafetyAction | null;
	note: string | null;
}

/** The therapist's most recently acknowledged flags, with what she did and her note (opened). */
export async function acknowledgedFlags(
	db: Kysely<Database>,
	therapistId: string,
	limit = 10,
	keyring: Keyring = appKeyring()
): Promise<AcknowledgedFlag[]> {
	const rows = await flagsOf(db, therapistId)
		.leftJoin('safety_ack_notes as n', 'n.id', 'f.id')
		.select([
			'f.id',
			'f.raised_at',
			'f.acknowledged_at',
			'f.acknowledged_action',
			'f.couple_id',
			'f.item_id',
			'c.label',
			'm.display_name',
			'd.definition',
			'n.key_id',
			'n.nonce',
			'n.ciphertext'
		])
		.where('f.acknowledged_at', 'is not', null)
		.orderBy('f.acknowledged_at', 'desc')
		.limit(limit)
		.execute();
	return rows.map((row) => {
		const definition = row.definition as StoredDefinition;
		const item = itemById(definition, row.item_id);
		const note =
			row.key_id && row.nonce && row.ciphertext
				? openColumns(keyring, row.id, {
						key_id: row.key_id,
						nonce: row.nonce,
						ciphertext: row.ciphertext
					})
				: null;
		return {
			id: row.id,
			raisedAt: row.raised_at,
			acknowledgedAt: row.acknowledged_at!,
			coupleId: row.couple_id,
			coupleLabel: row.label,
			partnerName: row.display_name,
			itemPrompt: item?.prompt ?? row.item_id,
			action: row.acknowledged_action,
			note
		};
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
	return (await columnOf(db, 'users', 'safety_contact_email', therapistId)) ?? null;
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
