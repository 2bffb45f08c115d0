// Group commit for the hottest write: answer saves that arrive while another batch is committing
// share one transaction (one WAL flush). Each save is a single self-contained statement, so a batch
// that fails is simply run again statement by statement, and nothing is applied twice (op receipts).
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from '../db/schema';

interface Job {
	query: CompiledQuery;
	/** Batches take row locks in this order, so two batches can never deadlock. */
	order: string;
	resolve: (result: QueryResult<unknown>) => void;
	reject: (error: unknown) => void;
}

const MAX_BATCH = 64;
const MAX_CONCURRENT_BATCHES = 4;

class CommitBatcher {
	#queue: Job[] = [];
	#running = 0;

	constructor(private readonly db: Kysely<Database>) {}

	run<R>(query: CompiledQuery<R>, order: string): Promise<QueryResult<R>> {
		return new Promise((resolve, reject) => {
			this.#queue.push({ query, order, resolve: resolve as Job['resolve'], reject });
			this.#pump();
		});
	}

	#pump() {
		while (this.#running < MAX_CONCURRENT_BATCHES && this.#queue.length > 0) {
			const batch = this.#queue.splice(0, MAX_BATCH);
			this.#running += 1;
			void this.#commit(batch).finally(() => {
				this.#running -= 1;
				this.#pump();
			});
		}
	}

	async #commit(batch: Job[]) {
		if (batch.length === 1) return this.#alone(batch[0]);
		const sorted = [...batch].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
		let results: QueryResult<unknown>[];
		try {
			results = await this.db.transaction().execute(async (trx) => {
				const out: QueryResult<unknown>[] = [];
				for (const job of sorted) out.push(await trx.executeQuery(job.query));
				return out;
			});
		} catch {
			// Rolled back as a whole: run each on its own, so one bad statement fails only itself.
			await Promise.all(sorted.map((job) => this.#alone(job)));
			return;
		}
		sorted.forEach((job, i) => job.resolve(results[i]));
	}

	async #alone(job: Job) {
		try {
			job.resolve(await this.db.executeQuery(job.query));
		} catch (error) {
			job.reject(error);
		}
	}
}

const batchers = new WeakMap<Kysely<Database>, CommitBatcher>();

/** Runs one self-contained statement, committed together with others arriving at the same time. */
export function runBatched<R>(
	db: Kysely<Database>,
	query: CompiledQuery<R>,
	order: string
): Promise<QueryResult<R>> {
	let batcher = batchers.get(db);
	if (!batcher) {
		batcher = new CommitBatcher(db);
		batchers.set(db, batcher);
	}
	return batcher.run(query, order);
}
