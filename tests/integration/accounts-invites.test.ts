import { describe, expect, it } from 'vitest';
import * as couples from '$lib/server/couples';
import * as invites from '$lib/server/auth/invites';
import { checkPassword } from '$lib/server/auth/password';
import { useTestDatabase } from '../helpers/database';
import { PASSWORD, makeUser } from './accounts-support';

const database = useTestDatabase();
const NEW_PASSWORD = 'a brand new partner password';

async function practice(email = 'dr@example.test') {
	const therapist = await makeUser(database.db, email, 'therapist');
	const coupleId = await couples.create(database.db, therapist.id, {
		label: 'Alex & Sam',
		partners: [
			{ name: 'Alex', email: 'alex@example.test' },
			{ name: 'Sam', email: null }
		],
		rolesApply: true,
		injuredSlot: 1
	});
	return { therapist, coupleId };
}

async function issued(therapistId: string, coupleId: string, slot: 1 | 2 = 1) {
	const result = await invites.issue(database.db, { therapistId, coupleId, slot });
	if (!result.ok) throw new Error(`invite not issued: ${result.reason}`);
	return result;
}

describe('partner invites', () => {
	it('stores only a hash of the token and expires in seven days', async () => {
		const { therapist, coupleId } = await practice();
		const invite = await issued(therapist.id, coupleId);
		const rows = await database.db.selectFrom('invites').selectAll().execute();
		expect(rows).toHaveLength(1);
		expect(JSON.stringify(rows)).not.toContain(invite.token);
		expect(rows[0].token_hash).toBe(invites.hashInviteToken(invite.token));
		const days = (rows[0].expires_at.getTime() - rows[0].created_at.getTime()) / 86_400_000;
		expect(days).toBe(7);
		expect((await invites.lookup(database.db, invite.token)).status).toBe('valid');
	});

	it('joins a new partner once, and the link is then used up', async () => {
		const { therapist, coupleId } = await practice();
		const invite = await issued(therapist.id, coupleId);
		const accepted = await invites.accept(database.db, {
			token: invite.token,
			email: 'alex@example.test',
			password: NEW_PASSWORD
		});
		expect(accepted).toMatchObject({ ok: true, coupleId });
		const member = await database.db
			.selectFrom('couple_members')
			.innerJoin('users', 'users.id', 'couple_members.user_id')
			.select(['users.role', 'users.password_hash', 'couple_members.joined_at'])
			.where('slot', '=', 1)
			.executeTakeFirstOrThrow();
		expect(member.role).toBe('partner');
		expect(member.joined_at).not.toBeNull();
		expect(member.password_hash).not.toContain(NEW_PASSWORD);
		const check = await checkPassword(database.db, {
			email: 'alex@example.test',
			password: NEW_PASSWORD,
			via: 'sign-in'
		});
		expect(check.ok).toBe(true);

		expect((await invites.lookup(database.db, invite.token)).status).toBe('used');
		const again = await invites.accept(database.db, {
			token: invite.token,
			email: 'someone@example.test',
			password: NEW_PASSWORD
		});
		expect(again).toMatchObject({ ok: false, reason: 'invite', status: 'used' });
		const audit = await database.db
			.selectFrom('audit_log')
			.select(['action', 'couple_id'])
			.where('action', '=', 'invite.accepted')
			.execute();
		expect(audit).toEqual([{ action: 'invite.accepted', couple_id: coupleId }]);
	});

	it('lets exactly one of two simultaneous acceptances win', async () => {
		const { therapist, coupleId } = await practice();
		const invite = await issued(therapist.id, coupleId);
		const results = await Promise.all(
			['one@example.test', 'two@example.test'].map((email) =>
				invites.accept(database.db, { token: invite.token, email, password: NEW_PASSWORD })
			)
		);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
	});

	it('says an expired link has expired', async () => {
		const { therapist, coupleId } = await practice();
		const invite = await issued(therapist.id, coupleId);
		await database.db
			.updateTable('invites')
			.set({ expires_at: new Date(Date.now() - 1000) })
			.execute();
		expect((await invites.lookup(database.db, invite.token)).status).toBe('expired');
		const result = await invites.accept(database.db, {
			token: invite.token,
			email: 'alex@example.test',
			password: NEW_PASSWORD
		});
		expect(result).toMatchObject({ ok: false, status: 'expired' });
	});

	it('revokes a link, and re-issuing replaces the old link with a new one', async () => {
		const { therapist, coupleId } = await practice();
		const first = await issued(therapist.id, coupleId);
		expect(
			await invites.revoke(database.db, { therapistId: therapist.id, coupleId, slot: 1 })
		).toBe(true);
		expect((await invites.lookup(database.db, first.token)).status).toBe('revoked');

		const second = await issued(therapist.id, coupleId);
		const third = await issued(therapist.id, coupleId);
		expect((await invites.lookup(database.db, second.token)).status).toBe('revoked');
		expect((await invites.lookup(database.db, third.token)).status).toBe('valid');
		const detail = await couples.getForTherapist(database.db, therapist.id, coupleId);
		expect(detail!.members[0].invite.kind).toBe('invited');
	});

	it('will not invite a partner who joined, into an archived couple, or into another therapist’s couple', async () => {
		const { therapist, coupleId } = await practice();
		const other = await makeUser(database.db, 'other@example.test', 'therapist');
		expect(await invites.issue(database.db, { therapistId: other.id, coupleId, slot: 1 })).toEqual({
			ok: false,
			reason: 'not-found'
		});
		expect(await invites.revoke(database.db, { therapistId: other.id, coupleId, slot: 1 })).toBe(
			false
		);

		const invite = await issued(therapist.id, coupleId);
		await invites.accept(database.db, {
			token: invite.token,
			email: 'alex@example.test',
			password: NEW_PASSWORD
		});
		expect(
			await invites.issue(database.db, { therapistId: therapist.id, coupleId, slot: 1 })
		).toEqual({ ok: false, reason: 'joined' });

		const pending = await issued(therapist.id, coupleId, 2);
		await couples.setArchived(database.db, therapist.id, coupleId, true);
		expect((await invites.lookup(database.db, pending.token)).status).toBe('revoked');
		expect(
			await invites.issue(database.db, { therapistId: therapist.id, coupleId, slot: 2 })
		).toEqual({ ok: false, reason: 'archived' });
	});

	it('lets one person be a partner in two couples with different therapists', async () => {
		const first = await practice('one@example.test');
		const second = await practice('two@example.test');
		const a = await issued(first.therapist.id, first.coupleId);
		await invites.accept(database.db, {
			token: a.token,
			email: 'alex@example.test',
			password: NEW_PASSWORD
		});

		const b = await issued(second.therapist.id, second.coupleId);
		const wrong = await invites.accept(database.db, {
			token: b.token,
			email: 'alex@example.test',
			password: 'not the right password'
		});
		expect(wrong).toMatchObject({ ok: false, reason: 'wrong-password' });
		expect((await invites.lookup(database.db, b.token)).status).toBe('valid');

		const joined = await invites.accept(database.db, {
			token: b.token,
			email: 'alex@example.test',
			password: NEW_PASSWORD
		});
		expect(joined.ok).toBe(true);
		const users = await database.db
			.selectFrom('users')
			.select('id')
			.where('email', '=', 'alex@example.test')
			.execute();
		expect(users).toHaveLength(1);
		const ids = await couples.idsFor(database.db, { id: users[0].id, role: 'partner' });
		expect(ids.sort()).toEqual([first.coupleId, second.coupleId].sort());
	});

	it('refuses a therapist’s email and a second place in the same couple', async () => {
		const { therapist, coupleId } = await practice();
		const a = await issued(therapist.id, coupleId, 1);
		expect(
			await invites.accept(database.db, {
				token: a.token,
				email: 'dr@example.test',
				password: PASSWORD
			})
		).toMatchObject({ ok: false, reason: 'therapist-email' });
		await invites.accept(database.db, {
			token: a.token,
			email: 'alex@example.test',
			password: NEW_PASSWORD
		});
		const b = await issued(therapist.id, coupleId, 2);
		expect(
			await invites.accept(database.db, {
				token: b.token,
				email: 'alex@example.test',
				password: NEW_PASSWORD
			})
		).toMatchObject({ ok: false, reason: 'already-member' });
		expect((await invites.lookup(database.db, b.token)).status).toBe('valid');
	});

	it('treats a malformed or unknown token as unknown without a lookup error', async () => {
		for (const token of ['', 'x', 'a'.repeat(40), '../../etc', '%00'.repeat(20)]) {
			expect((await invites.lookup(database.db, token)).status).toBe('unknown');
		}
	});
});
