// The append-only audit log: each row carries the hash of the one before it, written in the caller's transaction.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { sql, type Kysely } from 'kysely';
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

export function rowHash(prevHash: string, row: Record<string, unknown>): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(prevHash + JSON.stringify(row))));
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
