// Exactly once per (user, opId): every room write stores a receipt in its own transaction, and a
// repeated opId gets the first result back without writing again.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { RoomContext } from './context';
import type { StoredEvent } from './events';
import { failure, type Outcome, type WriteResult } from './outcome';

export function isUniqueViolation(error: unknown) {
	return (
		typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505'
	);
}

/** The first result of an op already applied, or null when this opId is new for this user. */
export async function replay<T extends object>(
	db: Kysely<Database>,
	context: RoomContext,
	opId: string
): Promise<WriteResult<T> | null> {
	const receipt = await db
		.selectFrom('op_receipts')
		.select(['result', 'assignment_id'])
		.where('user_id', '=', context.actor.userId)
		.where('op_id', '=', opId)
		.executeTakeFirst();
	if (!receipt) return null;
	if (receipt.assignment_id !== context.assignment.id) {
		return failure('bad-request', 'That opId was already used for another assignment.');
	}
	const result = receipt.result as T & { seq: number };
	return { ...result, ok: true, events: [], replayed: true } as WriteResult<T>;
}

/**
 * Runs a write once per (user, opId): a repeat returns the first result without writing again.
 * Two concurrent repeats race on the receipt's primary key; the loser rolls back and reads the winner's.
 */
export async function once<T extends object>(
	db: Kysely<Database>,
	context: RoomContext,
	opId: string,
	write: (trx: Kysely<Database>) => Promise<Outcome<T & { events: StoredEvent[] }>>
): Promise<WriteResult<T>> {
	const earlier = await replay<T>(db, context, opId);
	if (earlier) return earlier;
	try {
		return await db.transaction().execute(async (trx) => {
			const outcome = await write(trx);
			if (!outcome.ok) return outcome;
			const { events, ok: _ok, ...rest } = outcome;
			const seq = events.at(-1)?.seq ?? context.assignment.last_seq;
			const result = { ...rest, seq } as T & { seq: number };
			await trx
				.insertInto('op_receipts')
				.values({
					user_id: context.actor.userId,
					op_id: opId,
					assignment_id: context.assignment.id,
					result: JSON.stringify(result)
				})
				.execute();
			return { ...result, ok: true as const, events, replayed: false };
		});
	} catch (error) {
		if (isUniqueViolation(error)) {
			const winner = await replay<T>(db, context, opId);
			if (winner) return winner;
		}
		throw error;
	}
}
