// The in-process scheduler: a due-work table polled on a short interval. Each piece of work is claimed
// with FOR UPDATE SKIP LOCKED and done in the same transaction as its effects, so several instances on
// one PostgreSQL never do it twice, and on the embedded database it runs inside the one process. Work is
// unique by key, so planning it again after a restart or a day of downtime adds nothing. Time comes from
// a clock the caller passes, so tests move time instead of waiting.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './db/schema';
import { describeError, startPollLoop, type PollLoop } from './poll-loop';

export type Clock = () => Date;

export interface Work {
	/** Unique: work already planned under this key (done or not) is not planned again. */
	key: string;
	kind: string;
	runAt: Date;
	payload: Record<string, unknown>;
}

/** Does one piece of work inside the transaction that marks it done; `now` is the scheduler's clock. */
export type WorkHandler = (
	trx: Transaction<Database>,
	payload: Record<string, unknown>,
	context: { now: Date; runAt: Date; key: string }
) => Promise<void>;

export type WorkHandlers = Record<string, WorkHandler>;

/** Plans work; returns false when work with that key already exists. */
export async function plan(db: Kysely<Database>, work: Work, now: Date): Promise<boolean> {
	const row = await db
		.insertInto('scheduled_work')
		.values({
			key: work.key,
			kind: work.kind,
			run_at: work.runAt,
			payload: JSON.stringify(work.payload),
			created_at: now
		})
		.onConflict((oc) => oc.column('key').doNothing())
		.returning('id')
		.executeTakeFirst();
	return row !== undefined;
}

/** Drops planned work that has not run yet (a paused schedule's next occurrence, say). */
export async function unplan(db: Kysely<Database>, keys: string[]): Promise<void> {
	if (keys.length === 0) return;
	await db
		.deleteFrom('scheduled_work')
		.where('key', 'in', keys)
		.where('done_at', 'is', null)
		.execute();
}

/** A failing piece of work is retried later, and given up on after this many tries. */
const MAX_ATTEMPTS = 5;
const RETRY_MS = 60_000;
/** At most this much work in one round, so a long catch-up still yields to shutdown. */
const ROUND_LIMIT = 500;

/**
 * Does all work due at `now`, oldest first, one transaction each; work that plans further work already
 * due (catching up after downtime) is done in the same round. Returns how many pieces were done.
 */
export async function runDue(
	db: Kysely<Database>,
	now: Date,
	handlers: WorkHandlers,
	options: { shouldStop?: () => boolean } = {}
): Promise<number> {
	let done = 0;
	for (let round = 0; round < ROUND_LIMIT && !options.shouldStop?.(); round++) {
		let claimed: { id: string; key: string; kind: string; attempts: number } | null = null;
		try {
			const found = await db.transaction().execute(async (trx) => {
				const work = await trx
					.selectFrom('scheduled_work')
					.select(['id', 'key', 'kind', 'run_at', 'payload', 'attempts'])
					.where('done_at', 'is', null)
					.where('run_at', '<=', now)
					.orderBy('run_at')
					.orderBy('key')
					.limit(1)
					.forUpdate()
					.skipLocked()
					.executeTakeFirst();
				if (!work) return false;
				claimed = work;
				const handler = handlers[work.kind];
				if (handler) {
					await handler(trx, work.payload as Record<string, unknown>, {
						now,
						runAt: work.run_at,
						key: work.key
					});
				} else {
					console.error(`[scheduler] no handler for ${work.kind}; marked done`);
				}
				await trx
					.updateTable('scheduled_work')
					.set({ done_at: now })
					.where('id', '=', work.id)
					.execute();
				return true;
			});
			if (!found) break;
			done += 1;
		} catch (error) {
			if (!claimed) throw error;
			await deferAfterFailure(db, claimed, now, error);
		}
	}
	return done;
}

/** Its transaction rolled back: try again a minute later, and after a few tries stop trying. */
async function deferAfterFailure(
	db: Kysely<Database>,
	work: { id: string; key: string; kind: string; attempts: number },
	now: Date,
	error: unknown
) {
	const attempts = work.attempts + 1;
	const isGivenUp = attempts >= MAX_ATTEMPTS;
	console.error(
		`[scheduler] ${work.kind} ${work.key} failed (${attempts}): ${describeError(error)}${isGivenUp ? '; giving up' : ''}`
	);
	await db
		.updateTable('scheduled_work')
		.set({
			attempts,
			last_error: describeError(error).slice(0, 200),
			run_at: new Date(now.getTime() + RETRY_MS * attempts),
			done_at: isGivenUp ? now : null
		})
		.where('id', '=', work.id)
		.execute();
}

/** How often the scheduler looks for due work: occurrences open on day boundaries, so a minute is plenty. */
const SCHEDULER_INTERVAL_MS = 30_000;

/** Starts the process's scheduler loop over the given handlers. */
export function start(
	db: Kysely<Database>,
	handlers: WorkHandlers,
	options: { clock?: Clock; intervalMs?: number; afterRound?: (done: number) => void } = {}
): PollLoop {
	const clock = options.clock ?? (() => new Date());
	let isStopping = false;
	const loop = startPollLoop(
		'scheduler',
		async () => {
			const done = await runDue(db, clock(), handlers, { shouldStop: () => isStopping });
			options.afterRound?.(done);
		},
		options.intervalMs ?? SCHEDULER_INTERVAL_MS
	);
	return {
		wake: loop.wake,
		async stop() {
			isStopping = true;
			await loop.stop();
		}
	};
}
