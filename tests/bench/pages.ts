// `npm run bench:pages -- --couples 100 --weeks 52 --requests 200 --db postgres|pglite|both`: seeds one
// therapist's practice with a year of weekly check-ins and monthly exercises per couple, starts the
// production build, and times the therapist home and couple pages end to end, plus the domain loaders
// behind them in this process. `--plans` prints EXPLAIN (ANALYZE, BUFFERS) of every query the pages
// run (PostgreSQL only); `--without-indexes` undoes migration 0007 first, to measure the schema before
// it; `--profile DIR` writes the server's CPU profile there; `--keep-data` leaves the seeded schema
// (or PGlite directory) behind for a closer look. Prints figures and a one-line summary, then one
// JSON object last.
import { execSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type CompiledQuery, type Insertable } from 'kysely';
import type { Migration } from 'kysely/migration';
import { itemsFor, validateAnswer, type ExerciseDefinition } from '$lib/exercises/definition';
import { connect as openDatabase, type Connection } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import type { Database, PartnerRole } from '$lib/server/db/schema';
import type { NudgesTable } from '$lib/server/db/schema';
import { generateSessionToken, sessionIdFromToken, SESSION_COOKIE } from '$lib/server/auth/session';
import { keyringFromEnv } from '$lib/server/crypto/keyring';
import { installBuiltIns } from '$lib/server/exercises';
import { answerFor, definitionId } from '$lib/server/demo/history';
import * as activity from '$lib/server/activity';
import * as couples from '$lib/server/couples';
import * as homework from '$lib/server/homework';
import * as notes from '$lib/server/notes';
import * as progress from '$lib/server/progress';
import * as safety from '$lib/server/safety';
import { schemaUrl } from '../helpers/database';
import { removeDir, snapshotBuild, startServer } from '../helpers/server';

type Target = 'postgres' | 'pglite';

interface Options {
	couples: number;
	weeks: number;
	requests: number;
	warmup: number;
	targets: Target[];
	plans: boolean;
	withoutIndexes: boolean;
	keepData: boolean;
	profileDir: string | null;
	/** --before DIR: first run the same pages on this earlier build (its build/, server.js, package.json). */
	beforeRoot: string | null;
}

function parse(args: string[]): Options {
	const value = (name: string, fallback: string) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
	};
	const db = value('db', 'postgres');
	if (!['postgres', 'pglite', 'both'].includes(db))
		throw new Error('--db is postgres, pglite or both');
	return {
		couples: Number(value('couples', '100')),
		weeks: Number(value('weeks', '52')),
		requests: Number(value('requests', '200')),
		warmup: Number(value('warmup', '20')),
		targets: db === 'both' ? ['postgres', 'pglite'] : [db as Target],
		plans: args.includes('--plans'),
		withoutIndexes: args.includes('--without-indexes'),
		keepData: args.includes('--keep-data'),
		profileDir: args.includes('--profile') ? path.resolve(value('profile', '.')) : null,
		beforeRoot: args.includes('--before') ? path.resolve(value('before', '.')) : null
	};
}

const progressIndexes = import.meta.glob<Migration>('/migrations/0007_progress_indexes.ts', {
	eager: true
});

const log = (message: string) => console.log(`[bench] ${message}`);
const DAY = 24 * 3600_000;
const round = (n: number) => Math.round(n * 100) / 100;

/** Nearest-rank percentiles of a list of milliseconds. */
function percentiles(samples: number[]) {
	const sorted = [...samples].sort((a, b) => a - b);
	const at = (p: number) =>
		sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
	return {
		n: sorted.length,
		p50Ms: round(at(50)),
		p95Ms: round(at(95)),
		p99Ms: round(at(99)),
		maxMs: round(sorted[sorted.length - 1])
	};
}

function* chunks<T>(rows: T[], size: number) {
	for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

interface Seeded {
	therapistId: string;
	cookie: string;
	coupleIds: string[];
	labels: string[];
}

type Stored = { id: string; definition: ExerciseDefinition };

async function builtIn(db: Kysely<Database>, key: string): Promise<Stored> {
	const stored = await definitionId(db, key);
	if (!stored) throw new Error(`The built-in exercise "${key}" is not installed.`);
	return stored;
}

interface Plan {
	exercise: Stored;
	daysAgo: number;
	dueInDays: number;
	/** How far each partner got. */
	progress: ['none' | 'some' | 'locked', 'none' | 'some' | 'locked'];
	t: number;
	withJoint?: boolean;
}

/**
 * One therapist, N couples (roles apply, both partners joined), per couple a check-in a week for
 * `weeks` weeks, the boundary exercise monthly, forgiveness readiness three times, two open homework
 * assignments, nudges, a few safety flags and two signed notes; in one transaction, in bulk.
 */
async function seed(db: Kysely<Database>, options: Options, notesKeys: string): Promise<Seeded> {
	await installBuiltIns(db);
	const [checkIn, boundary, forgiveness] = await Promise.all(
		['trust-checkin', 'boundaries', 'forgiveness-readiness'].map((key) => builtIn(db, key))
	);
	const now = Date.now();
	const keyring = keyringFromEnv({ NOTES_KEYS: notesKeys }, tmpdir());
	const token = generateSessionToken();

	return db.transaction().execute(async (trx) => {
		const therapist = await trx
			.insertInto('users')
			.values({
				email: 'therapist@bench.test',
				role: 'therapist',
				display_name: 'Bench Therapist',
				// Only its presence matters to the pages (a therapist with an authenticator).
				totp_key: new Uint8Array(randomBytes(48))
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('sessions')
			.values({
				id: sessionIdFromToken(token),
				user_id: therapist.id,
				created_at: new Date(now),
				last_seen_at: new Date(now),
				expires_at: new Date(now + 12 * 3600_000),
				two_factor_verified: true
			})
			.execute();

		const n = options.couples;
		const labels = Array.from({ length: n }, (_, i) => `Couple ${String(i + 1).padStart(3, '0')}`);
		const coupleIds = labels.map(() => randomUUID());
		const partnerIds = labels.map(() => [randomUUID(), randomUUID()] as const);
		const since = new Date(now - (options.weeks * 7 + 14) * DAY);
		await trx
			.insertInto('users')
			.values(
				partnerIds.flatMap(([a, b], i) => [
					{ id: a, email: `a${i}@bench.test`, role: 'partner' as const, display_name: `Ari ${i}` },
					{ id: b, email: `b${i}@bench.test`, role: 'partner' as const, display_name: `Bo ${i}` }
				])
			)
			.execute();
		await trx
			.insertInto('couples')
			.values(
				coupleIds.map((id, i) => ({
					id,
					therapist_id: therapist.id,
					label: labels[i],
					roles_apply: true,
					created_at: since
				}))
			)
			.execute();
		await trx
			.insertInto('couple_members')
			.values(
				coupleIds.flatMap((couple_id, i) =>
					([1, 2] as const).map((slot) => ({
						couple_id,
						slot,
						user_id: partnerIds[i][slot - 1],
						display_name: slot === 1 ? `Ari ${i}` : `Bo ${i}`,
						email: `${slot === 1 ? 'a' : 'b'}${i}@bench.test`,
						role: (slot === 1 ? 'injured' : 'involved') as PartnerRole,
						joined_at: since
					}))
				)
			)
			.execute();

		const assignments: (Insertable<Database['assignments']> & { id: string })[] = [];
		const responses: Insertable<Database['responses']>[] = [];
		const locks: Insertable<Database['section_locks']>[] = [];
		const reveals: Insertable<Database['section_reveals']>[] = [];
		const joint: Insertable<Database['joint_answers']>[] = [];
		const nudges: Insertable<NudgesTable>[] = [];
		const flags: Insertable<Database['safety_flags']>[] = [];

		for (const [index, coupleId] of coupleIds.entries()) {
			const partners = [
				{ id: partnerIds[index][0], role: 'injured' as PartnerRole },
				{ id: partnerIds[index][1], role: 'involved' as PartnerRole }
			];
			// Each couple recovers at its own pace over the year.
			const [t0, t1] = [
				[0.15, 0.8],
				[0.3, 0.55],
				[0.45, 0.5]
			][index % 3];
			const days = options.weeks * 7;
			const at = (daysAgo: number) => t0 + (t1 - t0) * (1 - daysAgo / days);
			const plans: Plan[] = [];
			for (let week = options.weeks; week >= 1; week--) {
				const daysAgo = week * 7;
				plans.push({
					exercise: checkIn,
					daysAgo,
					dueInDays: 5,
					progress: ['locked', 'locked'],
					t: at(daysAgo)
				});
			}
			for (let month = Math.round(options.weeks / 4.35); month >= 1; month--) {
				const daysAgo = Math.round(month * 30.4) + 3;
				plans.push({
					exercise: boundary,
					daysAgo,
					dueInDays: 7,
					progress: ['locked', 'locked'],
					t: at(daysAgo),
					withJoint: true
				});
			}
			for (const daysAgo of [Math.round(days * 0.8), Math.round(days * 0.5), 30]) {
				plans.push({
					exercise: forgiveness,
					daysAgo: daysAgo + 2,
					dueInDays: 5,
					progress: ['locked', 'locked'],
					t: at(daysAgo)
				});
			}
			// Still to do: the forgiveness readiness overdue, this week's check-in due in four days.
			plans.push({
				exercise: forgiveness,
				daysAgo: 9,
				dueInDays: 7,
				progress: ['some', 'none'],
				t: t1
			});
			plans.push({
				exercise: checkIn,
				daysAgo: 1,
				dueInDays: 5,
				progress: ['none', 'some'],
				t: t1
			});

			for (const plan of plans) {
				const id = randomUUID();
				const { definition } = plan.exercise;
				const createdAt = new Date(now - plan.daysAgo * DAY);
				const answeredAt = new Date(createdAt.getTime() + 2 * DAY);
				const isClosed = plan.progress.every((p) => p === 'locked');
				assignments.push({
					id,
					couple_id: coupleId,
					definition_id: plan.exercise.id,
					mode: 'homework',
					status: isClosed ? 'closed' : 'open',
					due_at: new Date(createdAt.getTime() + plan.dueInDays * DAY),
					note: null,
					current_section_id: null,
					last_seq: 0,
					created_by: therapist.id,
					created_at: createdAt,
					closed_at: isClosed ? new Date(answeredAt.getTime() + DAY) : null
				});
				const lockedBy: Set<string>[] = [];
				for (const [slot, partner] of partners.entries()) {
					const reached = plan.progress[slot];
					lockedBy.push(new Set());
					if (reached === 'none') {
						if (!isClosed) nudges.push(nudge(id, partner.id, therapist.id, now - DAY));
						continue;
					}
					const mine = itemsFor(definition, partner.role);
					const items = reached === 'some' ? mine.slice(0, Math.ceil(mine.length / 3)) : mine;
					for (const item of items) {
						const checked = validateAnswer(
							item,
							answerFor(item, plan.t, `${partner.id}:${plan.daysAgo}`)
						);
						if (!checked.ok) throw new Error(checked.message);
						responses.push({
							assignment_id: id,
							user_id: partner.id,
							item_id: item.id,
							value: JSON.stringify(checked.value),
							updated_at: answeredAt
						});
					}
					if (reached !== 'locked') {
						nudges.push(nudge(id, partner.id, therapist.id, now - DAY));
						continue;
					}
					for (const section of homework.sectionsFor(definition, partner.role)) {
						lockedBy[slot].add(section.id);
						locks.push({
							assignment_id: id,
							user_id: partner.id,
							section_id: section.id,
							locked_at: answeredAt
						});
					}
				}
				const revealed = definition.sections.filter(
					(s) => lockedBy[0].has(s.id) && lockedBy[1].has(s.id)
				);
				for (const section of revealed) {
					reveals.push({
						assignment_id: id,
						section_id: section.id,
						revealed_at: answeredAt,
						revealed_by: null
					});
				}
				if (plan.withJoint) {
					for (const item of revealed.flatMap((s) => s.items.filter((i) => i.joint))) {
						const checked = validateAnswer(item, answerFor(item, 1, `joint:${id}`));
						if (!checked.ok) throw new Error(checked.message);
						joint.push({
							assignment_id: id,
							item_id: item.id,
							value: JSON.stringify(checked.value),
							updated_by: partners[0].id,
							updated_at: answeredAt
						});
					}
				}
				// A reminder went out for about one check-in in four before it was done.
				if (isClosed && plan.exercise === checkIn && plan.daysAgo % 28 === 0) {
					nudges.push({
						...nudge(id, partners[1].id, therapist.id, createdAt.getTime() + DAY),
						dismissed_at: answeredAt
					});
				}
			}

			// A few couples have a safety answer the therapist has not seen yet, some an older one she has.
			const checkIns = assignments.filter(
				(a) => a.couple_id === coupleId && a.definition_id === checkIn.id && a.status === 'closed'
			);
			const flagged =
				index % 20 === 0 ? checkIns.at(-1) : index % 10 === 5 ? checkIns.at(-20) : undefined;
			if (flagged) {
				const answer = responses.find(
					(r) =>
						r.assignment_id === flagged.id &&
						r.user_id === partners[0].id &&
						r.item_id === 'safety-afraid'
				)!;
				answer.value = JSON.stringify('sometimes');
				const isOpen = index % 20 === 0;
				flags.push({
					id: randomUUID(),
					assignment_id: flagged.id,
					couple_id: coupleId,
					user_id: partners[0].id,
					item_id: 'safety-afraid',
					raised_at: answer.updated_at,
					acknowledged_by: isOpen ? null : therapist.id,
					acknowledged_at: isOpen ? null : new Date(now - 100 * DAY)
				});
			}
		}

		// Well under PostgreSQL's 65,535 parameters a statement.
		for (const rows of chunks(assignments, 2000))
			await trx.insertInto('assignments').values(rows).execute();
		for (const rows of chunks(responses, 5000))
			await trx.insertInto('responses').values(rows).execute();
		for (const rows of chunks(locks, 5000))
			await trx.insertInto('section_locks').values(rows).execute();
		for (const rows of chunks(reveals, 5000))
			await trx.insertInto('section_reveals').values(rows).execute();
		for (const rows of chunks(joint, 5000))
			await trx.insertInto('joint_answers').values(rows).execute();
		for (const rows of chunks(nudges, 5000)) await trx.insertInto('nudges').values(rows).execute();
		if (flags.length) await trx.insertInto('safety_flags').values(flags).execute();

		// Two signed progress notes per couple, through the notes module (encrypted, audited).
		const actor = { userId: therapist.id };
		for (const coupleId of coupleIds) {
			for (const daysAgo of [21, 7]) {
				const noteId = await notes.createDraft(trx, keyring, actor, {
					coupleId,
					kind: 'progress',
					template: 'soap',
					sessionDate: new Date(now - daysAgo * DAY).toISOString().slice(0, 10),
					body: {
						subjective: 'Both described the week as calmer.',
						objective: 'Engaged in session.',
						assessment: 'Steady progress.',
						plan: 'Weekly check-in; boundary exercise next month.'
					}
				});
				if (noteId) await notes.sign(trx, keyring, actor, noteId);
			}
		}
		return {
			therapistId: therapist.id,
			cookie: `${SESSION_COOKIE}=${token}`,
			coupleIds,
			labels
		};
	});
}

function nudge(
	assignmentId: string,
	userId: string,
	sentBy: string,
	at: number
): Insertable<NudgesTable> {
	return {
		id: randomUUID(),
		assignment_id: assignmentId,
		user_id: userId,
		sent_by: sentBy,
		created_at: new Date(at),
		emailed_at: null,
		dismissed_at: null
	};
}

async function volume(db: Kysely<Database>) {
	const tables = [
		'couples',
		'assignments',
		'responses',
		'section_locks',
		'section_reveals',
		'joint_answers',
		'nudges',
		'safety_flags',
		'notes',
		'audit_log'
	];
	const counts: Record<string, number> = {};
	for (const table of tables) {
		const { rows } = await sql<{
			n: number;
		}>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
		counts[table] = rows[0].n;
	}
	return counts;
}

/**
 * The domain calls of the two pages' loads (the therapist home, then one couple's page), as those
 * pages stood when this was written; the charts they draw from them are left to the page figures.
 */
function loaders(db: Kysely<Database>, therapistId: string) {
	const since = () => new Date(Date.now() - 14 * DAY);
	return {
		'couples.listForTherapist': () => couples.listForTherapist(db, therapistId),
		'safety.openFlags': () => safety.openFlags(db, therapistId),
		'homework.summaries (open, therapist)': () =>
			homework.summaries(db, { therapistId, onlyOpen: true }),
		'activity.recent': () => activity.recent(db, therapistId, since()),
		'couples.getForTherapist': (coupleId: string) =>
			couples.getForTherapist(db, therapistId, coupleId),
		'homework.summaries (couple)': (coupleId: string) => homework.summaries(db, { coupleId }),
		'progress.coupleHistory': (coupleId: string) => progress.coupleHistory(db, coupleId),
		'progress.forTherapist': (coupleId: string) =>
			progress.forTherapist(db, { userId: therapistId }, coupleId)
	};
}

/** Times each loader in this process (its queries and its JavaScript), over various couples. */
async function timeLoaders(db: Kysely<Database>, seeded: Seeded, rounds: number) {
	const result: Record<string, ReturnType<typeof percentiles>> = {};
	for (const [name, load] of Object.entries(loaders(db, seeded.therapistId))) {
		const samples: number[] = [];
		for (let i = 0; i < rounds + 5; i++) {
			const coupleId = seeded.coupleIds[(i * 7) % seeded.coupleIds.length];
			const t0 = performance.now();
			await load(coupleId);
			if (i >= 5) samples.push(performance.now() - t0);
		}
		result[name] = percentiles(samples);
	}
	return result;
}

/** Runs every loader once through a logging Kysely, then EXPLAIN (ANALYZE, BUFFERS) of each query. */
async function explain(conn: Connection, seeded: Seeded) {
	const captured: CompiledQuery[] = [];
	const logging = new Kysely<Database>({
		dialect: new PostgresDialect({ pool: conn.pool! }),
		log: (event) => {
			if (event.level === 'query') captured.push(event.query);
		}
	});
	const coupleId = seeded.coupleIds[Math.floor(seeded.coupleIds.length / 2)];
	const plans: { loader: string; sql: string; plan: string[] }[] = [];
	for (const [name, load] of Object.entries(loaders(logging, seeded.therapistId))) {
		captured.length = 0;
		await load(coupleId);
		// Reads only: EXPLAIN ANALYZE runs the statement, and the audit row a read writes is not the page's cost.
		for (const query of captured.filter((q) => /^(select|with)\b/i.test(q.sql))) {
			const { rows } = await conn.pool!.query<{ 'QUERY PLAN': string }>(
				`explain (analyze, buffers) ${query.sql}`,
				query.parameters as unknown[]
			);
			plans.push({ loader: name, sql: query.sql, plan: rows.map((r) => r['QUERY PLAN']) });
		}
	}
	// Not destroyed: that would end the pool, which belongs to `conn`.
	return plans;
}

/** CPU time the server process has used so far, in ms (from /proc on Linux; null elsewhere). */
function serverCpuMs(pid: number | undefined): number | null {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		// utime and stime (fields 14 and 15 of proc(5)), in clock ticks of 10 ms.
		return (Number(fields[11]) + Number(fields[12])) * 10;
	} catch {
		return null;
	}
}

/** Requests the pages one at a time: time to the whole body, and the server's CPU per request. */
async function timePages(url: string, pid: number | undefined, seeded: Seeded, options: Options) {
	const get = async (pathname: string, expect: string) => {
		const t0 = performance.now();
		const response = await fetch(url + pathname, {
			headers: { cookie: seeded.cookie },
			redirect: 'manual'
		});
		const body = await response.text();
		const elapsed = performance.now() - t0;
		if (response.status !== 200 || !body.includes(expect)) {
			throw new Error(`${pathname} answered ${response.status}: ${body.slice(0, 300)}`);
		}
		return { elapsed, bytes: Buffer.byteLength(body) };
	};
	const measure = async (
		request: (i: number) => ReturnType<typeof get>,
		count: number,
		warmup: number
	) => {
		for (let i = 0; i < warmup; i++) await request(i);
		const cpuBefore = serverCpuMs(pid);
		const samples: number[] = [];
		let bytes = 0;
		for (let i = 0; i < count; i++) {
			const sample = await request(i);
			samples.push(sample.elapsed);
			bytes = sample.bytes;
		}
		const cpuAfter = serverCpuMs(pid);
		return {
			...percentiles(samples),
			bytes,
			serverCpuMsPerRequest:
				cpuBefore === null || cpuAfter === null ? null : round((cpuAfter - cpuBefore) / count)
		};
	};
	const couplePage = (k: number) => get(`/app/couples/${seeded.coupleIds[k]}`, seeded.labels[k]);
	const n = seeded.coupleIds.length;
	const home = await measure(() => get('/app', seeded.labels[0]), options.requests, options.warmup);
	// Each couple's page once, before the server has drawn any of its charts (it keeps drawings).
	const coupleFirstView = await measure((i) => couplePage(i), n, 0);
	// Then again, in an order that visits all of them.
	const couple = await measure((i) => couplePage((i * 37) % n), options.requests, options.warmup);
	// The couple's progress section holds its charts: each couple's once (none drawn yet), then again.
	const progressPage = (k: number) =>
		get(`/app/couples/${seeded.coupleIds[k]}/progress`, seeded.labels[k]);
	const progressFirstView = await measure((i) => progressPage(i), n, 0);
	const progress = await measure((i) => progressPage((i * 37) % n), options.requests, 0);
	return { home, coupleFirstView, couple, progressFirstView, progress };
}

/** The server's environment for a CPU profile of it, when --profile asks for one. */
function profiling(options: Options, target: Target): Record<string, string> {
	if (!options.profileDir) return {};
	mkdirSync(options.profileDir, { recursive: true });
	const file = path.join(options.profileDir, `server-${target}-${Date.now()}.cpuprofile`);
	log(`${target}: the server's CPU profile goes to ${file}`);
	const preload = path.resolve(import.meta.dirname, 'cpu-profile.js');
	return {
		TRELLIS_CPU_PROFILE: file,
		NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim()
	};
}

async function run(target: Target, options: Options, appRoot: string) {
	const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-pages-'));
	const notesKeys = `bench:${randomBytes(32).toString('base64')}`;
	let conn: Connection;
	let databaseUrl: string | undefined;
	let drop = async () => {
		if (options.keepData) log(`pglite: kept the database in ${path.join(dataDir, 'pglite')}`);
		else removeDir(dataDir);
	};
	if (target === 'postgres') {
		const base =
			process.env.BENCH_DATABASE_URL ??
			process.env.TEST_DATABASE_URL ??
			'postgres://postgres@127.0.0.1:5432/test';
		const schema = `bench_pages_${Date.now().toString(36)}`;
		const admin = openDatabase({ kind: 'postgres', url: base, poolSize: 1 });
		await sql`create schema ${sql.id(schema)}`.execute(admin.db);
		conn = openDatabase({ kind: 'postgres', url: base, schema, poolSize: 4 });
		databaseUrl = schemaUrl(base, schema);
		drop = async () => {
			if (options.keepData) log(`postgres: kept schema ${schema}`);
			else await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
			await admin.close();
			rmSync(dataDir, { recursive: true, force: true });
		};
	} else {
		conn = openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
	}
	let server: Awaited<ReturnType<typeof startServer>> | null = null;
	try {
		await migrateToLatest(conn.db);
		if (options.withoutIndexes) {
			const [indexes] = Object.values(progressIndexes);
			if (!indexes)
				throw new Error('--without-indexes: there is no migrations/0007_progress_indexes.ts');
			await indexes.down!(conn.db);
			log(`${target}: without the indexes of migration 0007`);
		}
		log(`${target}: seeding ${options.couples} couples, ${options.weeks} weeks`);
		const started = performance.now();
		const seeded = await seed(conn.db, options, notesKeys);
		// What autovacuum does to a live database: statistics, and the visibility map index-only scans use.
		await sql`vacuum analyze`.execute(conn.db);
		const seedSeconds = round((performance.now() - started) / 1000);
		const counts = await volume(conn.db);
		log(`${target}: seeded in ${seedSeconds} s: ${JSON.stringify(counts)}`);

		if (options.plans && target === 'postgres') {
			for (const p of await explain(conn, seeded)) {
				console.log(`\n-- ${p.loader}\n${p.sql}\n${p.plan.join('\n')}`);
			}
		}
		const loaderTimes = await timeLoaders(conn.db, seeded, 50);
		for (const [name, t] of Object.entries(loaderTimes)) {
			log(`${target}: ${name}: p50 ${t.p50Ms} ms, p95 ${t.p95Ms} ms`);
		}
		// The server owns an embedded database while it runs.
		if (target === 'pglite') await conn.close();

		server = await startServer({
			root: appRoot,
			dataDir,
			databaseUrl,
			env: { TRELLIS_SEED_DEMO: 'off', NOTES_KEYS: notesKeys, ...profiling(options, target) }
		});
		log(
			`${target}: server on ${server.url}; ${options.warmup} warm-up rounds, ${options.requests} timed`
		);
		const pages = await timePages(server.url, server.child.pid, seeded, options);
		log(
			`${target}: /app p50 ${pages.home.p50Ms} ms, p95 ${pages.home.p95Ms} ms, p99 ${pages.home.p99Ms} ms, server CPU ${pages.home.serverCpuMsPerRequest} ms a request (${pages.home.bytes} B); ` +
				`/app/couples/[id] p50 ${pages.couple.p50Ms} ms, p95 ${pages.couple.p95Ms} ms, p99 ${pages.couple.p99Ms} ms, server CPU ${pages.couple.serverCpuMsPerRequest} ms a request (${pages.couple.bytes} B); ` +
				`its first view p50 ${pages.coupleFirstView.p50Ms} ms, p95 ${pages.coupleFirstView.p95Ms} ms, server CPU ${pages.coupleFirstView.serverCpuMsPerRequest} ms a request; ` +
				`its progress (charts) first view p50 ${pages.progressFirstView.p50Ms} ms, p95 ${pages.progressFirstView.p95Ms} ms, server CPU ${pages.progressFirstView.serverCpuMsPerRequest} ms a request (${pages.progressFirstView.bytes} B), shown before p50 ${pages.progress.p50Ms} ms, p95 ${pages.progress.p95Ms} ms`
		);
		return { seedSeconds, volume: counts, pages, loaders: loaderTimes };
	} finally {
		await server?.stop();
		await conn.close();
		await drop();
	}
}

export default async function bench(args: string[]): Promise<number> {
	const options = parse(args);
	const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
	log(
		`commit ${commit}; ${options.couples} couples, ${options.weeks} weeks, ${options.requests} requests a page, targets ${options.targets.join(', ')}`
	);
	const appRoot = snapshotBuild();
	const perTarget: Partial<Record<Target, Awaited<ReturnType<typeof run>>>> = {};
	const before: typeof perTarget = {};
	try {
		for (const target of options.targets) {
			if (options.beforeRoot) {
				log(`${target}: the earlier build in ${options.beforeRoot}`);
				before[target] = await run(target, options, options.beforeRoot);
			}
			perTarget[target] = await run(target, options, appRoot);
		}
	} finally {
		removeDir(appRoot);
	}
	const budgetMs = 50;
	const line = Object.entries(perTarget)
		.map(
			([target, r]) =>
				`${target}: /app p50 ${r.pages.home.p50Ms} ms / p95 ${r.pages.home.p95Ms} ms, couple page p50 ${r.pages.couple.p50Ms} ms / p95 ${r.pages.couple.p95Ms} ms (first view p50 ${r.pages.coupleFirstView.p50Ms} ms), progress first view p50 ${r.pages.progressFirstView.p50Ms} ms`
		)
		.join('; ');
	const isMet = Object.values(perTarget).every(
		(r) =>
			r.pages.home.p50Ms < budgetMs &&
			r.pages.couple.p50Ms < budgetMs &&
			r.pages.progressFirstView.p50Ms < budgetMs
	);
	log(`summary: ${line}; budget ${budgetMs} ms median ${isMet ? 'met' : 'NOT met'}`);
	console.log(
		JSON.stringify({
			commit,
			couples: options.couples,
			weeks: options.weeks,
			requests: options.requests,
			withoutIndexes: options.withoutIndexes,
			budgetMs,
			isBudgetMet: isMet,
			perTarget,
			...(options.beforeRoot ? { before } : {})
		})
	);
	return 0;
}
