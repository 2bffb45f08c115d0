// Partner invites: a random single-use token (only its SHA-256 stored) that expires in 7 days,
// issued, revoked and re-issued by the couple's therapist, and accepted by the partner.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import * as audit from '../audit';
import { isUniqueViolation } from './sign-up';
import { checkPassword, hashPassword } from './password';
import { isId } from '$lib/input';
import type { Slot } from '../couples';
import * as outbox from '../outbox';
import { inviteEmail } from '../email';
import * as timeZones from './time-zone';
import { generateLinkToken, hashToken, isLinkToken } from './token';

export const INVITE_TTL_MS = 7 * 24 * 60 * 60_000;

/** What `invites.token_hash` holds for a link's token. */
export const hashInviteToken = hashToken;

export type IssueResult =
	| {
			ok: true;
			token: string;
			expiresAt: Date;
			member: { name: string; email: string | null };
			/** The invite email in the outbox, when the partner has an address and email is set up. */
			emailId: string | null;
	  }
	| { ok: false; reason: 'not-found' | 'joined' | 'archived' };

/** Makes a new link for one partner of the therapist's couple; any earlier link for them stops working. */
export async function issue(
	db: Kysely<Database>,
	input: {
		therapistId: string;
		coupleId: string;
		slot: Slot;
		ip?: string | null;
		/** To email the link too: queued in the outbox in the same transaction as the invite. */
		email?: { therapistName: string; linkFor: (token: string) => string };
	}
): Promise<IssueResult> {
	if (!isId(input.coupleId)) return { ok: false, reason: 'not-found' };
	return db.transaction().execute(async (trx) => {
		const member = await trx
			.selectFrom('couple_members')
			.innerJoin('couples', 'couples.id', 'couple_members.couple_id')
			.select([
				'couple_members.id',
				'couple_members.user_id',
				'couple_members.display_name',
				'couple_members.email',
				'couples.archived_at'
			])
			.where('couples.id', '=', input.coupleId)
			.where('couples.therapist_id', '=', input.therapistId)
			.where('couple_members.slot', '=', input.slot)
			.forUpdate()
			.executeTakeFirst();
		if (!member) return { ok: false as const, reason: 'not-found' as const };
		if (member.archived_at) return { ok: false as const, reason: 'archived' as const };
		if (member.user_id) return { ok: false as const, reason: 'joined' as const };

		const now = new Date();
		await trx
			.updateTable('invites')
			.set({ revoked_at: now })
			.where('member_id', '=', member.id)
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.execute();
		const token = generateLinkToken();
		const expiresAt = new Date(now.getTime() + INVITE_TTL_MS);
		const invite = await trx
			.insertInto('invites')
			.values({
				member_id: member.id,
				token_hash: hashInviteToken(token),
				created_at: now,
				expires_at: expiresAt
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await audit.record(trx, {
			actorId: input.therapistId,
			action: 'invite.issued',
			targetType: 'invite',
			targetId: invite.id,
			coupleId: input.coupleId,
			ip: input.ip ?? null,
			detail: { slot: input.slot }
		});
		const emailId =
			input.email && member.email
				? await outbox.enqueue(trx, {
						kind: 'invite',
						to: member.email,
						...inviteEmail({
							partnerName: member.display_name,
							therapistName: input.email.therapistName,
							link: input.email.linkFor(token),
							expiresAt,
							timeZone: await timeZones.zoneOf(trx, input.therapistId)
						})
					})
				: null;
		return {
			ok: true as const,
			token,
			expiresAt,
			member: { name: member.display_name, email: member.email },
			emailId
		};
	});
}

/** Stops a partner's outstanding link. Returns false when the couple is not the therapist's. */
export async function revoke(
	db: Kysely<Database>,
	input: { therapistId: string; coupleId: string; slot: Slot; ip?: string | null }
): Promise<boolean> {
	if (!isId(input.coupleId)) return false;
	return db.transaction().execute(async (trx) => {
		const member = await trx
			.selectFrom('couple_members')
			.innerJoin('couples', 'couples.id', 'couple_members.couple_id')
			.select('couple_members.id')
			.where('couples.id', '=', input.coupleId)
			.where('couples.therapist_id', '=', input.therapistId)
			.where('couple_members.slot', '=', input.slot)
			.executeTakeFirst();
		if (!member) return false;
		const revoked = await trx
			.updateTable('invites')
			.set({ revoked_at: new Date() })
			.where('member_id', '=', member.id)
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.returning('id')
			.execute();
		if (revoked.length) {
			await audit.record(trx, {
				actorId: input.therapistId,
				action: 'invite.revoked',
				targetType: 'invite',
				targetId: revoked[0].id,
				coupleId: input.coupleId,
				ip: input.ip ?? null,
				detail: { slot: input.slot }
			});
		}
		return true;
	});
}

export type InviteStatus = 'valid' | 'expired' | 'revoked' | 'used' | 'joined' | 'unknown';

export interface InviteView {
	status: InviteStatus;
	inviteId: string | null;
	memberId: string | null;
	coupleId: string | null;
	therapistName: string | null;
	partnerName: string | null;
	email: string | null;
}

const UNKNOWN: InviteView = {
	status: 'unknown',
	inviteId: null,
	memberId: null,
	coupleId: null,
	therapistName: null,
	partnerName: null,
	email: null
};

/** What an invite link leads to, and whether it can still be used. */
export async function lookup(db: Kysely<Database>, token: string): Promise<InviteView> {
	if (!isLinkToken(token)) return UNKNOWN;
	const row = await db
		.selectFrom('invites')
		.innerJoin('couple_members', 'couple_members.id', 'invites.member_id')
		.innerJoin('couples', 'couples.id', 'couple_members.couple_id')
		.innerJoin('users as therapist', 'therapist.id', 'couples.therapist_id')
		.select([
			'invites.id',
			'invites.expires_at',
			'invites.used_at',
			'invites.revoked_at',
			'couple_members.id as member_id',
			'couple_members.user_id',
			'couple_members.display_name',
			'couple_members.email',
			'couples.id as couple_id',
			'couples.archived_at',
			'therapist.display_name as therapist_name'
		])
		.where('invites.token_hash', '=', hashInviteToken(token))
		.executeTakeFirst();
	if (!row) return UNKNOWN;
	let status: InviteStatus = 'valid';
	if (row.used_at) status = 'used';
	else if (row.revoked_at || row.archived_at) status = 'revoked';
	else if (row.user_id) status = 'joined';
	else if (row.expires_at.getTime() <= Date.now()) status = 'expired';
	return {
		status,
		inviteId: row.id,
		memberId: row.member_id,
		coupleId: row.couple_id,
		therapistName: row.therapist_name,
		partnerName: row.display_name,
		email: row.email
	};
}

/** Whether someone already signs in with this address (accepting then checks their password). */
export async function hasAccount(db: Kysely<Database>, email: string): Promise<boolean> {
	const row = await db
		.selectFrom('users')
		.select('id')
		.where('email', '=', email)
		.executeTakeFirst();
	return !!row;
}

export type AcceptResult =
	| { ok: true; user: { id: string; role: 'partner' }; coupleId: string }
	| {
			ok: false;
			reason: 'invite' | 'therapist-email' | 'wrong-password' | 'already-member';
			status: InviteStatus;
	  }
	| { ok: false; reason: 'limited'; status: InviteStatus; retryAfterSeconds: number };

/**
 * Joins the invited partner to the couple: a new partner account with the chosen password, or an
 * existing partner account (the same person in another couple) proven by its password, checked
 * under the account's sign-in failure limit like any other password.
 * The invite is consumed in the same transaction, so a link works exactly once.
 */
export async function accept(
	db: Kysely<Database>,
	input: { token: string; email: string; password: string; ip?: string | null }
): Promise<AcceptResult> {
	const view = await lookup(db, input.token);
	if (view.status !== 'valid' || !view.inviteId || !view.memberId || !view.coupleId) {
		return { ok: false, reason: 'invite', status: view.status };
	}
	const existing = await db
		.selectFrom('users')
		.select(['id', 'role'])
		.where('email', '=', input.email)
		.executeTakeFirst();
	if (existing && existing.role !== 'partner') {
		return { ok: false, reason: 'therapist-email', status: 'valid' };
	}
	if (existing) {
		const check = await checkPassword(db, { ...input, via: 'invite' });
		if (!check.ok && check.reason === 'limited') {
			const { retryAfterSeconds } = check;
			return { ok: false, reason: 'limited', status: 'valid', retryAfterSeconds };
		}
		if (!check.ok) return { ok: false, reason: 'wrong-password', status: 'valid' };
	}
	const passwordHash = existing ? null : await hashPassword(input.password);
	const { inviteId, memberId, coupleId } = view;

	try {
		return await db.transaction().execute(async (trx): Promise<AcceptResult> => {
			const consumed = await trx
				.updateTable('invites')
				.set({ used_at: new Date() })
				.where('id', '=', inviteId)
				.where('used_at', 'is', null)
				.where('revoked_at', 'is', null)
				.where('expires_at', '>', new Date())
				.returning('id')
				.executeTakeFirst();
			if (!consumed) return { ok: false, reason: 'invite', status: 'used' };

			const userId =
				existing?.id ??
				(
					await trx
						.insertInto('users')
						.values({
							email: input.email,
							password_hash: passwordHash,
							role: 'partner',
							display_name: view.partnerName ?? input.email
						})
						.returning('id')
						.executeTakeFirstOrThrow()
				).id;

			const already = await trx
				.selectFrom('couple_members')
				.select('id')
				.where('couple_id', '=', coupleId)
				.where('user_id', '=', userId)
				.executeTakeFirst();
			if (already) {
				// Roll back the consumption too: the link stays usable by the other partner.
				throw new AlreadyMember();
			}
			const joined = await trx
				.updateTable('couple_members')
				.set({ user_id: userId, joined_at: new Date() })
				.where('id', '=', memberId)
				.where('user_id', 'is', null)
				.returning('id')
				.executeTakeFirst();
			if (!joined) return { ok: false, reason: 'invite', status: 'joined' };
			await audit.record(trx, {
				actorId: userId,
				action: 'invite.accepted',
				targetType: 'invite',
				targetId: inviteId,
				coupleId,
				ip: input.ip ?? null,
				detail: { newAccount: !existing }
			});
			return { ok: true, user: { id: userId, role: 'partner' }, coupleId };
		});
	} catch (error) {
		if (error instanceof AlreadyMember) {
			return { ok: false, reason: 'already-member', status: 'valid' };
		}
		// Someone created an account with this email a moment ago: ask them to try again.
		if (isUniqueViolation(error)) return { ok: false, reason: 'wrong-password', status: 'valid' };
		throw error;
	}
}

class AlreadyMember extends Error {}
