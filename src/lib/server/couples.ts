// Couples and who belongs to them; the single place that answers "may this person see this couple?".
import type { Kysely, Updateable } from 'kysely';
import type { CouplesTable, Database, PartnerRole } from './db/schema';
import { columnOf } from './db/column';
import type { SessionUser } from './auth/session';
import { isId } from '$lib/input';
import * as audit from './audit';
import * as schedules from './schedules';

/** Ids of the couples a user may enter: a therapist's own, a partner's memberships. */
export async function idsFor(db: Kysely<Database>, user: Pick<SessionUser, 'id' | 'role'>) {
	const rows =
		user.role === 'therapist'
			? await db
					.selectFrom('couples')
					.select('id as couple_id')
					.where('therapist_id', '=', user.id)
					.execute()
			: await db
					.selectFrom('couple_members')
					.select('couple_id')
					.where('user_id', '=', user.id)
					.execute();
	return rows.map((r) => r.couple_id);
}

/** A partner's couples that are not archived, with each one's therapist: what /c and /c/progress list. */
export async function activeForPartner(db: Kysely<Database>, partnerId: string) {
	return db
		.selectFrom('couple_members as me')
		.innerJoin('couples', 'couples.id', 'me.couple_id')
		.innerJoin('users as therapist', 'therapist.id', 'couples.therapist_id')
		.select(['couples.id', 'couples.label', 'therapist.display_name as therapistName'])
		.where('me.user_id', '=', partnerId)
		.where('couples.archived_at', 'is', null)
		.orderBy('couples.created_at')
		.execute();
}

/** True when the couple is this therapist's own (notes, exports and every therapist page ask this). */
export async function isTherapistOf(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string
): Promise<boolean> {
	if (!isId(coupleId)) return false;
	const row = await db
		.selectFrom('couples')
		.select('id')
		.where('id', '=', coupleId)
		.where('therapist_id', '=', therapistId)
		.executeTakeFirst();
	return !!row;
}

/**
 * The therapist's own couple when new work may still be given to it (not archived): what the assign
 * page and `assignments.assignable` ask. Null otherwise, which the pages answer with a 404.
 */
export async function openForTherapist(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string
) {
	if (!isId(coupleId)) return null;
	const row = await db
		.selectFrom('couples')
		.select(['id', 'label'])
		.where('id', '=', coupleId)
		.where('therapist_id', '=', therapistId)
		// An archived couple's record is read-only: nothing new is assigned to it.
		.where('archived_at', 'is', null)
		.executeTakeFirst();
	return row ?? null;
}

/** The therapist's couples that can be given work, by label: the choices of an "assign to" menu. */
export function openChoices(db: Kysely<Database>, therapistId: string) {
	return db
		.selectFrom('couples')
		.select(['id', 'label', 'roles_apply'])
		.where('therapist_id', '=', therapistId)
		.where('archived_at', 'is', null)
		.orderBy('label')
		.execute();
}

/** The partners of the given couples, first partner first: who is in each couple, by id. */
export async function membersOf(db: Kysely<Database>, coupleIds: string[]) {
	if (coupleIds.length === 0) return [];
	return db
		.selectFrom('couple_members')
		.select(['couple_id', 'user_id', 'display_name'])
		.where('couple_id', 'in', coupleIds)
		.orderBy('slot')
		.execute();
}

/** The couple's label, for a page that has already checked the therapist may see it. */
export async function labelOf(db: Kysely<Database>, coupleId: string) {
	return (await columnOf(db, 'couples', 'label', coupleId)) ?? null;
}

/** True when the user is the couple's therapist or one of its partners. */
export async function canAccess(
	db: Kysely<Database>,
	user: Pick<SessionUser, 'id' | 'role'>,
	coupleId: string
): Promise<boolean> {
	if (!isId(coupleId)) return false;
	if (user.role === 'therapist') return isTherapistOf(db, user.id, coupleId);
	const row = await db
		.selectFrom('couple_members')
		.select('id')
		.where('couple_id', '=', coupleId)
		.where('user_id', '=', user.id)
		.executeTakeFirst();
	return !!row;
}

export type Slot = 1 | 2;

export interface PartnerInput {
	name: string;
	email: string | null;
	/** The therapist's record of their phone number, shown with a safety flag. */
	phone?: string | null;
}

export interface CoupleInput {
	label: string;
	partners: [PartnerInput, PartnerInput];
	rolesApply: boolean;
	/** Which partner holds the injured role when roles apply; the other is involved. */
	injuredSlot: Slot;
}

function roleFor(input: CoupleInput, slot: Slot): PartnerRole {
	if (!input.rolesApply) return 'none';
	return input.injuredSlot === slot ? 'injured' : 'involved';
}

export async function create(
	db: Kysely<Database>,
	therapistId: string,
	input: CoupleInput,
	ip: string | null = null
): Promise<string> {
	return db.transaction().execute(async (trx) => {
		const couple = await trx
			.insertInto('couples')
			.values({ therapist_id: therapistId, label: input.label, roles_apply: input.rolesApply })
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('couple_members')
			.values(
				([1, 2] as const).map((slot) => ({
					couple_id: couple.id,
					slot,
					display_name: input.partners[slot - 1].name,
					email: input.partners[slot - 1].email,
					phone: input.partners[slot - 1].phone ?? null,
					role: roleFor(input, slot)
				}))
			)
			.execute();
		await audit.record(trx, {
			actorId: therapistId,
			action: 'couple.created',
			targetType: 'couple',
			targetId: couple.id,
			coupleId: couple.id,
			ip
		});
		return couple.id;
	});
}

/** Changes a couple's label, partner names, emails, phones and roles. False when it is not the therapist's. */
export async function update(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	input: CoupleInput,
	ip: string | null = null
): Promise<boolean> {
	if (!isId(coupleId)) return false;
	return db.transaction().execute(async (trx) => {
		const couple = await trx
			.updateTable('couples')
			.set({ label: input.label, roles_apply: input.rolesApply })
			.where('id', '=', coupleId)
			.where('therapist_id', '=', therapistId)
			.returning('id')
			.executeTakeFirst();
		if (!couple) return false;
		for (const slot of [1, 2] as const) {
			await trx
				.updateTable('couple_members')
				.set({
					display_name: input.partners[slot - 1].name,
					email: input.partners[slot - 1].email,
					...(input.partners[slot - 1].phone !== undefined
						? { phone: input.partners[slot - 1].phone }
						: {}),
					role: roleFor(input, slot)
				})
				.where('couple_id', '=', coupleId)
				.where('slot', '=', slot)
				.execute();
		}
		await audit.record(trx, {
			actorId: therapistId,
			action: 'couple.updated',
			targetType: 'couple',
			targetId: coupleId,
			coupleId,
			ip
		});
		return true;
	});
}

/**
 * Sets columns of one of the therapist's couples and audits it in one transaction, with any further
 * writes the change needs; false (and nothing written) when the couple is not hers.
 */
async function changeOwnCouple(
	db: Kysely<Database>,
	change: {
		therapistId: string;
		coupleId: string;
		values: Updateable<CouplesTable>;
		action: string;
		ip: string | null;
		alongside?: (trx: Kysely<Database>) => Promise<void>;
	}
): Promise<boolean> {
	const { therapistId, coupleId } = change;
	if (!isId(coupleId)) return false;
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.updateTable('couples')
			.set(change.values)
			.where('id', '=', coupleId)
			.where('therapist_id', '=', therapistId)
			.returning('id')
			.executeTakeFirst();
		if (!row) return false;
		await change.alongside?.(trx);
		await audit.record(trx, {
			actorId: therapistId,
			action: change.action,
			targetType: 'couple',
			targetId: coupleId,
			coupleId,
			ip: change.ip
		});
		return true;
	});
}

/** Archives or restores a couple; nothing is ever deleted. False when it is not the therapist's. */
export function setArchived(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	archived: boolean,
	ip: string | null = null
): Promise<boolean> {
	return changeOwnCouple(db, {
		therapistId,
		coupleId,
		values: { archived_at: archived ? new Date() : null },
		action: archived ? 'couple.archived' : 'couple.restored',
		ip,
		// An archived couple cannot be joined: outstanding invites stop working, and its schedules pause.
		alongside: async (trx) => {
			if (!archived) return;
			await schedules.pauseForCouple(trx, coupleId);
			await trx
				.updateTable('invites')
				.set({ revoked_at: new Date() })
				.where('used_at', 'is', null)
				.where('revoked_at', 'is', null)
				.where('member_id', 'in', (eb) =>
					eb.selectFrom('couple_members').select('id').where('couple_id', '=', coupleId)
				)
				.execute();
		}
	});
}

/** A couple's on-off switches, each with the audit actions of turning it on and off. */
const SWITCHES = {
	/** The partners' progress page. */
	progress_visible: { on: 'couple.progress-shown', off: 'couple.progress-hidden' },
	/** The scheduler's reminders (schedules.ts). */
	auto_reminders: { on: 'couple.reminders-on', off: 'couple.reminders-off' }
} as const;

/** Turns one of a couple's switches on or off, audited. False when it is not the therapist's couple. */
export function setSwitch(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	name: keyof typeof SWITCHES,
	isOn: boolean,
	ip: string | null = null
): Promise<boolean> {
	return changeOwnCouple(db, {
		therapistId,
		coupleId,
		values: { [name]: isOn },
		action: SWITCHES[name][isOn ? 'on' : 'off'],
		ip
	});
}

/** Turns the partners' progress page on or off for a couple. False when it is not the therapist's. */
export function setProgressVisible(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	isVisible: boolean,
	ip: string | null = null
): Promise<boolean> {
	return setSwitch(db, therapistId, coupleId, 'progress_visible', isVisible, ip);
}

export type CoupleFilter = 'active' | 'archived' | 'all';

export interface CoupleSummary {
	id: string;
	label: string;
	archived: boolean;
	partners: { userId: string | null; name: string; joined: boolean }[];
}

/** A therapist's couples, filtered by archive state and by a search over the label and partner names. */
export async function listForTherapist(
	db: Kysely<Database>,
	therapistId: string,
	options: { search?: string; show?: CoupleFilter } = {}
): Promise<CoupleSummary[]> {
	const show = options.show ?? 'active';
	let query = db
		.selectFrom('couples')
		.leftJoin('couple_members', 'couple_members.couple_id', 'couples.id')
		.select([
			'couples.id',
			'couples.label',
			'couples.archived_at',
			'couple_members.display_name',
			'couple_members.user_id',
			'couple_members.slot'
		])
		.where('couples.therapist_id', '=', therapistId);
	if (show === 'active') query = query.where('couples.archived_at', 'is', null);
	if (show === 'archived') query = query.where('couples.archived_at', 'is not', null);
	const search = options.search?.trim().toLowerCase();
	if (search) {
		const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
		query = query.where((eb) =>
			eb.exists(
				eb
					.selectFrom('couple_members as m')
					.select('m.id')
					.whereRef('m.couple_id', '=', 'couples.id')
					.where((inner) =>
						inner.or([
							inner(inner.fn('lower', ['m.display_name']), 'like', pattern),
							inner(inner.fn('lower', ['couples.label']), 'like', pattern)
						])
					)
			)
		);
	}
	const rows = await query.orderBy('couples.label').orderBy('couple_members.slot').execute();
	const couples = new Map<string, CoupleSummary>();
	for (const row of rows) {
		const couple = couples.get(row.id) ?? {
			id: row.id,
			label: row.label,
			archived: row.archived_at !== null,
			partners: []
		};
		if (row.display_name) {
			couple.partners.push({
				userId: row.user_id,
				name: row.display_name,
				joined: row.user_id !== null
			});
		}
		couples.set(row.id, couple);
	}
	return [...couples.values()];
}

export type InviteState =
	| { kind: 'joined'; joinedAt: Date | null }
	| { kind: 'invited'; expiresAt: Date; sentAt: Date }
	| { kind: 'expired'; expiresAt: Date }
	| { kind: 'revoked'; revokedAt: Date }
	| { kind: 'not-invited' };

export interface MemberDetail {
	id: string;
	slot: Slot;
	name: string;
	email: string | null;
	phone: string | null;
	role: PartnerRole;
	userId: string | null;
	invite: InviteState;
}

export interface CoupleDetail {
	id: string;
	label: string;
	rolesApply: boolean;
	archivedAt: Date | null;
	createdAt: Date;
	members: MemberDetail[];
}

/** One couple with its partners and where each stands with their invite, or null when not the therapist's. */
export async function getForTherapist(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string
): Promise<CoupleDetail | null> {
	if (!isId(coupleId)) return null;
	const couple = await db
		.selectFrom('couples')
		.select(['id', 'label', 'roles_apply', 'archived_at', 'created_at'])
		.where('id', '=', coupleId)
		.where('therapist_id', '=', therapistId)
		.executeTakeFirst();
	if (!couple) return null;
	const members = await db
		.selectFrom('couple_members')
		.selectAll()
		.where('couple_id', '=', coupleId)
		.orderBy('slot')
		.execute();
	const invites = await db
		.selectFrom('invites')
		.select(['member_id', 'created_at', 'expires_at', 'used_at', 'revoked_at'])
		.where(
			'member_id',
			'in',
			members.map((m) => m.id)
		)
		.orderBy('created_at', 'desc')
		.execute();
	const now = Date.now();
	return {
		id: couple.id,
		label: couple.label,
		rolesApply: couple.roles_apply,
		archivedAt: couple.archived_at,
		createdAt: couple.created_at,
		members: members.map((m) => {
			const latest = invites.find((i) => i.member_id === m.id);
			let invite: InviteState;
			if (m.user_id) invite = { kind: 'joined', joinedAt: m.joined_at };
			else if (!latest) invite = { kind: 'not-invited' };
			else if (latest.revoked_at) invite = { kind: 'revoked', revokedAt: latest.revoked_at };
			else if (latest.expires_at.getTime() <= now)
				invite = { kind: 'expired', expiresAt: latest.expires_at };
			else invite = { kind: 'invited', expiresAt: latest.expires_at, sentAt: latest.created_at };
			return {
				id: m.id,
				slot: m.slot,
				name: m.display_name,
				email: m.email,
				phone: m.phone,
				role: m.role,
				userId: m.user_id,
				invite
			};
		})
	};
}
