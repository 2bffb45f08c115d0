import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { parseKeyring } from '$lib/server/crypto/keyring';
import * as notes from '$lib/server/notes';
import { useTestDatabase } from '../helpers/database';
import { makePractice } from '../helpers/live';

const database = useTestDatabase();
const oldKey = randomBytes(32).toString('base64');
const keyring = parseKeyring(`k0:${oldKey}`);
const PHRASE = 'Alex described the motel receipt';

async function setup() {
	const practice = await makePractice(database.db);
	const me = { userId: practice.therapist.id };
	const id = await notes.createDraft(database.db, keyring, me, {
		coupleId: practice.coupleId,
		kind: 'progress',
		template: 'soap',
		sessionDate: '2026-11-20',
		body: { subjective: PHRASE }
	});
	return { practice, me, id: id! };
}

describe('session notes', () => {
	it('autosaves a draft, signs it, then accepts only signed addenda', async () => {
		const { me, id } = await setup();
		expect(
			await notes.saveDraft(database.db, keyring, me, id, {
				subjective: PHRASE,
				plan: 'Weekly check-in'
			})
		).toEqual({ ok: true });
		expect(await notes.addAddendum(database.db, keyring, me, id, 'Too early')).toEqual({
			ok: false,
			reason: 'unsigned'
		});
		expect(await notes.sign(database.db, keyring, me, id)).toEqual({ ok: true });
		expect(
			await notes.saveDraft(database.db, keyring, me, id, { subjective: 'rewritten' })
		).toEqual({ ok: false, reason: 'signed' });
		expect(await notes.sign(database.db, keyring, me, id)).toEqual({ ok: false, reason: 'signed' });
		expect(
			await notes.addAddendum(database.db, keyring, me, id, 'Corrected the date of the call.')
		).toEqual({ ok: true });

		const note = await notes.get(database.db, keyring, me, id);
		expect(note?.body).toMatchObject({ subjective: PHRASE, plan: 'Weekly check-in' });
		expect(note?.isSigned).toBe(true);
		expect(note?.contentHash).toMatch(/^[0-9a-f]{64}$/);
		expect(note?.addenda.map((a) => a.text)).toEqual(['Corrected the date of the call.']);
		const actions = await database.db
			.selectFrom('audit_log')
			.select('action')
			.orderBy('id')
			.execute();
		expect(actions.map((a) => a.action)).toEqual([
			'note.created',
			'note.draft-saved',
			'note.signed',
			'note.addendum-signed',
			'note.viewed'
		]);
	});

	it('shows nothing to another therapist, and psychotherapy notes only to their author', async () => {
		const { practice, me, id } = await setup();
		const stranger = { userId: practice.stranger.id };
		expect(await notes.get(database.db, keyring, stranger, id)).toBeNull();
		expect(await notes.list(database.db, stranger, practice.coupleId)).toBeNull();
		expect(await notes.saveDraft(database.db, keyring, stranger, id, {})).toEqual({
			ok: false,
			reason: 'not-found'
		});
		const privateId = await notes.createDraft(database.db, keyring, me, {
			coupleId: practice.coupleId,
			kind: 'psychotherapy',
			template: 'free',
			sessionDate: '2026-11-20',
			body: { text: 'My own process notes' }
		});
		expect(
			(await notes.list(database.db, me, practice.coupleId))?.map((n) => n.kind).sort()
		).toEqual(['progress', 'psychotherapy']);
		expect(await notes.get(database.db, keyring, stranger, privateId!)).toBeNull();
		const viewed = await notes.get(database.db, keyring, me, privateId!);
		expect(viewed?.body).toEqual({ text: 'My own process notes' });
		const audited = await database.db
			.selectFrom('audit_log')
			.select('action')
			.where('target_id', '=', privateId!)
			.execute();
		expect(audited.map((a) => a.action)).toContain('note.psychotherapy-viewed');
	});

	it('keeps no note plaintext anywhere in the database', async () => {
		const { me, id } = await setup();
		await notes.sign(database.db, keyring, me, id);
		await notes.addAddendum(database.db, keyring, me, id, `${PHRASE}, again`);
		const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
			select table_name, column_name, data_type from information_schema.columns
			where table_schema = current_schema() and data_type in ('text', 'bytea', 'jsonb', 'character varying')`.execute(
			database.db
		);
		expect(columns.rows.length).toBeGreaterThan(20);
		for (const column of columns.rows) {
			const target = sql.ref(`${column.table_name}.${column.column_name}`);
			const found = await sql<{
				n: number;
			}>`select count(*)::int as n from ${sql.table(column.table_name)} where ${
				column.data_type === 'bytea'
					? sql`position(convert_to(${'motel receipt'}, 'UTF8') in ${target}) > 0`
					: sql`${target}::text like ${'%motel receipt%'}`
			}`.execute(database.db);
			expect(found.rows[0].n, `${column.table_name}.${column.column_name}`).toBe(0);
		}
	});

	it('is kept as signed by the database itself: no change but re-encryption, no deletion', async () => {
		const { me, id } = await setup();
		const draft = await notes.createDraft(database.db, keyring, me, {
			coupleId: (await notes.get(database.db, keyring, me, id))!.coupleId,
			kind: 'progress',
			template: 'free',
			sessionDate: '2026-11-21',
			body: { text: 'not yet signed' }
		});
		await notes.sign(database.db, keyring, me, id);
		await notes.addAddendum(database.db, keyring, me, id, 'An addendum');
		const attempts = [
			database.db
				.updateTable('notes')
				.set({ content_hash: 'f'.repeat(64) })
				.where('id', '=', id),
			database.db.updateTable('notes').set({ signed_at: null }).where('id', '=', id),
			database.db.deleteFrom('notes').where('id', '=', id),
			database.db.updateTable('note_addenda').set({ content_hash: 'f'.repeat(64) }),
			database.db.deleteFrom('note_addenda')
		];
		for (const attempt of attempts) {
			await expect(attempt.execute()).rejects.toThrow(/signed/);
		}
		// Drafts stay the author's to change or remove.
		await database.db.deleteFrom('notes').where('id', '=', draft!).execute();
		expect(await notes.get(database.db, keyring, me, id)).toMatchObject({ isSigned: true });
		expect(await notes.get(database.db, keyring, me, draft!)).toBeNull();
	});

	it('re-encrypts every note under the current key when keys rotate', async () => {
		const { me, id } = await setup();
		await notes.sign(database.db, keyring, me, id);
		await notes.addAddendum(database.db, keyring, me, id, 'An addendum');
		const rotated = parseKeyring(`k1:${randomBytes(32).toString('base64')},k0:${oldKey}`);
		expect(await notes.rotate(database.db, rotated)).toBe(2);
		const keyIds = await database.db.selectFrom('notes').select('key_id').execute();
		expect(keyIds).toEqual([{ key_id: 'k1' }]);
		// The old key can now be dropped: the current one alone reads everything.
		const onlyNew = { currentId: 'k1', keys: new Map([['k1', rotated.keys.get('k1')!]]) };
		const note = await notes.get(database.db, onlyNew, me, id);
		expect(note?.body.subjective).toBe(PHRASE);
		expect(note?.addenda[0].text).toBe('An addendum');
	});
});
