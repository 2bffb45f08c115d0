// What a person changes on their own account page: name, email and password (both behind the current
// password, checked by checkPassword under the account's failure limit), and ending sessions. Each
// change is audited; a changed password or email is told to the old address when email is set up.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import * as audit from '../audit';
import { emailChangedEmail, passwordChangedEmail } from '../email';
import * as outbox from '../outbox';
import { checkPassword, hashPassword } from './password';
import { describeWait } from './rate-limit';
import { invalidateOtherSessions, invalidateUserSessions, listUserSessions } from './session';
import { EMAIL_TAKEN, isUniqueViolation } from './sign-up';
import { describeDevice } from './devices';

export type AccountResult<T = object> =
	| ({ ok: true; emailId?: string | null } & T)
	| { ok: false; status: 400 | 429; field: string; message: string };

export const WRONG_PASSWORD = 'That is not your current password.';

interface Who {
	userId: string;
	/** The address the account has now (checkPassword looks the account up by it). */
	email: string;
	ip: string | null;
}

/** The current password, re-entered: null when right, else the refusal for the given field. */
async function confirm(
	db: Kysely<Database>,
	who: Who,
	password: string,
	field: string
): Promise<Extract<AccountResult, { ok: false }> | null> {
	const check = await checkPassword(db, { email: who.email, password, ip: who.ip, via: 'account' });
	if (check.ok && check.user.id === who.userId) return null;
	if (!check.ok && check.reason === 'limited') {
		return {
			ok: false,
			status: 429,
			field,
			message: `Too many wrong passwords. Try again ${describeWait(check.retryAfterSeconds)}.`
		};
	}
	return { ok: false, status: 400, field, message: WRONG_PASSWORD };
}

/**
 * A person's name is theirs: a partner's new name also replaces the one their therapist entered in
 * each couple they belong to (what the couple's pages and rooms show), audited in each couple's trail.
 */
export async function changeName(db: Kysely<Database>, who: Who, name: string) {
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({ display_name: name })
			.where('id', '=', who.userId)
			.execute();
		const memberships = await trx
			.updateTable('couple_members')
			.set({ display_name: name })
			.where('user_id', '=', who.userId)
			.returning('couple_id')
			.execute();
		if (memberships.length === 0) {
			await audit.record(trx, { actorId: who.userId, action: 'account.name-changed', ip: who.ip });
		}
		for (const { couple_id } of memberships) {
			await audit.record(trx, {
				actorId: who.userId,
				action: 'account.name-changed',
				coupleId: couple_id,
				ip: who.ip
			});
		}
	});
}

export async function changeEmail(
	db: Kysely<Database>,
	who: Who,
	input: { email: string; password: string; name: string }
): Promise<AccountResult> {
	if (input.email === who.email) return { ok: true, emailId: null };
	const refused = await confirm(db, who, input.password, 'emailPassword');
	if (refused) return refused;
	try {
		const emailId = await db.transaction().execute(async (trx) => {
			await trx
				.updateTable('users')
				.set({ email: input.email })
				.where('id', '=', who.userId)
				.execute();
			// The couple pages show the address a partner signs in with, not the one first typed in.
			await trx
				.updateTable('couple_members')
				.set({ email: input.email })
				.where('user_id', '=', who.userId)
				.execute();
			await audit.record(trx, { actorId: who.userId, action: 'account.email-changed', ip: who.ip });
			// The old address hears of it, so a change its owner did not make is noticed.
			return outbox.enqueue(trx, {
				kind: 'email-changed',
				to: who.email,
				...emailChangedEmail({ name: input.name, newEmail: input.email })
			});
		});
		return { ok: true, emailId };
	} catch (error) {
		if (isUniqueViolation(error)) {
			return { ok: false, status: 400, field: 'email', message: EMAIL_TAKEN };
		}
		throw error;
	}
}

/** A new password; every other session ends (the caller closes their sockets), this one stays. */
export async function changePassword(
	db: Kysely<Database>,
	who: Who & { sessionId: string; name: string; origin: string },
	input: { currentPassword: string; newPassword: string }
): Promise<AccountResult<{ endedSessionIds: string[] }>> {
	const refused = await confirm(db, who, input.currentPassword, 'currentPassword');
	if (refused) return refused;
	const passwordHash = await hashPassword(input.newPassword);
	return db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({ password_hash: passwordHash })
			.where('id', '=', who.userId)
			.execute();
		const endedSessionIds = await invalidateOtherSessions(trx, who.userId, who.sessionId);
		await audit.record(trx, {
			actorId: who.userId,
			action: 'account.password-changed',
			ip: who.ip,
			detail: { sessions: endedSessionIds.length }
		});
		const emailId = await outbox.enqueue(trx, {
			kind: 'password-changed',
			to: who.email,
			...passwordChangedEmail({ name: who.name, origin: who.origin })
		});
		return { ok: true as const, endedSessionIds, emailId };
	});
}

/** The zone every date is shown in for this person (`$lib/dates`); the caller checked it is one. */
export async function setTimeZone(db: Kysely<Database>, who: Who, timeZone: string) {
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({ time_zone: timeZone })
			.where('id', '=', who.userId)
			.execute();
		await audit.record(trx, {
			actorId: who.userId,
			action: 'account.time-zone-changed',
			ip: who.ip
		});
	});
}

/** Password re-entry on its own (before replacing the authenticator). */
export async function reauthenticate(db: Kysely<Database>, who: Who, password: string) {
	return confirm(db, who, password, 'password');
}

/** Ends every session of the account (this one too) or every other one; returns the ended ids. */
export async function signOut(
	db: Kysely<Database>,
	who: Who & { sessionId: string },
	scope: 'everywhere' | 'others'
): Promise<string[]> {
	return db.transaction().execute(async (trx) => {
		const ended =
			scope === 'everywhere'
				? await invalidateUserSessions(trx, who.userId)
				: await invalidateOtherSessions(trx, who.userId, who.sessionId);
		await audit.record(trx, {
			actorId: who.userId,
			action: scope === 'everywhere' ? 'auth.sign-out-everywhere' : 'auth.sign-out-others',
			ip: who.ip,
			detail: { sessions: ended.length }
		});
		return ended;
	});
}

/** The account's live sessions for its page, newest activity first (ids stay on the server). */
export async function sessionsFor(db: Kysely<Database>, userId: string, currentId: string) {
	const sessions = await listUserSessions(db, userId);
	return sessions.map((s) => ({
		// A key for the page's list that is not the session's id (which only the server needs).
		key: encodeHexLowerCase(sha256(new TextEncoder().encode(`list:${s.id}`))).slice(0, 16),
		current: s.id === currentId,
		createdAt: s.created_at,
		lastSeenAt: s.last_seen_at,
		sharedDevice: s.shared_device,
		device: describeDevice(s.user_agent)
	}));
}
