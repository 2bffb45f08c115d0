// `npm run bench:live -- --rooms N --seconds S`: N live rooms of three sockets against the production
// build (local PostgreSQL, then embedded PGlite) and against a bare Socket.IO relay, on this machine.
// Prints progress, then one JSON object of figures last.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { io as connectClient, type Socket } from 'socket.io-client';
import { connect as openDatabase } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import type { Database } from '$lib/server/db/schema';
import { generateSessionToken, sessionIdFromToken, SESSION_COOKIE } from '$lib/server/auth/session';
import {
	startServer,
	freePort,
	snapshotBuild,
	removeDir,
	type TestServer
} from '../helpers/server';

const definition = {
	key: 'bench',
	title: 'Bench',
	purpose: 'Load',
	instructions: 'Answer',
	estimatedMinutes: 1,
	sections: [1, 2, 3].map((n) => ({
		id: `s${n}`,
		title: `Section ${n}`,
		items: [1, 2, 3].map((i) => ({
			id: `s${n}-i${i}`,
			type: 'text',
			prompt: `Item ${i}`,
			target: 'both',
			reveal: 'simultaneous'
		}))
	}))
};

interface Options {
	rooms: number;
	seconds: number;
	targets: ('postgres' | 'pglite')[];
	/** --profile DIR: the server's CPU profile; --count-queries DIR: its statements through pg. */
	profileDir: string | null;
	countDir: string | null;
	/** --before DIR: also run this earlier build (DIR holds its build/, server.js, package.json). */
	beforeRoot: string | null;
	/** --warmup S: seconds of saves at the steady pace before the measured run, not counted. */
	warmupSeconds: number;
	/** --trellis-only: leave out both relays (for profiling one change; the ratios are then null). */
	trellisOnly: boolean;
	/** --rounds N: run every server N times in turn and report the medians (1). */
	rounds: number;
}

function parse(args: string[]): Options {
	const value = (name: string, fallback: string) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
	};
	const targets = value('db', 'both');
	return {
		rooms: Number(value('rooms', '1000')),
		seconds: Number(value('seconds', '60')),
		targets: targets === 'both' ? ['postgres', 'pglite'] : [targets as 'postgres' | 'pglite'],
		profileDir: args.includes('--profile') ? path.resolve(value('profile', '.')) : null,
		countDir: args.includes('--count-queries') ? path.resolve(value('count-queries', '.')) : null,
		beforeRoot: args.includes('--before') ? path.resolve(value('before', '.')) : null,
		warmupSeconds: Number(value('warmup', '4')),
		trellisOnly: args.includes('--trellis-only'),
		rounds: Math.max(1, Number(value('rounds', '1')))
	};
}

const log = (message: string) => console.log(`[bench] ${message}`);
const histogram = () =>
	hdr.build({
		lowestDiscernibleValue: 1,
		highestTrackableValue: 120_000_000,
		numberOfSignificantValueDigits: 3
	});
const ms = (h: hdr.Histogram, p: number) => Math.round(h.getValueAtPercentile(p) / 10) / 100;

interface Room {
	assignmentId: string;
	cookies: [string, string, string];
	ids: [string, string, string];
}

/** Inserts N couples with a therapist each, signed-in sessions and a live assignment, in bulk. */
async function seed(db: Kysely<Database>, rooms: number): Promise<Room[]> {
	const def = await db
		.insertInto('exercise_definitions')
		.values({ key: 'bench', version: 1, owner_id: null, definition: JSON.stringify(definition) })
		.returning('id')
		.executeTakeFirstOrThrow();
	const result: Room[] = [];
	const expires = new Date(Date.now() + 24 * 3600_000);
	for (let start = 0; start < rooms; start += 200) {
		const batch = Array.from({ length: Math.min(200, rooms - start) }, (_, k) => start + k);
		await db.transaction().execute(async (trx) => {
			const users = await trx
				.insertInto('users')
				.values(
					batch.flatMap((n) => [
						{ email: `t${n}@bench.test`, role: 'therapist' as const, display_name: `T${n}` },
						{ email: `a${n}@bench.test`, role: 'partner' as const, display_name: `A${n}` },
						{ email: `b${n}@bench.test`, role: 'partner' as const, display_name: `B${n}` }
					])
				)
				.returning(['id', 'email'])
				.execute();
			const byEmail = new Map(users.map((u) => [u.email, u.id]));
			const couples = await trx
				.insertInto('couples')
				.values(
					batch.map((n) => ({
						therapist_id: byEmail.get(`t${n}@bench.test`)!,
						label: `Couple ${n}`
					}))
				)
				.returning(['id', 'label'])
				.execute();
			const coupleOf = new Map(couples.map((c) => [c.label, c.id]));
			await trx
				.insertInto('couple_members')
				.values(
					batch.flatMap((n) => [
						{
							couple_id: coupleOf.get(`Couple ${n}`)!,
							slot: 1 as const,
							user_id: byEmail.get(`a${n}@bench.test`)!,
							display_name: `A${n}`
						},
						{
							couple_id: coupleOf.get(`Couple ${n}`)!,
							slot: 2 as const,
							user_id: byEmail.get(`b${n}@bench.test`)!,
							display_name: `B${n}`
						}
					])
				)
				.execute();
			const assignments = await trx
				.insertInto('assignments')
				.values(
					batch.map((n) => ({
						couple_id: coupleOf.get(`Couple ${n}`)!,
						definition_id: def.id,
						mode: 'live' as const,
						current_section_id: 's1',
						created_by: byEmail.get(`t${n}@bench.test`)!
					}))
				)
				.returning(['id', 'couple_id'])
				.execute();
			const assignmentOf = new Map(assignments.map((a) => [a.couple_id, a.id]));
			const sessions: {
				id: string;
				user_id: string;
				expires_at: Date;
				two_factor_verified: boolean;
			}[] = [];
			for (const n of batch) {
				const ids = ['t', 'a', 'b'].map((p) => byEmail.get(`${p}${n}@bench.test`)!) as [
					string,
					string,
					string
				];
				const tokens = ids.map(() => generateSessionToken());
				tokens.forEach((token, i) =>
					sessions.push({
						id: sessionIdFromToken(token),
						user_id: ids[i],
						expires_at: expires,
						two_factor_verified: true
					})
				);
				result.push({
					assignmentId: assignmentOf.get(coupleOf.get(`Couple ${n}`)!)!,
					cookies: tokens.map((t) => `${SESSION_COOKIE}=${t}`) as [string, string, string],
					ids
				});
			}
			await trx.insertInto('sessions').values(sessions).execute();
		});
	}
	return result;
}

interface StageFigures {
	p50: number;
	p99: number;
	max: number;
	count: number;
}

interface ServerMetrics {
	loopP99Ms: number;
	rssMb: number;
	cpuMs: number;
	/** Trellis only: a save's time queued for its batch, in its statement, and handled in all (ms). */
	stages?: Record<string, StageFigures>;
}

/** Every core's busy and idle time since boot (ms), summed. */
function machineTimes() {
	let busy = 0;
	let idle = 0;
	for (const { times } of cpus()) {
		busy += times.user + times.nice + times.sys + times.irq;
		idle += times.idle;
	}
	return { busy, idle };
}

/** CPU time (ms) of every process named postgres and of the backends that ended, from /proc. */
function postgresCpuMs(): number {
	let total = 0;
	let pids: string[];
	try {
		pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
	} catch {
		return 0;
	}
	for (const pid of pids) {
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			const close = stat.lastIndexOf(')');
			if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
			const fields = stat.slice(close + 2).split(' ');
			// utime and stime, then cutime and cstime: the postmaster's count of backends that ended.
			total +=
				(Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
		} catch {
			// the process ended between the listing and the read
		}
	}
	return total;
}

function busyPercent(from: ReturnType<typeof machineTimes>, to: ReturnType<typeof machineTimes>) {
	const busy = to.busy - from.busy;
	const all = busy + (to.idle - from.idle);
	return all ? Math.round((busy / all) * 100) : 0;
}

function metrics(child: ChildProcess, output: () => string): Promise<ServerMetrics> {
	const before = output().length;
	child.kill('SIGUSR2');
	return new Promise((resolve) => {
		const check = () => {
			const line = output()
				.slice(before)
				.split('\n')
				.find((l) => l.startsWith('METRICS '));
			if (line) resolve(JSON.parse(line.slice(8)));
			else setTimeout(check, 20);
		};
		check();
	});
}

interface RunFigures {
	sockets: number;
	ackP50Ms: number;
	ackP95Ms: number;
	ackP99Ms: number;
	fanoutP50Ms: number;
	fanoutP95Ms: number;
	fanoutP99Ms: number;
	steadyFanoutP99Ms: number;
	burstFanoutP99Ms: number;
	sent: number;
	burstOffered: number;
	burstAnswered: number;
	burstAckedRatio: number;
	/** Replies (acks and refusals) received in each 5 s window over the saves sent in it. */
	/** Per 5-second window: saves offered, replies, and the fan-out p99 of the saves sent in it. */
	windows: { offered: number; answered: number; fanoutP99Ms: number }[];
	minWindowRatio: number;
	timeouts: number;
	/** Sockets that closed during the run, by Socket.IO's reason (the bench does not reconnect them). */
	disconnects: Record<string, number>;
	/** Refusals and failures the server answered with, by code. */
	errorCodes: Record<string, number>;
	acked: number;
	errors: number;
	loopLagP99Ms: number;
	rssMb: number;
	cpuPercent: number;
	/** The whole machine's cores busy over the run (client, server and database together), 0–100 %. */
	machineBusyPercent: number;
	/** The bench's own process (the clients of every socket), % of one core. */
	clientCpuPercent: number;
	/** Every PostgreSQL server process on this machine, % of one core (0 with PGlite or no /proc). */
	databaseCpuPercent: number;
	connectSeconds: number;
	stages?: Record<string, StageFigures>;
}

/** Drives N rooms against a server: partners answer every 2 s (every 1 s in the burst), therapists advance. */
async function drive(
	url: string,
	rooms: Room[] | number,
	seconds: number,
	child: ChildProcess,
	output: () => string,
	bare: boolean,
	label = bare ? 'relay' : 'trellis'
): Promise<RunFigures & { ops: Set<string> }> {
	const count = Array.isArray(rooms) ? rooms.length : rooms;
	const ack = histogram();
	const fanout = histogram();
	const steadyFanout = histogram(); // saves sent outside the burst
	const burstFanout = histogram();
	const sockets: Socket[] = [];
	const ops = new Set<string>();
	let sent = 0;
	let acked = 0;
	let errors = 0;
	let timeouts = 0;
	let finished = false;
	const disconnects: Record<string, number> = {};
	const errorCodes: Record<string, number> = {};
	let burstOffered = 0;
	let burstAnswered = 0;
	const windows: { offered: number; answered: number }[] = [];
	// Where in the run the tail is (the burst, the therapists' advances every 15 s, or spread out).
	const windowFanout: ReturnType<typeof histogram>[] = [];
	const windowAt = (t: number) => {
		const i = Math.max(0, Math.floor((t - started) / 5000));
		while (windows.length <= i) {
			windows.push({ offered: 0, answered: 0 });
			windowFanout.push(histogram());
		}
		return i;
	};
	const inBurst = (t: number) => t >= burstFrom && t < burstTo;
	// Fan-out times are kept per phase, by when the save was sent (performance.now() → epoch ms).
	const record = (sentAt: number, now: number) => {
		const us = Math.max(1, Math.round((now - sentAt) * 1000));
		fanout.recordValue(us);
		const sentWall = performance.timeOrigin + sentAt;
		(inBurst(sentWall) ? burstFanout : steadyFanout).recordValue(us);
		if (started && sentWall >= started) windowFanout[windowAt(sentWall)].recordValue(us);
	};
	let started = 0;
	let measuring = false;
	let burstFrom = 0;
	let burstTo = 0;
	const pending = new Map<string, number[]>(); // sender id + item → send times awaiting the partner's event
	const connectStart = Date.now();

	const open = (index: number, member: number): Promise<Socket> => {
		const room = Array.isArray(rooms) ? rooms[index] : null;
		const socket = connectClient(`${url}/live`, {
			transports: ['websocket'],
			reconnection: false,
			forceNew: true,
			extraHeaders: room ? { cookie: room.cookies[member] } : {},
			query: bare ? { room: `r${index}`, member: `m${member}` } : {}
		});
		sockets.push(socket);
		socket.on('disconnect', (reason) => {
			if (!finished) disconnects[reason] = (disconnects[reason] ?? 0) + 1;
		});
		return new Promise((resolve, reject) => {
			socket.once('connect', async () => {
				if (room) {
					const joined = await socket.emitWithAck('room:join', { assignmentId: room.assignmentId });
					if (!joined.ok) return reject(new Error(joined.error.code));
				}
				resolve(socket);
			});
			socket.once('connect_error', reject);
		});
	};

	const members: { socket: Socket; index: number; member: number; section: string }[] = [];
	for (let start = 0; start < count; start += 50) {
		const batch = Array.from({ length: Math.min(50, count - start) }, (_, k) => start + k);
		const opened = await Promise.all(
			batch.flatMap((index) =>
				[0, 1, 2].map(async (member) => ({
					socket: await open(index, member),
					index,
					member,
					section: 's1'
				}))
			)
		);
		members.push(...opened);
		if ((start / 50) % 4 === 0) log(`connected ${members.length} of ${count * 3} sockets`);
	}
	const connectSeconds = (Date.now() - connectStart) / 1000;

	for (const m of members) {
		m.socket.on(
			'room:event',
			(event: {
				type: string;
				actorId?: string;
				itemId?: string;
				sectionId?: string;
				sentAt?: number;
				seq: number;
			}) => {
				if (event.type === 'section-opened') m.section = event.sectionId!;
				if (!measuring) return;
				if (event.type !== 'answer-saved' && event.type !== 'partner-answered') return;
				if (m.member === 0) return; // fan-out is measured at the other partner
				const now = performance.now();
				if (bare) return record(event.sentAt!, now);
				// Not the writer's own copy of its save: the time that counts is the other partner's.
				const own = Array.isArray(rooms) ? rooms[m.index].ids[m.member] : null;
				if (event.actorId === own) return;
				const queue = pending.get(`${event.actorId}|${event.itemId}`);
				const sentAt = queue?.shift();
				if (sentAt !== undefined) record(sentAt, now);
			}
		);
	}

	// The same warm-up for every server, not counted: each partner saves every 2 s for a few seconds
	// (the server's JIT, each database connection's first plans), then every reply is waited for and
	// the partners' copies of the last ones are let arrive.
	if (warmupSeconds > 0) {
		log(`${label}: warming up for ${warmupSeconds} s`);
		const replies: Promise<unknown>[] = [];
		const until = Date.now() + warmupSeconds * 1000;
		const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
		await Promise.all(
			members
				.filter((m) => m.member !== 0)
				.map(async (m) => {
					await pause(Math.random() * 2000);
					for (let n = 0; Date.now() < until; n++) {
						const opId = `w${m.index}-${m.member}-${n}-${Math.random().toString(36).slice(2, 8)}`;
						replies.push(
							m.socket
								.timeout(10_000)
								.emitWithAck('answer:save', {
									opId,
									itemId: `${m.section}-i1`,
									value: 'warm-up',
									sentAt: performance.now()
								})
								.catch(() => undefined)
						);
						await pause(2000);
					}
				})
		);
		await Promise.allSettled(replies);
		await pause(250);
	}
	await checkpoint(label);
	measuring = true;

	await metrics(child, output); // resets the server's loop-delay histogram
	const cpuStart = await metrics(child, output);
	const machineStart = machineTimes();
	const databaseStart = postgresCpuMs();
	const clientStart = process.cpuUsage();
	started = Date.now();
	burstFrom = started + seconds * 400;
	burstTo = started + seconds * 600;
	const timers: NodeJS.Timeout[] = [];
	const inflight = new Set<Promise<unknown>>();

	const save = (m: (typeof members)[number]) => {
		const room = Array.isArray(rooms) ? rooms[m.index] : null;
		const item = `${m.section}-i${1 + Math.floor(Math.random() * 3)}`;
		const opId = `b${m.index}-${m.member}-${sent}-${Math.random().toString(36).slice(2, 8)}`;
		const t0 = performance.now();
		const sentWall = Date.now();
		sent += 1;
		windows[windowAt(sentWall)].offered += 1;
		if (inBurst(sentWall)) burstOffered += 1;
		const answered = () => {
			const at = Date.now();
			windows[windowAt(at)].answered += 1;
			if (inBurst(at)) burstAnswered += 1;
		};
		const senderId = room ? room.ids[m.member] : '';
		const key = `${senderId}|${item}`;
		if (room && m.member === 1) {
			const q = pending.get(key) ?? [];
			q.push(t0);
			pending.set(key, q);
		}
		const p = m.socket
			.timeout(10_000)
			.emitWithAck('answer:save', { opId, itemId: item, value: `answer ${sent}`, sentAt: t0 })
			.then((result: { ok: boolean; error?: { code: string } }) => {
				answered();
				if (!result.ok) {
					const code = result.error?.code ?? 'unknown';
					errorCodes[code] = (errorCodes[code] ?? 0) + 1;
				}
				if (result.ok) {
					acked += 1;
					ops.add(opId);
					ack.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
				} else {
					errors += 1;
					// A refused save (the room moved on) sends no event: forget its send time.
					const q = pending.get(key);
					const at = q ? q.indexOf(t0) : -1;
					if (room && m.member === 1 && q && at >= 0) q.splice(at, 1);
				}
			})
			.catch(() => {
				errors += 1;
				timeouts += 1;
			});
		inflight.add(p);
		void p.finally(() => inflight.delete(p));
	};

	for (const m of members) {
		if (m.member === 0) {
			// Therapists move their room on every 15 s or so.
			timers.push(
				setInterval(
					() => {
						const next = `s${1 + (Number(m.section.slice(1)) % 3)}`;
						m.socket
							.timeout(10_000)
							.emitWithAck('room:advance', {
								opId: `adv-${m.index}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
								sectionId: next
							})
							.catch(() => undefined);
					},
					15_000 + Math.random() * 2000
				)
			);
			continue;
		}
		const tick = () => {
			const now = Date.now();
			if (now - started >= seconds * 1000) return;
			save(m);
			const burst = now >= burstFrom && now < burstTo;
			timers.push(setTimeout(tick, burst ? 1000 : 2000));
		};
		timers.push(setTimeout(tick, Math.random() * 2000));
	}

	const progress = setInterval(() => {
		log(
			`${label}: ${Math.round((Date.now() - started) / 1000)} s, sent ${sent}, acked ${acked}, errors ${errors}, ack p99 ${ms(ack, 99)} ms, fan-out p99 ${ms(fanout, 99)} ms`
		);
	}, 5000);
	await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
	for (const t of timers) clearTimeout(t);
	await Promise.allSettled([...inflight]);
	clearInterval(progress);
	const end = await metrics(child, output);
	if (end.stages) {
		const shown = Object.entries(end.stages).map(
			([name, f]) => `${name} p50 ${f.p50} / p99 ${f.p99} / max ${f.max} (${f.count})`
		);
		log(`${label} server stages (ms; batchSize in saves): ${shown.join('; ')}`);
	}
	finished = true;
	for (const s of sockets) s.disconnect();
	const wall = (Date.now() - started) / 1000;
	const machineBusyPercent = busyPercent(machineStart, machineTimes());
	const databaseCpuPercent = Math.round(((postgresCpuMs() - databaseStart) / 1000 / wall) * 100);
	const clientCpu = process.cpuUsage(clientStart);
	const clientCpuPercent = Math.round(((clientCpu.user + clientCpu.system) / 1e6 / wall) * 100);
	const cpuPercent = Math.round(((end.cpuMs - cpuStart.cpuMs) / 1000 / wall) * 100);
	log(
		`${label} CPU: machine ${machineBusyPercent} % busy (${cpus().length} cores); clients ${clientCpuPercent} %, server ${cpuPercent} %, PostgreSQL ${databaseCpuPercent} % of a core`
	);
	return {
		sockets: sockets.length,
		ackP50Ms: ms(ack, 50),
		ackP95Ms: ms(ack, 95),
		ackP99Ms: ms(ack, 99),
		fanoutP50Ms: ms(fanout, 50),
		fanoutP95Ms: ms(fanout, 95),
		fanoutP99Ms: ms(fanout, 99),
		steadyFanoutP99Ms: ms(steadyFanout, 99),
		burstFanoutP99Ms: ms(burstFanout, 99),
		sent,
		burstOffered,
		burstAnswered,
		burstAckedRatio: burstOffered ? Math.round((burstAnswered / burstOffered) * 1000) / 1000 : 0,
		windows: windows.map((w, i) => ({ ...w, fanoutP99Ms: ms(windowFanout[i], 99) })),
		// The last window is cut short by the end of the run (replies only, no new saves).
		minWindowRatio:
			Math.round(
				Math.min(
					...windows
						.slice(0, Math.max(1, Math.floor(seconds / 5)))
						.map((w) => (w.offered ? w.answered / w.offered : 1))
				) * 1000
			) / 1000,
		timeouts,
		disconnects,
		errorCodes,
		acked,
		errors,
		loopLagP99Ms: Math.round(end.loopP99Ms * 10) / 10,
		rssMb: Math.round(end.rssMb),
		cpuPercent,
		machineBusyPercent,
		clientCpuPercent,
		databaseCpuPercent,
		connectSeconds,
		...(end.stages ? { stages: end.stages } : {}),
		ops
	};
}

async function count(db: Kysely<Database>, ops: Set<string>) {
	const receipts = await db.selectFrom('op_receipts').select('op_id').execute();
	const stored = new Set(receipts.map((r) => r.op_id).filter((op) => op.startsWith('b')));
	const warmUps = receipts.filter((r) => r.op_id.startsWith('w')).length;
	const events = await sql<{
		n: number;
	}>`select count(*)::int as n from room_events where type = 'answer-saved'`.execute(db);
	const missing = [...ops].filter((op) => !stored.has(op)).length;
	// Every stored save, warm-up ones too, has exactly one event.
	return {
		stored: stored.size,
		lost: missing,
		duplicated: events.rows[0].n - stored.size - warmUps
	};
}

let appRoot = '';
let warmupSeconds = 4;

/** The server's environment for a CPU profile and a count of its statements, when asked for. */
function instrumented(target: string, options: Options): Record<string, string> {
	const env: Record<string, string> = {};
	const preloads: string[] = [];
	const stamp = `${target}-${options.rooms}-${Date.now()}`;
	if (options.profileDir) {
		mkdirSync(options.profileDir, { recursive: true });
		env.TRELLIS_CPU_PROFILE = path.join(options.profileDir, `server-${stamp}.cpuprofile`);
		preloads.push(path.resolve('tests/bench/cpu-profile.js'));
		log(`${target}: the server's CPU profile goes to ${env.TRELLIS_CPU_PROFILE}`);
	}
	if (options.countDir) {
		mkdirSync(options.countDir, { recursive: true });
		env.TRELLIS_QUERY_COUNTS = path.join(options.countDir, `queries-${stamp}.json`);
		preloads.push(path.resolve('tests/bench/count-queries.js'));
		log(`${target}: the server's statements are counted in ${env.TRELLIS_QUERY_COUNTS}`);
	}
	if (preloads.length || process.env.SERVER_NODE_OPTIONS)
		env.NODE_OPTIONS = [
			process.env.NODE_OPTIONS ?? '',
			process.env.SERVER_NODE_OPTIONS ?? '',
			...preloads.map((p) => `--import ${p}`)
		]
			.join(' ')
			.trim();
	return env;
}

async function runTrellis(target: 'postgres' | 'pglite', options: Options, root = appRoot) {
	log(`${target}: seeding ${options.rooms} rooms`);
	const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-'));
	let databaseUrl: string | undefined;
	let db: Kysely<Database>;
	let close: () => Promise<void>;
	let drop = async () => rmSync(dataDir, { recursive: true, force: true });
	if (target === 'postgres') {
		const base = baseUrl();
		const schema = `bench_${Date.now().toString(36)}`;
		const admin = openDatabase({ kind: 'postgres', url: base, poolSize: 1 });
		await sql`create schema ${sql.id(schema)}`.execute(admin.db);
		const conn = openDatabase({ kind: 'postgres', url: base, schema, poolSize: 4 });
		db = conn.db;
		close = () => conn.close();
		const url = new URL(base);
		url.searchParams.set('options', `-c search_path=${schema}`);
		databaseUrl = url.toString();
		const previous = drop;
		drop = async () => {
			await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
			await admin.close();
			await previous();
		};
	} else {
		const conn = openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
		db = conn.db;
		close = () => conn.close();
	}
	await migrateToLatest(db);
	const rooms = await seed(db, options.rooms);
	if (target === 'pglite') await close(); // the server owns the embedded database while it runs

	const server: TestServer = await startServer({
		root,
		dataDir,
		databaseUrl,
		env: {
			TRELLIS_REPORT_METRICS: '1',
			TRELLIS_SEED_DEMO: 'off',
			DATABASE_POOL_SIZE: '20',
			...instrumented(target, options)
		}
	});
	log(`${target}: server on ${server.url}`);
	const figures = await drive(
		server.url,
		rooms,
		options.seconds,
		server.child,
		server.output,
		false
	);
	if (figures.timeouts > 0 || figures.errorCodes.unavailable) {
		// Acks that never came: show what the server said (its own messages; it logs no client data).
		const said = server
			.output()
			.split('\n')
			.filter((line) => line && !line.startsWith('METRICS '));
		log(
			`${target}: ${figures.timeouts} acks timed out, ${figures.errorCodes.unavailable ?? 0} unavailable; the server's last words:\n${said.slice(-15).join('\n')}`
		);
	}
	await server.stop();
	if (target === 'pglite') {
		const conn = openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
		db = conn.db;
		close = () => conn.close();
	}
	const stored = await count(db, figures.ops);
	await close();
	await drop();
	const { ops: _ops, ...rest } = figures;
	return { ...rest, ...stored };
}

/**
 * Every server's measured run starts just after a checkpoint, so none of them is the one a timed
 * checkpoint lands in: a seeded schema (or the test suite's) leaves thousands of files for the next
 * checkpoint to sync, and while it does, every commit on the machine waits longer (seen here: 26,704
 * files synced in one checkpoint, and the same build's p99 from 10 to 33 ms between rounds).
 */
async function checkpoint(label: string) {
	const client = new pg.Client({ connectionString: baseUrl() });
	try {
		await client.connect();
		await client.query('checkpoint');
	} catch (error) {
		log(
			`${label}: no checkpoint before the run (${error instanceof Error ? error.message : error})`
		);
	} finally {
		await client.end().catch(() => undefined);
	}
}

const baseUrl = () =>
	process.env.BENCH_DATABASE_URL ??
	process.env.TEST_DATABASE_URL ??
	'postgres://postgres@127.0.0.1:5432/test';

/** The bare relay (no database), or with `naive` the naive durable relay on its own schema of PostgreSQL. */
async function runRelay(options: Options, naive = false) {
	const port = await freePort();
	let env: Record<string, string> = {};
	let drop = async () => {};
	if (naive) {
		const schema = `naive_${Date.now().toString(36)}`;
		const admin = openDatabase({ kind: 'postgres', url: baseUrl(), poolSize: 1 });
		await sql`create schema ${sql.id(schema)}`.execute(admin.db);
		const url = new URL(baseUrl());
		url.searchParams.set('options', `-c search_path=${schema}`);
		env = { DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '20' };
		drop = async () => {
			await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
			await admin.close();
		};
	}
	const script = naive ? 'tests/bench/naive-relay.js' : 'tests/bench/bare-relay.js';
	const child = spawn(process.execPath, [path.resolve(script)], {
		env: { ...process.env, ...env, PORT: String(port) },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	let output = '';
	await new Promise<void>((resolve) =>
		child.stdout!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('Relay listening')) resolve();
		})
	);
	const figures = await drive(
		`http://127.0.0.1:${port}`,
		options.rooms,
		options.seconds,
		child,
		() => output,
		true,
		naive ? 'naive relay' : 'relay'
	);
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
	await drop();
	const { ops: _ops, ...rest } = figures;
	return rest;
}

type Figures = Awaited<ReturnType<typeof runTrellis>>;
type RelayFigures = Awaited<ReturnType<typeof runRelay>>;

/** One round: each Trellis target (and any earlier build), then the two relays, on the same load. */
async function round(options: Options) {
	const trellis: Record<string, Figures> = {};
	for (const target of options.targets) {
		if (options.beforeRoot) {
			log(`${target}: the earlier build in ${options.beforeRoot}`);
			trellis[`${target}-before`] = await runTrellis(target, options, options.beforeRoot);
		}
		trellis[target] = await runTrellis(target, options);
	}
	let relay: RelayFigures | null = null;
	let naive: RelayFigures | null = null;
	if (!options.trellisOnly) {
		log('bare relay: same rooms, sockets and pace, no database');
		relay = await runRelay(options);
		log('naive durable relay: same rooms, sockets and pace, one pg transaction per answer');
		naive = await runRelay(options, true);
	}
	const before = trellis['postgres-before'] ?? trellis['pglite-before'] ?? null;
	return { trellis, main: trellis.postgres ?? trellis.pglite, before, relay, naive };
}

const ratio = (a: number, b: number | undefined) => (b ? Math.round((a / b) * 100) / 100 : null);

function median(values: (number | null)[]): number | null {
	const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
	if (known.length === 0) return null;
	const mid = Math.floor(known.length / 2);
	const value = known.length % 2 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
	return Math.round(value * 100) / 100;
}

export default async function bench(args: string[]): Promise<number> {
	const options = parse(args);
	warmupSeconds = options.warmupSeconds;
	log(
		`rooms ${options.rooms}, seconds ${options.seconds}, targets ${options.targets.join(', ')}, rounds ${options.rounds}`
	);
	appRoot = snapshotBuild();
	const rounds: Awaited<ReturnType<typeof round>>[] = [];
	for (let n = 1; n <= options.rounds; n++) {
		if (options.rounds > 1) log(`round ${n} of ${options.rounds}`);
		rounds.push(await round(options));
	}
	removeDir(appRoot);
	// With several rounds, each figure is the median of the rounds' (a ratio: of each round's own
	// ratio, so a slow round for every server does not count against one); counts are summed.
	const mid = (pick: (r: (typeof rounds)[number]) => number | null | undefined) =>
		median(rounds.map((r) => pick(r) ?? null));
	const sum = (pick: (f: Figures) => number) => rounds.reduce((n, r) => n + pick(r.main), 0);
	const worst = (pick: (f: Figures) => number) => Math.min(...rounds.map((r) => pick(r.main)));
	const last = rounds[rounds.length - 1];
	const summary = {
		rooms: options.rooms,
		sockets: last.main.sockets,
		seconds: options.seconds,
		database: options.targets[0],
		rounds: rounds.length,
		ackP50Ms: mid((r) => r.main.ackP50Ms),
		ackP95Ms: mid((r) => r.main.ackP95Ms),
		ackP99Ms: mid((r) => r.main.ackP99Ms),
		fanoutP50Ms: mid((r) => r.main.fanoutP50Ms),
		fanoutP95Ms: mid((r) => r.main.fanoutP95Ms),
		fanoutP99Ms: mid((r) => r.main.fanoutP99Ms),
		bareRelayP99Ms: mid((r) => r.relay?.fanoutP99Ms),
		fanoutP99Ratio: mid((r) => ratio(r.main.fanoutP99Ms, r.relay?.fanoutP99Ms)),
		naiveRelayP99Ms: mid((r) => r.naive?.fanoutP99Ms),
		naiveRelayRatio: mid((r) => ratio(r.main.fanoutP99Ms, r.naive?.fanoutP99Ms)),
		steadyFanoutP99Ms: mid((r) => r.main.steadyFanoutP99Ms),
		bareRelaySteadyP99Ms: mid((r) => r.relay?.steadyFanoutP99Ms),
		steadyFanoutP99Ratio: mid((r) => ratio(r.main.steadyFanoutP99Ms, r.relay?.steadyFanoutP99Ms)),
		burstAckedRatio: worst((f) => f.burstAckedRatio),
		minWindowRatio: worst((f) => f.minWindowRatio),
		timeouts: sum((f) => f.timeouts),
		sent: sum((f) => f.sent),
		acked: sum((f) => f.acked),
		stored: sum((f) => f.stored),
		lost: sum((f) => f.lost),
		duplicated: sum((f) => f.duplicated),
		errors: sum((f) => f.errors),
		loopLagP99Ms: mid((r) => r.main.loopLagP99Ms),
		rssMb: mid((r) => r.main.rssMb),
		cpuPercent: mid((r) => r.main.cpuPercent),
		// Each round's headline figures, then the last round's in full.
		byRound: rounds.map((r) => ({
			fanoutP99Ms: r.main.fanoutP99Ms,
			steadyFanoutP99Ms: r.main.steadyFanoutP99Ms,
			bareRelayP99Ms: r.relay?.fanoutP99Ms ?? null,
			bareRelaySteadyP99Ms: r.relay?.steadyFanoutP99Ms ?? null,
			naiveRelayP99Ms: r.naive?.fanoutP99Ms ?? null,
			naiveRelaySteadyP99Ms: r.naive?.steadyFanoutP99Ms ?? null,
			...(r.before
				? {
						beforeFanoutP99Ms: r.before.fanoutP99Ms,
						beforeSteadyFanoutP99Ms: r.before.steadyFanoutP99Ms
					}
				: {})
		})),
		perTarget: last.trellis,
		bareRelay: last.relay,
		naiveRelay: last.naive
	};
	console.log(JSON.stringify(summary));
	return summary.lost === 0 && summary.duplicated === 0 ? 0 : 1;
}
