// Password reset: a random single-use link (only its SHA-256 stored) that works for 30 minutes, asked
// for by email on the sign-in page or issued to a partner by the couple's therapist. Using it sets the
// new password, ends every session of the account and leaves the second factor as it is: a therapist
// still needs her authenticator to sign in afterwards.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import * as audit from '../audit';
import { isEmailConfigured, passwordChangedEmail, passwordResetEmail } from '../email';
import * as outbox from '../outbox';
import { isId } from '$lib/input';
import type { Slot } from '../couples';
import { hashPassword } from './password';
import * as rateLimit from './rate-limit';
import { invalidateUserSessions } from './session';
import { generateLinkToken, hashToken, isLinkToken } from './token';

export const RESET_TTL_MS = 30 * 60_000;

/** What `password_resets.token_hash` holds for a link's token. */
export const hashResetToken = hashToken;

export type RequestResult =
	| { ok: true; emailId: string | null }
	| { ok: false; reason: 'not-configured' }
	| { ok: false; reason: 'limited'; retryAfterSeconds: number };

/**
 * "Forgot your password?": emails a link when the address belongs to an account. The answer is the
 * same whether or not it does (the caller shows one sentence for both); only the per-address limit,
 * which counts unknown addresses too, and the per-client-address limit refuse, and the first of those
 * silently (no email, the same answer), so nobody can fill someone's inbox or learn anything.
 */
export async function request(
	db: Kysely<Database>,
	input: { email: string; ip: string | null; linkFor: (token: string) => string; now?: Date }
): Promise<RequestResult> {
	if (!isEmailConfigured()) return { ok: false, reason: 'not-configured' };
	const ipState = await rateLimit.hit(
		db,
		`reset:ip:${input.ip ?? 'unknown'}`,
		rateLimit.limits.resetPerIp
	);
	if (ipState.limited) return { ok: false, reason: 'limited', ...ipState };
	const emailState = await rateLimit.hit(
		db,
		`reset:email:${input.email}`,
		rateLimit.limits.resetPerEmail
	);
	if (emailState.limited) return { ok: true, emailId: null };

	const user = await db
		.selectFrom('users')
		.select(['id', 'display_name', 'email'])
		.where('email', '=', input.email)
		.executeTakeFirst();
	if (!user) return { ok: true, emailId: null };
	const now = input.now ?? new Date();
	return db.transaction().execute(async (trx) => {
		const token = generateLinkToken();
		const reset = await trx
			.insertInto('password_resets')
			.values({
				user_id: user.id,
				token_hash: hashResetToken(token),
				created_at: now,
				expires_at: new Date(now.getTime() + RESET_TTL_MS)
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const emailId = await outbox.enqueue(trx, {
			kind: 'password-reset',
			to: user.email,
			...passwordResetEmail({ name: user.display_name, link: input.linkFor(token) })
		});
		await audit.record(trx, {
			actorId: user.id,
			action: 'auth.password-reset.requested',
			targetType: 'password-reset',
			targetId: reset.id,
			ip: input.ip
		});
		return { ok: true as const, emailId };
	});
}

export type IssueResult =
	| { ok: true; token: string; expiresAt: Date; name: string }
	| { ok: false; reason: 'not-found' | 'not-joined' | 'archived' };

/**
 * A therapist makes a reset link for a partner of one of her couples who has joined (for a server
 * without email, or a partner who cannot reach theirs). She is shown it once, to pass on.
 */
export async function issueForPartner(
	db: Kysely<Database>,
	input: { therapistId: string; coupleId: string; slot: Slot; ip: string | null; now?: Date }
): Promise<IssueResult> {
	if (!isId(input.coupleId)) return { ok: false, reason: 'not-found' };
	const member = await db
		.selectFrom('couple_members')
		.innerJoin('couples', 'couples.id', 'couple_members.couple_id')
		.leftJoin('users', 'users.id', 'couple_members.user_id')
		.select(['couple_members.user_id', 'couples.archived_at', 'users.display_name'])
		.where('couples.id', '=', input.coupleId)
		.where('couples.therapist_id', '=', input.therapistId)
		.where('couple_members.slot', '=', input.slot)
		.executeTakeFirst();
	if (!member) return { ok: false, reason: 'not-found' };
	if (member.archived_at) return { ok: false, reason: 'archived' };
	const userId = member.user_id;
	if (!userId) return { ok: false, reason: 'not-joined' };
	const now = input.now ?? new Date();
	const expiresAt = new Date(now.getTime() + RESET_TTL_MS);
	const token = generateLinkToken();
	await db.transaction().execute(async (trx) => {
		const reset = await trx
			.insertInto('password_resets')
			.values({
				user_id: userId,
				token_hash: hashResetToken(token),
				created_at: now,
				expires_at: expiresAt,
				issued_by: input.therapistId
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await audit.record(trx, {
			actorId: input.therapistId,
			action: 'auth.password-reset.issued',
			targetType: 'password-reset',
			targetId: reset.id,
			coupleId: input.coupleId,
			ip: input.ip,
			detail: { slot: input.slot }
		});
	});
	return { ok: true, token, expiresAt, name: member.display_name ?? '' };
}

export type ResetStatus = 'valid' | 'expired' | 'used' | 'unknown';

/** Whether a link can still be used (for the page that shows the new-password form). */
export async function lookup(
	db: Kysely<Database>,
	token: string,
	now: Date = new Date()
): Promise<ResetStatus> {
	if (!isLinkToken(token)) return 'unknown';
	const row = await db
		.selectFrom('password_resets')
		.select(['used_at', 'expires_at'])
		.where('token_hash', '=', hashResetToken(token))
		.executeTakeFirst();
	if (!row) return 'unknown';
	if (row.used_at) return 'used';
	return row.expires_at.getTime() <= now.getTime() ? 'expired' : 'valid';
}

export type CompleteResult =
	| { ok: true; role: 'therapist' | 'partner'; endedSessionIds: string[]; emailId: string | null }
	| { ok: false; status: Exclude<ResetStatus, 'valid'> };

/**
 * Sets the new password with the link, in one transaction: the link (and every other outstanding one
 * of the account) is used up in the same statement that checks it, every session of the account ends
 * (the caller closes their sockets), the account's failed sign-ins are forgiven, and the owner is told
 * by email. The authenticator is not touched.
 */
export async function complete(
	db: Kysely<Database>,
	input: { token: string; password: string; ip: string | null; origin: string; now?: Date }
): Promise<CompleteResult> {
	const status = await lookup(db, input.token, input.now);
	if (status !== 'valid') return { ok: false, status };
	const passwordHash = await hashPassword(input.password);
	const now = input.now ?? new Date();
	const result = await db.transaction().execute(async (trx): Promise<CompleteResult | null> => {
		const used = await trx
			.updateTable('password_resets')
			.set({ used_at: now })
			.where('token_hash', '=', hashResetToken(input.token))
			.where('used_at', 'is', null)
			.where('expires_at', '>', now)
			.returning(['id', 'user_id', 'issued_by'])
			.executeTakeFirst();
		if (!used) return null;
		await trx
			.updateTable('password_resets')
			.set({ used_at: now })
			.where('user_id', '=', used.user_id)
			.where('used_at', 'is', null)
			.execute();
		const user = await trx
			.updateTable('users')
			.set({ password_hash: passwordHash })
			.where('id', '=', used.user_id)
			.returning(['email', 'role', 'display_name'])
			.executeTakeFirstOrThrow();
		const endedSessionIds = await invalidateUserSessions(trx, used.user_id);
		await rateLimit.reset(trx, `sign-in:account:${user.email}`);
		await audit.record(trx, {
			actorId: used.user_id,
			action: 'auth.password-reset.completed',
			targetType: 'password-reset',
			targetId: used.id,
			ip: input.ip,
			detail: { sessions: endedSessionIds.length, issuedByTherapist: used.issued_by !== null }
		});
		const emailId = await outbox.enqueue(trx, {
			kind: 'password-changed',
			to: user.email,
			...passwordChangedEmail({ name: user.display_name, origin: input.origin })
		});
		return { ok: true, role: user.role, endedSessionIds, emailId };
	});
	if (result) return result;
	// Used (or expired) a moment ago, between the look and the transaction: say which, as the next look would.
	const now2 = await lookup(db, input.token, input.now);
	return { ok: false, status: now2 === 'valid' ? 'used' : now2 };
}
