// The outbox: outgoing email written as a row in the same transaction as what caused it, and the
// background sender that delivers it with retries and exponential back-off. Several instances may run
// the sender on one PostgreSQL: each claims due messages with FOR UPDATE SKIP LOCKED and a lease, so no
// message is being sent by two of them at once; on the embedded database it runs in the one process.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, OutboxStatus } from './db/schema';
import { appKeyring, openColumns, seal, sealColumns, type Keyring } from './crypto/keyring';
import { isEmailConfigured, senderAddress, smtpTransport, type EmailContent } from './email';
import { startPollLoop, type PollLoop } from './poll-loop';

export type { OutboxStatus };

export interface OutgoingEmail extends EmailContent {
	/** What the message is for ('invite', 'reminder', 'safety-alert', …), for the record and the UI. */
	kind: string;
	to: string;
	/** Makes the message unique: a second enqueue with the same key writes nothing. */
	dedupeKey?: string;
}

/** The first attempt waits nothing; each retry waits twice as long as the last, up to an hour. */
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 3600_000;
/** Attempts before a message is given up on as failed (about three hours of retrying). */
export const MAX_ATTEMPTS = 8;
/** How long a claimed message is left to the instance sending it before another may try. */
const LEASE_MS = 2 * 60_000;

export function retryDelay(attempts: number): number {
	return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);
}

// Bound as additional data, so a sealed message cannot be moved to another row or table.
const sealedFor = (id: string) => `outbox:${id}`;

/** What a message's sealed body holds: its subject and text (the address stays in the clear). */
const bodyOf = (email: EmailContent) =>
	JSON.stringify({ subject: email.subject, text: email.text });

/** A message sealed for a row id chosen now, for a statement that inserts the outbox row itself. */
export function sealMessage(email: EmailContent, keyring: Keyring = appKeyring()) {
	const id = randomUUID();
	return { id, ...seal(keyring, sealedFor(id), bodyOf(email)) };
}

/**
 * Queues an email in the caller's transaction; returns its id for a status lookup, or null when email
 * is not set up (nothing is written) or the dedupe key was already used.
 */
export async function enqueue(
	db: Kysely<Database>,
	email: OutgoingEmail,
	options: { now?: Date; keyring?: Keyring } = {}
): Promise<string | null> {
	if (!isEmailConfigured()) return null;
	const id = randomUUID();
	const now = options.now ?? new Date();
	const sealed = sealColumns(options.keyring ?? appKeyring(), sealedFor(id), bodyOf(email));
	const row = await db
		.insertInto('outbox')
		.values({
			id,
			kind: email.kind,
			to_address: email.to,
			...sealed,
			dedupe_key: email.dedupeKey ?? null,
			created_at: now,
			next_attempt_at: now
		})
		.onConflict((oc) => oc.column('dedupe_key').doNothing())
		.returning('id')
		.executeTakeFirst();
	return row?.id ?? null;
}

export interface Delivery {
	id: string;
	kind: string;
	status: OutboxStatus;
	attempts: number;
	nextAttemptAt: Date | null;
	lastError: string | null;
	sentAt: Date | null;
}

const deliveryColumns = [
	'id',
	'kind',
	'status',
	'attempts',
	'next_attempt_at',
	'last_error',
	'sent_at'
] as const;

function toDelivery(row: {
	id: string;
	kind: string;
	status: OutboxStatus;
	attempts: number;
	next_attempt_at: Date;
	last_error: string | null;
	sent_at: Date | null;
}): Delivery {
	return {
		id: row.id,
		kind: row.kind,
		status: row.status,
		attempts: row.attempts,
		nextAttemptAt:
			row.status === 'retrying' || row.status === 'pending' ? row.next_attempt_at : null,
		lastError: row.last_error,
		sentAt: row.sent_at
	};
}

/** Where one message stands (sent / retrying / failed / pending), for the UI; null for an unknown id. */
export async function status(db: Kysely<Database>, id: string): Promise<Delivery | null> {
	return (await statuses(db, [id])).get(id) ?? null;
}

export async function statuses(
	db: Kysely<Database>,
	ids: string[]
): Promise<Map<string, Delivery>> {
	const wanted = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
	if (wanted.length === 0) return new Map();
	const rows = await db
		.selectFrom('outbox')
		.select(deliveryColumns)
		.where((eb) => eb('id', '=', eb.fn.any(eb.val(wanted))))
		.execute();
	return new Map(rows.map((row) => [row.id, toDelivery(row)]));
}

/** What the sender needs of nodemailer's transport (tests may pass their own). */
export interface Mailer {
	sendMail(message: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
}

/**
 * A stable code for a failed delivery: nodemailer's error code and the SMTP reply code, never the
 * reply's text, which can quote an address.
 */
export function errorCode(error: unknown): string {
	if (!(error instanceof Error)) return 'unknown';
	const { code, responseCode } = error as Error & { code?: unknown; responseCode?: unknown };
	const name = typeof code === 'string' && /^[A-Z0-9_]{1,24}$/.test(code) ? code : 'error';
	return typeof responseCode === 'number' ? `${name}:${responseCode}` : name;
}

/** A server that refuses the recipient or the message outright (5xx) will refuse it again. */
function isPermanent(error: unknown): boolean {
	const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
	return (
		(code === 'EENVELOPE' || code === 'EMESSAGE') &&
		typeof responseCode === 'number' &&
		responseCode >= 500
	);
}

const clearedBody = { key_id: null, nonce: null, ciphertext: null } as const;

export interface DeliveryRound {
	sent: number;
	retrying: number;
	failed: number;
}

/**
 * Sends every message due at `now` (a batch at a time), each claimed for a lease first so another
 * instance skips it, and records the outcome. The SMTP conversation happens outside any transaction.
 */
export async function deliverDue(
	db: Kysely<Database>,
	options: { now: Date; mailer: Mailer; keyring?: Keyring; batch?: number }
): Promise<DeliveryRound> {
	const { now, mailer } = options;
	const keyring = options.keyring ?? appKeyring();
	const round: DeliveryRound = { sent: 0, retrying: 0, failed: 0 };
	for (;;) {
		const claimed = await db.transaction().execute(async (trx) => {
			const due = await trx
				.selectFrom('outbox')
				.select('id')
				.where('status', 'in', ['pending', 'retrying'])
				.where('next_attempt_at', '<=', now)
				.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
				.orderBy('next_attempt_at')
				.limit(options.batch ?? 20)
				.forUpdate()
				.skipLocked()
				.execute();
			if (due.length === 0) return [];
			return trx
				.updateTable('outbox')
				.set({
					attempts: sql<number>`attempts + 1`,
					lease_until: new Date(now.getTime() + LEASE_MS)
				})
				.where(
					'id',
					'in',
					due.map((d) => d.id)
				)
				.returning(['id', 'to_address', 'key_id', 'nonce', 'ciphertext', 'attempts'])
				.execute();
		});
		if (claimed.length === 0) return round;

		for (const message of claimed) {
			let failure: unknown = null;
			try {
				if (!message.key_id || !message.nonce || !message.ciphertext) throw new MissingBody();
				const content = JSON.parse(
					openColumns(keyring, sealedFor(message.id), {
						key_id: message.key_id,
						nonce: message.nonce,
						ciphertext: message.ciphertext
					})
				) as EmailContent;
				await mailer.sendMail({ from: senderAddress(), to: message.to_address, ...content });
			} catch (error) {
				failure = error;
			}
			if (!failure) {
				await db
					.updateTable('outbox')
					.set({
						status: 'sent',
						sent_at: now,
						lease_until: null,
						last_error: null,
						...clearedBody
					})
					.where('id', '=', message.id)
					.execute();
				round.sent += 1;
				continue;
			}
			const isFinal =
				failure instanceof MissingBody || isPermanent(failure) || message.attempts >= MAX_ATTEMPTS;
			await db
				.updateTable('outbox')
				.set({
					status: isFinal ? 'failed' : 'retrying',
					next_attempt_at: new Date(now.getTime() + retryDelay(message.attempts)),
					lease_until: null,
					last_error: failure instanceof MissingBody ? 'unreadable' : errorCode(failure),
					...(isFinal ? clearedBody : {})
				})
				.where('id', '=', message.id)
				.execute();
			if (isFinal) round.failed += 1;
			else round.retrying += 1;
		}
	}
}

/** The sealed body is gone or cannot be opened (its key left NOTES_KEYS): retrying cannot help. */
class MissingBody extends Error {}

/** Re-seals the messages still waiting under the keyring's current key (`npm run notes:rotate`). */
export async function rotate(db: Kysely<Database>, keyring: Keyring): Promise<number> {
	const rows = await db
		.selectFrom('outbox')
		.select(['id', 'key_id', 'nonce', 'ciphertext'])
		.where('key_id', 'is not', null)
		.where('key_id', '!=', keyring.currentId)
		.execute();
	let moved = 0;
	for (const row of rows) {
		const plaintext = openColumns(keyring, sealedFor(row.id), {
			key_id: row.key_id!,
			nonce: row.nonce!,
			ciphertext: row.ciphertext!
		});
		const result = await db
			.updateTable('outbox')
			.set(sealColumns(keyring, sealedFor(row.id), plaintext))
			.where('id', '=', row.id)
			.where('key_id', '=', row.key_id)
			.executeTakeFirst();
		moved += Number(result.numUpdatedRows);
	}
	return moved;
}

const senderKey = Symbol.for('trellis.outbox-sender');
type Holder = { [senderKey]?: PollLoop };

/** How often the sender looks for due messages when nobody wakes it. */
const SENDER_INTERVAL_MS = 5_000;

/**
 * Starts the process's sender: every few seconds, and at once when woken after a commit, it sends what
 * is due. Without SMTP_URL it sends nothing and leaves messages waiting.
 */
export function startSender(
	db: Kysely<Database>,
	options: { clock?: () => Date; intervalMs?: number; mailer?: () => Mailer | null } = {}
): PollLoop {
	const clock = options.clock ?? (() => new Date());
	const mailerOf = options.mailer ?? smtpTransport;
	const loop = startPollLoop(
		'outbox',
		async () => {
			const mailer = mailerOf();
			if (!mailer) return;
			const round = await deliverDue(db, { now: clock(), mailer });
			if (round.retrying || round.failed) {
				console.warn(
					`[outbox] ${round.sent} sent, ${round.retrying} to retry, ${round.failed} failed`
				);
			}
		},
		options.intervalMs ?? SENDER_INTERVAL_MS
	);
	(globalThis as Holder)[senderKey] = loop;
	return {
		wake: loop.wake,
		async stop() {
			if ((globalThis as Holder)[senderKey] === loop) delete (globalThis as Holder)[senderKey];
			await loop.stop();
		}
	};
}

/** Tells this process's sender that a transaction with mail in it has committed. */
export function wake(): void {
	(globalThis as Holder)[senderKey]?.wake();
}
