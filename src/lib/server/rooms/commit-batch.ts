// Group commit for the hottest write: the answer saves that arrive in one turn of the event loop are
// stored by ONE statement (multi-row `unnest` parameters, one round trip, one WAL flush), with a fixed
// text that is never re-compiled and, on a PostgreSQL server, a named statement planned once per
// connection. Per save it keeps what the one-save statement kept: the next seq only while the section
// is open to this partner and the opId is new, the receipt, the answer, any safety flag and the event.
//
// Order and exactly-once: a room has at most one batch in flight (a save for a room whose batch is
// committing waits for the next), so a room's saves take their seqs in the order they arrived and a
// repeated opId is checked against a committed receipt; a repeat inside one batch waits for the next.
// The assignments rows are locked in id order, so two batches (or a batch and another room write)
// never deadlock. A batch that fails is run again save by save, so one bad save fails only itself.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { poolOf, SAVE_CONNECTIONS } from '../db/connect';
import { recordStage, timingStages } from '../stage-timings';

export interface SaveJob {
	assignmentId: string;
	coupleId: string;
	userId: string;
	opId: string;
	sectionId: string;
	itemId: string;
	/** The answer as JSON text. */
	value: string;
	safety: boolean;
	/** The id the safety flag takes when this save raises one (chosen here, so it needs no lookup). */
	flagId: string | null;
	/** The event's payload as JSON text. */
	payload: string;
}

/** Why the statement stored nothing: the opId was used before, or the section is not open to it. */
export type SaveRefusal =
	'repeat' | 'couple-archived' | 'room-closed' | 'section-not-current' | 'section-locked';

/**
 * The seq the save took, or why nothing was stored, read by the same statement from the rows it
 * locked (a refusal costs no further reads; a repeat is replayed from its receipt by the caller).
 */
export type SaveOutcome = { seq: number } | { refused: SaveRefusal };

interface Row {
	ord: number;
	seq: number | null;
	refused: SaveRefusal | null;
}

interface Pending {
	job: SaveJob;
	resolve: (outcome: SaveOutcome) => void;
	reject: (error: unknown) => void;
	/** Times its room's row was found locked by another write (a therapist's advance, a lock). */
	tries: number;
	/** Not tried again before this time (ms), so a locked room is not asked for in a tight loop. */
	notBefore: number;
	/** When it was queued (performance.now()), for bench:live's stage timings. */
	queuedAt: number;
}

const MAX_BATCH = 256;

interface Variant {
	/** Rooms another write holds are left out (seq 0: try again shortly) instead of waited for. */
	skipLocked: boolean;
	/** Some save of the batch is a safety answer: the statement also raises its flags. */
	flags: boolean;
}

// One pass: each input row is checked once against its room's locked row (`checked`), so the reason
// a save was refused is known without a second look, and the plan stays small (PostgreSQL builds
// every node of it again on each execution: at one save a batch, starting the executor cost as much
// as running it). The flags CTE, with its crisis-resources lookup, is only in the statement used
// for a batch that holds a safety answer.
const statement = ({ skipLocked, flags }: Variant) => `with input as (
	select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[],
		$7::text[], $8::boolean[], $9::uuid[], $10::text[]) with ordinality
		as t (assignment_id, couple_id, user_id, op_id, section_id, item_id, value, safety, flag_id, payload, ord)
), locked as (
	-- One index probe per room, locked in id order. As \`id = any($1)\` a generic plan, which cannot
	-- know the array holds one id or two, read the whole assignments table instead on every save.
	select l.* from (select distinct assignment_id from input order by assignment_id) i
	cross join lateral (
		select id, last_seq, status, mode, current_section_id from assignments a
		where a.id = i.assignment_id
		limit 1
		for update${skipLocked ? ' skip locked' : ''}
	) l
), checked as (
	-- Each check is a scalar subquery: one index probe per save whatever the plan expects of the
	-- arrays' lengths (an EXISTS here may be run as a hashed subplan, and a join as a hash join, that
	-- read a whole table on every execution).
	select i.*, l.id is not null as found, l.last_seq, case
		when l.id is null then null
		when (select true from op_receipts o where o.user_id = i.user_id and o.op_id = i.op_id)
			then 'repeat'
		when (select c.archived_at is not null from couples c where c.id = i.couple_id)
			then 'couple-archived'
		when l.status <> 'open' then 'room-closed'
		when l.mode <> 'homework' and l.current_section_id is distinct from i.section_id
			then 'section-not-current'
		when (select true from section_locks s where s.assignment_id = i.assignment_id
			and s.user_id = i.user_id and s.section_id = i.section_id) then 'section-locked'
		when (select true from section_reveals r where r.assignment_id = i.assignment_id
			and r.section_id = i.section_id) then 'section-locked'
	end as refused
	from input i left join locked l on l.id = i.assignment_id
), accepted as (
	select c.*, (c.last_seq + row_number() over (partition by c.assignment_id order by c.ord))::int as seq
	from checked c
	where c.found and c.refused is null
), bumped as (
	update assignments a set last_seq = m.seq
	from (select assignment_id, max(seq) as seq from accepted group by assignment_id) m
	where a.id = m.assignment_id
), receipt as (
	insert into op_receipts (user_id, op_id, assignment_id, result)
	select user_id, op_id, assignment_id,
		jsonb_build_object('seq', seq, 'safety', safety, 'emailed', false)
	from accepted
	on conflict do nothing
	returning user_id, op_id
), kept as (
	select a.* from accepted a join receipt r on r.user_id = a.user_id and r.op_id = a.op_id
), saved as (
	insert into responses (assignment_id, user_id, item_id, value, updated_at)
	select distinct on (assignment_id, user_id, item_id) assignment_id, user_id, item_id, value::jsonb, now()
	from kept
	order by assignment_id, user_id, item_id, seq desc
	on conflict (assignment_id, user_id, item_id)
	do update set value = excluded.value, updated_at = excluded.updated_at
), ${
	flags
		? `flagged as (
	insert into safety_flags (id, assignment_id, couple_id, user_id, item_id, answer, resources_shown)
	select k.flag_id, k.assignment_id, k.couple_id, k.user_id, k.item_id, k.value::jsonb,
		(select jsonb_agg(jsonb_build_object('name', r.name, 'phone', r.phone, 'textLine', r.text_line,
			'url', r.url) order by r.position)
		from crisis_resources r join couples c on c.therapist_id = r.therapist_id where c.id = k.couple_id)
	from kept k where k.safety
), `
		: ''
}evented as (
	insert into room_events (assignment_id, seq, type, actor_id, payload)
	select assignment_id, seq, 'answer-saved', user_id, payload::jsonb from kept
)
-- Every input row comes back: its seq; or why it was not stored (accepted but not kept: another
-- write stored the same opId first); or, for a room another write holds, seq 0 (try again).
select c.ord::int as ord,
	case when c.found then k.seq else ${skipLocked ? '0' : 'null'} end as seq,
	case
		when k.ord is not null then null
		when c.found then coalesce(c.refused, 'repeat')
		else ${skipLocked ? 'null' : "'repeat'"}
	end as refused
from checked c left join kept k on k.ord = c.ord`;

/** A variant's text and the name each connection parses and plans it once under. */
const named = (variant: Variant) => ({
	name: `trellis_save_${variant.skipLocked ? 'batch' : 'waiting'}${variant.flags ? '_flags' : ''}`,
	text: statement(variant)
});
export const SAVE_STATEMENTS = {
	skip: named({ skipLocked: true, flags: false }),
	skipFlags: named({ skipLocked: true, flags: true }),
	wait: named({ skipLocked: false, flags: false }),
	waitFlags: named({ skipLocked: false, flags: true })
} as const;
type StatementName = keyof typeof SAVE_STATEMENTS;
/**
 * Rooms whose row another write holds are skipped (seq 0: try again shortly), so one room's
 * advance does not hold up the saves of every other room in the batch. A save skipped this often runs
 * with the statement that waits for the lock.
 */
export const SAVE_BATCH_STATEMENT = SAVE_STATEMENTS.skip.text;
const MAX_SKIPS = 20;
const RETRY_MS = 3;

function parameters(jobs: SaveJob[]): unknown[] {
	const column = <K extends keyof SaveJob>(key: K) => jobs.map((job) => job[key]);
	return [
		column('assignmentId'),
		column('coupleId'),
		column('userId'),
		column('opId'),
		column('sectionId'),
		column('itemId'),
		column('value'),
		column('safety'),
		column('flagId'),
		column('payload')
	];
}

class SaveBatcher {
	#queue: Pending[] = [];
	#running = 0;
	#scheduled = false;
	#timer: NodeJS.Timeout | null = null;
	/** Rooms with a batch in flight. */
	#busy = new Set<string>();

	constructor(private readonly db: Kysely<Database>) {}

	save(job: SaveJob): Promise<SaveOutcome> {
		return new Promise((resolve, reject) => {
			this.#queue.push({
				job,
				resolve,
				reject,
				tries: 0,
				notBefore: 0,
				queuedAt: timingStages() ? performance.now() : 0
			});
			// Everything that arrives in this turn of the event loop goes in the same batch.
			if (!this.#scheduled) {
				this.#scheduled = true;
				setImmediate(() => {
					this.#scheduled = false;
					this.#pump();
				});
			}
		});
	}

	#pump() {
		while (this.#running < SAVE_CONNECTIONS && this.#queue.length > 0) {
			const batch: Pending[] = [];
			const rest: Pending[] = [];
			const ops = new Set<string>();
			// A room whose first waiting save is held back holds back its later saves too (arrival order).
			const held = new Set<string>();
			const now = Date.now();
			let wake = Infinity;
			let waiting: Pending | null = null;
			for (const pending of this.#queue) {
				const { assignmentId, userId, opId } = pending.job;
				const op = `${userId}\u0000${opId}`;
				if (pending.notBefore > now) {
					held.add(assignmentId);
					wake = Math.min(wake, pending.notBefore);
				}
				if (
					batch.length >= MAX_BATCH ||
					this.#busy.has(assignmentId) ||
					held.has(assignmentId) ||
					ops.has(op)
				) {
					rest.push(pending);
				} else if (pending.tries >= MAX_SKIPS && !waiting) {
					waiting = pending; // skipped too often: waits for the lock, in a batch of its own
					held.add(assignmentId);
				} else {
					if (pending.tries >= MAX_SKIPS) rest.push(pending);
					else {
						batch.push(pending);
						ops.add(op);
					}
				}
			}
			this.#queue = rest;
			if (wake !== Infinity && !this.#timer) {
				this.#timer = setTimeout(
					() => {
						this.#timer = null;
						this.#pump();
					},
					Math.max(1, wake - now)
				);
			}
			const batches = [batch, waiting ? [waiting] : []].filter((b) => b.length > 0);
			if (batches.length === 0) return; // every waiting save's room is committing or held back
			for (const one of batches) this.#start(one, one !== batch);
		}
	}

	#start(batch: Pending[], waits: boolean) {
		if (timingStages()) {
			const now = performance.now();
			recordStage('batchSize', batch.length, 'count');
			for (const pending of batch) recordStage('queued', now - pending.queuedAt);
		}
		const rooms = new Set(batch.map((p) => p.job.assignmentId));
		for (const room of rooms) this.#busy.add(room);
		this.#running += 1;
		void this.#commit(batch, waits).finally(() => {
			for (const room of rooms) this.#busy.delete(room);
			this.#running -= 1;
			this.#pump();
		});
	}

	async #commit(batch: Pending[], waits: boolean) {
		let rows: Row[];
		const timed = timingStages();
		const startedAt = timed ? performance.now() : 0;
		try {
			rows = await this.#run(
				batch.map((p) => p.job),
				waits
			);
		} catch (error) {
			if (batch.length === 1) return batch[0].reject(error);
			// Rolled back as a whole: run each on its own, so one bad save fails only itself.
			for (const pending of batch) await this.#commit([pending], waits);
			return;
		}
		if (timed) recordStage('statement', performance.now() - startedAt);
		const byOrd = new Map(rows.map((r) => [r.ord, r]));
		const skipped: Pending[] = [];
		batch.forEach((pending, i) => {
			const row = byOrd.get(i + 1);
			if (row?.seq === 0) {
				pending.tries += 1;
				pending.notBefore = Date.now() + RETRY_MS;
				skipped.push(pending);
			} else if (row?.seq) pending.resolve({ seq: row.seq });
			// Every input row comes back; a missing one would be a bug in the statement: ask again.
			else pending.resolve({ refused: row?.refused ?? 'repeat' });
		});
		// Back at the head of the queue, in their order, ahead of their rooms' later saves.
		if (skipped.length) this.#queue.unshift(...skipped);
	}

	async #run(jobs: SaveJob[], waits: boolean): Promise<Row[]> {
		const values = parameters(jobs);
		const name: StatementName = `${waits ? 'wait' : 'skip'}${jobs.some((job) => job.safety) ? 'Flags' : ''}`;
		const { name: statementName, text } = SAVE_STATEMENTS[name];
		const pool = poolOf(this.db);
		if (pool) {
			// Named: each connection parses and plans it once, then only binds and executes.
			const result = await pool.query<Row>({
				name: statementName,
				text,
				values
			});
			return result.rows;
		}
		const result = await this.db.executeQuery<Row>(CompiledQuery.raw(text, values));
		return result.rows;
	}
}

const batchers = new WeakMap<Kysely<Database>, SaveBatcher>();

/** Stores one answer, committed in one statement with the others arriving at the same time. */
export function saveBatched(db: Kysely<Database>, job: SaveJob): Promise<SaveOutcome> {
	let batcher = batchers.get(db);
	if (!batcher) {
		batcher = new SaveBatcher(db);
		batchers.set(db, batcher);
	}
	return batcher.save(job);
}
