// The append-only audit log: each row carries the hash of the one before it, written in the caller's transaction.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { sql, type Kysely } from 'kysely';
import { isId } from '$lib/input';
import type { Database } from './db/schema';

export interface AuditEntry {
	actorId: string | null;
	action: string;
	targetType?: string | null;
	targetId?: string | null;
	coupleId?: string | null;
	ip?: string | null;
	detail?: Record<string, unknown> | null;
}

const CHAIN_LOCK = 7_411_001;

/** JSON with keys sorted at every level, so a row hashes the same after a round trip through jsonb. */
function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value ?? null);
}

export function rowHash(prevHash: string, row: Record<string, unknown>): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(prevHash + stableJson(row))));
}

function canonical(entry: AuditEntry, at: Date) {
	return {
		at: at.toISOString(),
		actor_id: entry.actorId,
		action: entry.action,
		target_type: entry.targetType ?? null,
		target_id: entry.targetId ?? null,
		couple_id: entry.coupleId ?? null,
		ip: entry.ip ?? null,
		detail: entry.detail ?? null
	};
}

/** Appends one row. Run it inside the transaction of the action it records. */
export async function record(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
	const write = async (trx: Kysely<Database>) => {
		// One writer at a time extends the chain; the lock is released when the transaction ends.
		await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
		const last = await trx
			.selectFrom('audit_log')
			.select('hash')
			.orderBy('id', 'desc')
			.limit(1)
			.executeTakeFirst();
		const prevHash = last?.hash ?? '';
		const at = new Date(Math.floor(Date.now()));
		const row = canonical(entry, at);
		await trx
			.insertInto('audit_log')
			.values({
				...row,
				at,
				detail: row.detail === null ? null : JSON.stringify(row.detail),
				prev_hash: prevHash,
				hash: rowHash(prevHash, row)
			})
			.execute();
	};
	if (db.isTransaction) await write(db);
	else await db.transaction().execute(write);
}

export type ChainCheck =
	{ ok: true; rows: number } | { ok: false; rows: number; badRowId: string; reason: string };

/**
 * Walks the chain from the first row: each row must carry the previous row's hash and hash to its own.
 * An altered row fails its own hash; a removed row breaks the next row's link.
 */
export async function verify(db: Kysely<Database>, batchSize = 1000): Promise<ChainCheck> {
	let prevHash = '';
	let afterId = '0';
	let rows = 0;
	for (;;) {
		const batch = await db
			.selectFrom('audit_log')
			.selectAll()
			.where(sql<boolean>`id > ${afterId}::bigint`)
			.orderBy('id')
			.limit(batchSize)
			.execute();
		for (const row of batch) {
			rows += 1;
			if ((row.prev_hash ?? '') !== prevHash) {
				return {
					ok: false,
					rows,
					badRowId: String(row.id),
					reason:
						'its link to the row before does not match (a row before it was removed or changed)'
				};
			}
			const expected = rowHash(prevHash, {
				at: row.at.toISOString(),
				actor_id: row.actor_id,
				action: row.action,
				target_type: row.target_type,
				target_id: row.target_id,
				couple_id: row.couple_id,
				ip: row.ip,
				detail: row.detail ?? null
			});
			if (row.hash !== expected) {
				return {
					ok: false,
					rows,
					badRowId: String(row.id),
					reason: 'its content does not match its hash (it was altered)'
				};
			}
			prevHash = row.hash;
			afterId = String(row.id);
		}
		if (batch.length < batchSize) return { ok: true, rows };
	}
}

/**
 * One therapist's own trail of what was done to one couple's record, newest first (500 at most),
 * narrowed by an action prefix and whole days (UTC, `YYYY-MM-DD`, empty for no bound).
 */
export async function coupleTrail(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string,
	filter: { action: string; from: string; to: string }
) {
	let query = db
		.selectFrom('audit_log')
		.leftJoin('users', 'users.id', 'audit_log.actor_id')
		.select([
			'audit_log.id',
			'audit_log.at',
			'audit_log.action',
			'audit_log.target_type',
			'audit_log.target_id',
			'audit_log.detail',
			'users.display_name as actor'
		])
		.where('audit_log.couple_id', '=', coupleId)
		.where('audit_log.actor_id', '=', therapistId);
	const prefix = filter.action.replace(/[%_]/g, '');
	if (prefix) query = query.where('audit_log.action', 'like', `${prefix}%`);
	if (filter.from) query = query.where('audit_log.at', '>=', new Date(`${filter.from}T00:00:00Z`));
	if (filter.to) {
		const end = new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000);
		query = query.where('audit_log.at', '<', end);
	}
	return query.orderBy('audit_log.id', 'desc').limit(500).execute();
}

/** The actions that appear in a therapist's trail of one couple (the filter's choices). */
export async function coupleTrailActions(
	db: Kysely<Database>,
	therapistId: string,
	coupleId: string
): Promise<string[]> {
	const rows = await db
		.selectFrom('audit_log')
		.select('action')
		.distinct()
		.where('couple_id', '=', coupleId)
		.where('actor_id', '=', therapistId)
		.orderBy('action')
		.execute();
	return rows.map((r) => r.action);
}

/** What an audit row points at, for its sentence: a note's kind and session day, an exercise's title. */
export interface TrailTarget {
	note?: { kind: 'progress' | 'psychotherapy'; day: string };
	title?: string;
}

/** The notes and assignments a couple's trail rows point at, in two queries, by id. */
export async function trailTargets(
	db: Kysely<Database>,
	coupleId: string,
	rows: { target_type: string | null; target_id: string | null }[]
): Promise<Record<string, TrailTarget>> {
	const idsOf = (type: string) => [
		...new Set(
			rows
				.filter((r) => r.target_type === type && isId(r.target_id))
				.map((r) => r.target_id as string)
		)
	];
	const noteIds = idsOf('note');
	const assignmentIds = idsOf('assignment');
	const [notes, assignments] = await Promise.all([
		noteIds.length === 0
			? []
			: db
					.selectFrom('notes')
					.select(['id', 'kind'])
					.select(sql<string>`session_date::text`.as('day'))
					.where('couple_id', '=', coupleId)
					.where((eb) => eb('id', '=', eb.fn.any(eb.val(noteIds))))
					.execute(),
		assignmentIds.length === 0
			? []
			: db
					.selectFrom('assignments as a')
					.innerJoin('exercise_definitions as d', 'd.id', 'a.definition_id')
					.select(['a.id', 'd.definition'])
					.where('a.couple_id', '=', coupleId)
					.where((eb) => eb('a.id', '=', eb.fn.any(eb.val(assignmentIds))))
					.execute()
	]);
	const targets: Record<string, TrailTarget> = {};
	for (const n of notes) targets[n.id] = { note: { kind: n.kind, day: n.day } };
	for (const a of assignments) targets[a.id] = { title: (a.definition as { title: string }).title };
	return targets;
}
