// `node src/lib/server/tasks/run.js tests/bench/save-plan.ts URL`: times the live save batch statement
// (commit-batch.ts) as a named statement on one connection, under each of PostgreSQL's plan cache
// modes, on a fresh schema of 1,000 live rooms. Prints per-execution times; nothing is kept.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { connect } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import { SAVE_BATCH_STATEMENT } from '$lib/server/rooms/commit-batch';

export default async function savePlan(args: string[]) {
	const flag = (name: string) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 ? args[i + 1] : undefined;
	};
	const url =
		args.find((a) => a.startsWith('postgres')) ?? 'postgres://postgres@127.0.0.1:5432/test';
	// --batch N: saves per statement (20); a live room at 300 rooms mostly sends batches of one.
	const size = Number(flag('batch') ?? '20');
	const schema = `plan_${Date.now().toString(36)}`;
	const admin = connect({ kind: 'postgres', url, poolSize: 1 });
	await sql`create schema ${sql.id(schema)}`.execute(admin.db);
	const conn = connect({ kind: 'postgres', url, schema, poolSize: 2 });
	try {
		await migrateToLatest(conn.db);
		const rooms = await seed(conn.db, 1000);
		// --analyze: with statistics, as autovacuum would have gathered them on a server that has run.
		if (args.includes('--analyze')) await sql`analyze`.execute(conn.db);
		for (const mode of ['auto', 'force_custom_plan', 'force_generic_plan']) {
			const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
			await client.connect();
			await client.query(`set plan_cache_mode = ${mode}`);
			const times: number[] = [];
			for (let run = 0; run < 200; run++) {
				const jobs = Array.from({ length: size }, (_, k) => rooms[(run * size + k) % rooms.length]);
				const values = columns(jobs);
				const started = performance.now();
				await client.query({ name: 'save', text: SAVE_BATCH_STATEMENT, values });
				times.push(performance.now() - started);
			}
			if (args.includes('--explain') && mode === 'force_generic_plan') {
				// The plan of one more batch of one, written to the server's log by auto_explain.
				await client.query("load 'auto_explain'");
				await client.query('set auto_explain.log_min_duration = 0');
				await client.query('set auto_explain.log_analyze = on');
				await client.query('set auto_explain.log_buffers = on');
				await client.query('set auto_explain.log_triggers = on');
				await client.query('set auto_explain.log_nested_statements = on');
				await client.query({
					name: 'save',
					text: SAVE_BATCH_STATEMENT,
					values: columns(rooms.slice(0, 1))
				});
				console.log('auto_explain: the plan of a batch of one is in the PostgreSQL server log');
			}
			await client.end();
			report(mode, times, size);
		}
		// The naive durable relay's write (tests/bench/naive-relay.js) on the same connection settings,
		// for scale: begin, one insert, commit.
		const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
		await client.connect();
		await client.query(
			'create table naive_answers (id bigserial primary key, room text not null, member text not null, op_id text not null, value jsonb not null, at timestamptz not null default now())'
		);
		const times: number[] = [];
		for (let run = 0; run < 200; run++) {
			const started = performance.now();
			await client.query('begin');
			await client.query({
				name: 'naive',
				text: 'insert into naive_answers (room, member, op_id, value) values ($1, $2, $3, $4)',
				values: [rooms[run % rooms.length].assignmentId, 'a', randomUUID(), JSON.stringify('x')]
			});
			await client.query('commit');
			times.push(performance.now() - started);
		}
		await client.end();
		report('naive begin/insert/commit', times, 1);
	} finally {
		await conn.close();
		await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
		await admin.close();
	}
	return 0;
}

function report(label: string, times: number[], size: number) {
	const sorted = times.slice(10).sort((a, b) => a - b);
	const at = (p: number) => sorted[Math.floor((sorted.length - 1) * p)].toFixed(2);
	const first = times
		.slice(0, 6)
		.map((t) => t.toFixed(2))
		.join(', ');
	console.log(
		`${label}: first ${first} ms; after 10: p50 ${at(0.5)} / p90 ${at(0.9)} / p99 ${at(0.99)} ms (batches of ${size})`
	);
}

interface Room {
	assignmentId: string;
	coupleId: string;
	userId: string;
}

function columns(rooms: Room[]) {
	const payload = JSON.stringify({ itemId: 's1-i1', sectionId: 's1', value: 'x' });
	return [
		rooms.map((r) => r.assignmentId),
		rooms.map((r) => r.coupleId),
		rooms.map((r) => r.userId),
		rooms.map(() => randomUUID()),
		rooms.map(() => 's1'),
		rooms.map(() => 's1-i1'),
		rooms.map(() => JSON.stringify('an answer')),
		rooms.map(() => false),
		rooms.map(() => null),
		rooms.map(() => payload)
	];
}

async function seed(db: ReturnType<typeof connect>['db'], count: number): Promise<Room[]> {
	const definition = {
		key: 'plan',
		title: 'Plan',
		purpose: 'Probe',
		instructions: 'Answer',
		estimatedMinutes: 1,
		sections: [
			{
				id: 's1',
				title: 'S',
				items: [{ id: 's1-i1', type: 'text', prompt: 'P', target: 'both', reveal: 'simultaneous' }]
			}
		]
	};
	const def = await db
		.insertInto('exercise_definitions')
		.values({ key: 'plan', version: 1, owner_id: null, definition: JSON.stringify(definition) })
		.returning('id')
		.executeTakeFirstOrThrow();
	const rooms: Room[] = [];
	for (let n = 0; n < count; n++) {
		const [therapist, partner] = await db
			.insertInto('users')
			.values([
				{ email: `t${n}@plan.test`, role: 'therapist', display_name: `T${n}` },
				{ email: `p${n}@plan.test`, role: 'partner', display_name: `P${n}` }
			])
			.returning('id')
			.execute();
		const couple = await db
			.insertInto('couples')
			.values({ therapist_id: therapist.id, label: `C${n}` })
			.returning('id')
			.executeTakeFirstOrThrow();
		const assignment = await db
			.insertInto('assignments')
			.values({
				couple_id: couple.id,
				definition_id: def.id,
				mode: 'live',
				current_section_id: 's1',
				created_by: therapist.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		rooms.push({ assignmentId: assignment.id, coupleId: couple.id, userId: partner.id });
	}
	return rooms;
}
