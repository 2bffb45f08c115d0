import { describe, expect, it } from 'vitest';
import {
	extendSession,
	invalidateOtherSessions,
	invalidateUserSessions,
	listUserSessions,
	sessionIdFromToken,
	sessionPolicy,
	shortenSession,
	validateSessionToken
} from '$lib/server/auth/session';
import { useTestDatabase } from '../helpers/database';
import { makeUser, signedInSession } from './accounts-support';

const database = useTestDatabase();
const MINUTE = 60_000;

async function age(token: string, by: { lastSeenMs?: number; createdMs?: number }) {
	const id = sessionIdFromToken(token);
	const row = await database.db
		.selectFrom('sessions')
		.select(['created_at', 'last_seen_at', 'expires_at'])
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
	const shift = (date: Date, ms = 0) => new Date(date.getTime() - ms);
	await database.db
		.updateTable('sessions')
		.set({
			created_at: shift(row.created_at, by.createdMs),
			last_seen_at: shift(row.last_seen_at, by.lastSeenMs),
			expires_at: shift(row.expires_at, by.lastSeenMs)
		})
		.where('id', '=', id)
		.execute();
}

describe('therapist sessions', () => {
	it('signs a therapist out after 15 idle minutes, enforced by the server', async () => {
		const therapist = await makeUser(database.db, 't@example.test', 'therapist');
		const { token } = await signedInSession(database.db, therapist, { twoFactorVerified: true });

		await age(token, { lastSeenMs: 14 * MINUTE });
		expect((await validateSessionToken(database.db, token)).session).not.toBeNull();

		await age(token, { lastSeenMs: 16 * MINUTE });
		expect((await validateSessionToken(database.db, token)).session).toBeNull();
		const left = await database.db.selectFrom('sessions').select('id').execute();
		expect(left).toEqual([]);
	});

	it('slides the idle limit on activity, at most up to 12 hours after sign-in', async () => {
		const therapist = await makeUser(database.db, 't@example.test', 'therapist');
		const { token } = await signedInSession(database.db, therapist, { twoFactorVerified: true });
		await age(token, { lastSeenMs: 10 * MINUTE });
		const slid = await validateSessionToken(database.db, token);
		expect(slid.session!.expires_at.getTime()).toBeGreaterThan(Date.now() + 14 * MINUTE);

		// Eleven hours and 55 minutes in, activity can only buy the last five minutes.
		await age(token, { createdMs: 11 * 60 * MINUTE + 55 * MINUTE, lastSeenMs: 2 * MINUTE });
		const late = await validateSessionToken(database.db, token);
		const absoluteEnd = late.session!.created_at.getTime() + sessionPolicy.therapist.absoluteMs;
		expect(late.session!.expires_at.getTime()).toBe(absoluteEnd);
		expect(late.session!.expires_at.getTime()).toBeLessThan(Date.now() + 6 * MINUTE);
	});

	it('"Stay signed in" extends an idle-limited session', async () => {
		const therapist = await makeUser(database.db, 't@example.test', 'therapist');
		const { token, session } = await signedInSession(database.db, therapist);
		await age(token, { lastSeenMs: 13 * MINUTE });
		const expires = await extendSession(database.db, session!, 'therapist');
		expect(expires.getTime()).toBeGreaterThan(Date.now() + 14 * MINUTE);
		await age(token, { lastSeenMs: 5 * MINUTE });
		expect((await validateSessionToken(database.db, token)).session).not.toBeNull();
	});

	it('lists active sessions and signs out of every device or of the others', async () => {
		const therapist = await makeUser(database.db, 't@example.test', 'therapist');
		const a = await signedInSession(database.db, therapist);
		const b = await signedInSession(database.db, therapist);
		const c = await signedInSession(database.db, therapist);
		expect(await listUserSessions(database.db, therapist.id)).toHaveLength(3);

		const others = await invalidateOtherSessions(database.db, therapist.id, a.session!.id);
		expect(others.sort()).toEqual([b.session!.id, c.session!.id].sort());
		expect((await validateSessionToken(database.db, b.token)).session).toBeNull();
		expect((await validateSessionToken(database.db, a.token)).session).not.toBeNull();

		expect(await invalidateUserSessions(database.db, therapist.id)).toEqual([a.session!.id]);
		expect(await listUserSessions(database.db, therapist.id)).toEqual([]);
	});
});

describe('partner sessions', () => {
	it('keeps an ordinary partner signed in for weeks', async () => {
		const partner = await makeUser(database.db, 'p@example.test', 'partner');
		const { token, session } = await signedInSession(database.db, partner);
		expect(session!.expires_at.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 60 * MINUTE);
		await age(token, { lastSeenMs: 3 * 24 * 60 * MINUTE });
		expect((await validateSessionToken(database.db, token)).session).not.toBeNull();
	});

	it('ends a shared-device session after 10 idle minutes', async () => {
		const partner = await makeUser(database.db, 'p@example.test', 'partner');
		const { token } = await signedInSession(database.db, partner, { sharedDevice: true });
		await age(token, { lastSeenMs: 9 * MINUTE });
		expect((await validateSessionToken(database.db, token)).session).not.toBeNull();
		await age(token, { lastSeenMs: 11 * MINUTE });
		expect((await validateSessionToken(database.db, token)).session).toBeNull();
	});

	it('ends a shared-device session soon after its tab closes, unless the tab comes back', async () => {
		const partner = await makeUser(database.db, 'p@example.test', 'partner');
		const { token, session } = await signedInSession(database.db, partner, {
			sharedDevice: true
		});
		await shortenSession(database.db, session!.id, 30_000);
		const short = await validateSessionToken(database.db, token, { touch: false });
		expect(short.session!.expires_at.getTime()).toBeLessThanOrEqual(Date.now() + 30_000);

		// A reload: the next page resumes the session.
		await extendSession(database.db, short.session!, 'partner');
		const resumed = await validateSessionToken(database.db, token, { touch: false });
		expect(resumed.session!.expires_at.getTime()).toBeGreaterThan(Date.now() + 9 * MINUTE);

		// A closed tab never resumes: past the grace, the session is gone.
		await shortenSession(database.db, session!.id, 30_000);
		await age(token, { lastSeenMs: 31_000 });
		expect((await validateSessionToken(database.db, token)).session).toBeNull();
	});
});
