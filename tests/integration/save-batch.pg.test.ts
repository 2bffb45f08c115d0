// Answer saves batched into one statement, against another write holding a room's row (PostgreSQL:
// two connections at once). The other rooms' saves in the batch must not wait for that room.
import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import * as assignments from '$lib/server/assignments';
import * as exercises from '$lib/server/exercises';
import * as roomContext from '$lib/server/rooms/context';
import * as responses from '$lib/server/rooms/answers';
import { poolOf } from '$lib/server/db/connect';
import { SAVE_STATEMENTS } from '$lib/server/rooms/commit-batch';
import { useTestDatabase } from '../helpers/database';
import { testExercise } from '../helpers/exercise-fixture';
import { makePractice, opId, type Practice } from '../helpers/live';

const database = useTestDatabase({ asAppDatabase: true });
let practice: Practice;

beforeEach(async () => {
	practice = await makePractice(database.db);
});

async function roomOf(definitionId: string) {
	const created = await assignments.create(database.db, practice.therapist.id, {
		coupleId: practice.coupleId,
		definitionId,
		mode: 'homework',
		dueAt: new Date(Date.now() + 3 * 86_400_000)
	});
	const context = await roomContext.loadContext(
		database.db,
		{ id: practice.alex.id, role: 'partner' },
		created!.id
	);
	if (!context) throw new Error('no context');
	return context;
}

describe('a batch of saves beside a write that holds one room', () => {
	it('commits the other rooms at once, and the held room once the lock is let go, in order', async () => {
		const saved = await exercises.createCustom(database.db, practice.therapist.id, testExercise);
		if (!saved.ok) throw new Error(saved.issues.map((i) => i.message).join('; '));
		const held = await roomOf(saved.id);
		const free = await roomOf(saved.id);

		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let locked!: () => void;
		const isLocked = new Promise<void>((resolve) => (locked = resolve));
		const holder = database.db.transaction().execute(async (trx) => {
			await sql`select 1 from assignments where id = ${held.assignment.id} for update`.execute(trx);
			locked();
			await gate;
		});
		await isLocked;

		let heldSettled = false;
		const first = responses
			.saveAnswer(database.db, held, { opId: opId(), itemId: 'hope', value: 'one' })
			.finally(() => (heldSettled = true));
		const second = responses.saveAnswer(database.db, held, {
			opId: opId(),
			itemId: 'hope',
			value: 'two'
		});
		const other = await responses.saveAnswer(database.db, free, {
			opId: opId(),
			itemId: 'hope',
			value: 'elsewhere'
		});
		expect(other).toMatchObject({ ok: true, replayed: false, seq: 1 });
		expect(heldSettled).toBe(false);

		release();
		await holder;
		expect(await first).toMatchObject({ ok: true, seq: 1 });
		expect(await second).toMatchObject({ ok: true, seq: 2 });
		const stored = await database.db
			.selectFrom('responses')
			.select('value')
			.where('assignment_id', '=', held.assignment.id)
			.executeTakeFirstOrThrow();
		expect(stored.value).toBe('two');
	});
});

describe('the connections the save batches use', () => {
	it('plan the batch statement once, generically, on every connection', async () => {
		const pool = poolOf(database.db);
		expect(pool).not.toBeNull();
		// As many at once as the pool holds, so each of its connections is asked.
		const settings = await Promise.all(
			Array.from({ length: 4 }, () =>
				pool!.query<{ mode: string }>(
					"select current_setting('plan_cache_mode') as mode, pg_sleep(0.05)"
				)
			)
		);
		expect(settings.map((r) => r.rows[0].mode)).toEqual(Array(4).fill('force_generic_plan'));
	});
});

describe('the plan each connection keeps for the batch statements', () => {
	// A generic plan is made without the arrays' lengths. Planned as a hash join or a hashed subplan,
	// a check would read a whole table on every save, and a save would slow as the practice grows.
	it('probes the tables saves grow by key, never scanning them, in every variant', async () => {
		const saved = await exercises.createCustom(database.db, practice.therapist.id, testExercise);
		if (!saved.ok) throw new Error(saved.issues.map((i) => i.message).join('; '));
		const room = await roomOf(saved.id);
		const row = [
			room.assignment.id,
			room.coupleId,
			practice.alex.id,
			opId(),
			'open',
			'hope',
			'"a"',
			'true',
			'',
			'{}'
		].map((value, i) => (i === 8 ? 'null' : `'{${JSON.stringify(value)}}'`));
		const types =
			'uuid[], uuid[], uuid[], text[], text[], text[], text[], boolean[], uuid[], text[]';
		const check = async (when: string) => {
			for (const [name, { text }] of Object.entries(SAVE_STATEMENTS)) {
				const plan = await database.db.connection().execute(async (conn) => {
					await sql.raw('set plan_cache_mode = force_generic_plan').execute(conn);
					await sql.raw(`prepare probe (${types}) as ${text}`).execute(conn);
					try {
						const { rows } = await sql
							.raw<{ 'QUERY PLAN': string }>(`explain execute probe(${row.join(', ')})`)
							.execute(conn);
						return rows.map((r) => r['QUERY PLAN']).join('\n');
					} finally {
						await sql.raw('deallocate probe').execute(conn);
						await sql.raw('reset plan_cache_mode').execute(conn);
					}
				});
				expect(plan, `${when}, ${name}`).not.toMatch(/hashed SubPlan/i);
				// The tables a practice grows: every save adds to the first three, every assignment and lock
				// to the rest. New, near-empty ones may be scanned (a page of rows is cheaper read whole) but
				// for the rooms' own rows, which are locked one by one; once grown and analyzed, none is.
				const tables = grown
					? [
							'op_receipts',
							'responses',
							'room_events',
							'assignments',
							'couples',
							'section_locks',
							'section_reveals'
						]
					: ['op_receipts', 'responses', 'room_events', 'assignments'];
				for (const table of tables)
					expect(plan, `${when}, ${name}: ${table}`).not.toMatch(
						new RegExp(`Seq Scan on ${table}\\b`)
					);
			}
		};
		let grown = false;
		// As a connection plans them on a new database, and again once saves have grown the tables.
		await check('new tables');
		await sql`insert into op_receipts (user_id, op_id, assignment_id, result)
			select ${practice.alex.id}, 'grown-' || n, ${room.assignment.id}, '{}'::jsonb
			from generate_series(1, 5000) n`.execute(database.db);
		await sql`insert into room_events (assignment_id, seq, type, actor_id, payload)
			select ${room.assignment.id}, n, 'answer-saved', ${practice.alex.id}, '{}'::jsonb
			from generate_series(1000, 6000) n`.execute(database.db);
		await sql`insert into couples (therapist_id, label)
			select ${practice.therapist.id}, 'Couple ' || n from generate_series(1, 2000) n`.execute(
			database.db
		);
		// Closed homework of the same couple: a practice's past assignments, with their locks and reveals.
		await sql`insert into assignments (couple_id, definition_id, mode, status, created_by)
			select ${room.coupleId}, ${saved.id}, 'homework', 'closed', ${practice.therapist.id}
			from generate_series(1, 3000)`.execute(database.db);
		await sql`insert into section_locks (assignment_id, user_id, section_id)
			select id, ${practice.alex.id}, 'open' from assignments where status = 'closed'`.execute(
			database.db
		);
		await sql`insert into section_reveals (assignment_id, section_id)
			select id, 'open' from assignments where status = 'closed'`.execute(database.db);
		await sql`analyze`.execute(database.db);
		grown = true;
		await check('grown tables');
	});
});
