// Answer saves batched into one statement, against another write holding a room's row (PostgreSQL:
// two connections at once). The other rooms' saves in the batch must not wait for that room.
import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import * as assignments from '$lib/server/assignments';
import * as exercises from '$lib/server/exercises';
import * as roomContext from '$lib/server/rooms/context';
import * as responses from '$lib/server/rooms/answers';
import { poolOf } from '$lib/server/db/connect';
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
