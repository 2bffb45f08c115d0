import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import * as audit from '$lib/server/audit';
import { connect } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import { useTestDatabase } from '../helpers/database';
import { removeDir, tempDataDir } from '../helpers/server';

const database = useTestDatabase();

async function writeSome(db = database.db) {
	for (let i = 0; i < 5; i++) {
		await audit.record(db, {
			actorId: null,
			action: `test.action-${i}`,
			targetType: 'assignment',
			targetId: `t${i}`,
			ip: '127.0.0.1',
			detail: { zeta: i, alpha: { nested: true, b: [1, 2] } }
		});
	}
	return db.selectFrom('audit_log').select('id').orderBy('id').execute();
}

/** What someone with the table owner's rights could do: switch the guard off, then tamper. */
async function asOwner(db = database.db) {
	await sql`alter table audit_log disable trigger audit_log_append_only`.execute(db);
}

afterEach(async () => {
	await sql`alter table audit_log enable trigger audit_log_append_only`.execute(database.db);
});

describe('the audit hash chain', () => {
	it('refuses to change or remove a row', async () => {
		const ids = await writeSome();
		await expect(
			database.db
				.updateTable('audit_log')
				.set({ action: 'x' })
				.where('id', '=', ids[0].id)
				.execute()
		).rejects.toThrow(/append-only/);
		await expect(
			database.db.deleteFrom('audit_log').where('id', '=', ids[0].id).execute()
		).rejects.toThrow(/append-only/);
		await database.db
			.deleteFrom('audit_log')
			.where('id', '=', '-1')
			.execute()
			.catch(() => undefined);
		expect(await audit.verify(database.db)).toEqual({ ok: true, rows: 5 });
	});

	it('verifies an untouched chain, details read back from jsonb included', async () => {
		await writeSome();
		expect(await audit.verify(database.db)).toEqual({ ok: true, rows: 5 });
	});

	it('names an altered row', async () => {
		const ids = await writeSome();
		await asOwner();
		await database.db
			.updateTable('audit_log')
			.set({ action: 'test.innocent' })
			.where('id', '=', ids[2].id)
			.execute();
		expect(await audit.verify(database.db)).toMatchObject({
			ok: false,
			badRowId: String(ids[2].id)
		});
	});

	it('names the row after a removed one', async () => {
		const ids = await writeSome();
		await asOwner();
		await database.db.deleteFrom('audit_log').where('id', '=', ids[1].id).execute();
		expect(await audit.verify(database.db)).toMatchObject({
			ok: false,
			badRowId: String(ids[2].id)
		});
	});
});

describe('npm run audit:verify', () => {
	it('exits non-zero and names the first bad row', async () => {
		const dataDir = tempDataDir();
		try {
			const conn = connect({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
			await migrateToLatest(conn.db);
			const ids = await writeSome(conn.db);
			await asOwner(conn.db);
			await conn.db
				.updateTable('audit_log')
				.set({ ip: '10.0.0.1' })
				.where('id', '=', ids[3].id)
				.execute();
			await conn.close();
			const run = spawnSync(
				process.execPath,
				['src/lib/server/tasks/run.js', 'src/lib/server/tasks/audit-verify.ts'],
				{
					cwd: path.resolve(import.meta.dirname, '../..'),
					env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
					encoding: 'utf8'
				}
			);
			expect(run.status).toBe(1);
			expect(run.stderr).toContain(`Audit chain broken at row ${ids[3].id}`);
		} finally {
			removeDir(dataDir);
		}
	});
});
