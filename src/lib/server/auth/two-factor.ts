// The second factor: checks a TOTP code for a signed-in therapist, with a lockout after five wrong codes.
import type { Kysely } from 'kysely';
import type { Database, Session } from '../db/schema';
import * as audit from '../audit';
import * as rateLimit from './rate-limit';
import type { SessionUser } from './session';
import { markTwoFactorVerified } from './session';
import { verifyTotpCode } from './totp';

export type TwoFactorResult = { ok: true } | { ok: false; status: 400 | 429; message: string };

export async function verifySecondFactor(
	db: Kysely<Database>,
	input: { user: SessionUser; session: Session; code: string; ip: string }
): Promise<TwoFactorResult> {
	// Keyed by account, so a new session cannot reset the count.
	const key = `totp:${input.user.id}`;
	const state = await rateLimit.check(db, key, rateLimit.limits.totpPerSession);
	if (state.limited) {
		return {
			ok: false,
			status: 429,
			message: `Too many wrong codes. Try again ${rateLimit.describeWait(state.retryAfterSeconds)}.`
		};
	}
	const row = await db
		.selectFrom('users')
		.select('totp_key')
		.where('id', '=', input.user.id)
		.executeTakeFirst();
	if (!row?.totp_key || !verifyTotpCode(row.totp_key, input.code)) {
		await rateLimit.hit(db, key, rateLimit.limits.totpPerSession);
		await audit.record(db, { actorId: input.user.id, action: 'auth.totp.failed', ip: input.ip });
		return {
			ok: false,
			status: 400,
			message: 'That code is not right. Check the time on your phone and try again.'
		};
	}
	await rateLimit.reset(db, key);
	await markTwoFactorVerified(db, input.session.id);
	await audit.record(db, { actorId: input.user.id, action: 'auth.totp.verified', ip: input.ip });
	return { ok: true };
}
