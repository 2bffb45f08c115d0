// A socket lives no longer than its session. The handshake checks the session once; after that this
// watch keeps, per session with sockets in this process, what the database last said about it:
// - a sweep every `sweepMs` checks all those sessions in one query, which returns only the rows that
//   changed, and disconnects the sockets of any that has ended (expired, signed out, replaced), so a
//   session's sockets go within seconds;
// - every message asks `allows` first, answered from that cache while it is under `staleMs` old and
//   the expiry it knows has not passed, and from the session row otherwise;
// - a write counts as activity and slides the session, at most once a minute, as pages do (in the
//   background: a write's ack never waits for it).
import { sql, type Kysely } from 'kysely';
import type { Database, Session, User } from '../db/schema';
import { TOUCH_INTERVAL_MS, touchSession } from '../auth/session';

export interface SessionWatchOptions {
	/** How often the sweep runs; 0 turns it off (tests that check messages alone). */
	sweepMs?: number;
	/** How old the cached answer may be before a message re-reads the session row. */
	staleMs?: number;
}

export const SESSION_SWEEP_MS = 2000;
export const SESSION_STALE_MS = 4000;

/** Ids per query in the sweep (one array parameter), so no one result grows without bound. */
const SWEEP_BATCH = 5000;

interface WatchedSocket {
	disconnect(close: boolean): unknown;
}

interface Watched {
	session: Pick<Session, 'id' | 'created_at' | 'shared_device'>;
	role: User['role'];
	sockets: Set<WatchedSocket>;
	expiresAt: number;
	lastSeenAt: number;
	checkedAt: number;
	/** A re-read in flight, shared by the messages that arrive meanwhile. */
	reading: Promise<boolean> | null;
}

interface SessionRow {
	id: string;
	expires_at: Date;
	last_seen_at: Date;
}

export class SessionWatch {
	readonly #db: () => Kysely<Database>;
	readonly #sweepMs: number;
	readonly #staleMs: number;
	readonly #sessions = new Map<string, Watched>();
	#timer: NodeJS.Timeout | null = null;
	#sweeping = false;

	constructor(db: () => Kysely<Database>, options: SessionWatchOptions = {}) {
		this.#db = db;
		this.#sweepMs = options.sweepMs ?? SESSION_SWEEP_MS;
		this.#staleMs = options.staleMs ?? SESSION_STALE_MS;
	}

	/** Starts watching a socket that has just passed the handshake with this session. */
	add(socket: WatchedSocket, session: Session, role: User['role']) {
		const watched = this.#sessions.get(session.id) ?? {
			session,
			role,
			sockets: new Set<WatchedSocket>(),
			expiresAt: 0,
			lastSeenAt: 0,
			checkedAt: 0,
			reading: null
		};
		// The handshake has just read the row: the freshest news there is.
		this.#learn(watched, session, Date.now());
		watched.sockets.add(socket);
		this.#sessions.set(session.id, watched);
		this.#startSweeping();
	}

	remove(socket: WatchedSocket, sessionId: string) {
		const watched = this.#sessions.get(sessionId);
		if (!watched) return;
		watched.sockets.delete(socket);
		if (watched.sockets.size === 0) this.#sessions.delete(sessionId);
		if (this.#sessions.size === 0) this.#stopSweeping();
	}

	/**
	 * Whether a message of this session may go ahead, at most `staleMs` out of date. Answers at once
	 * from the cache (so a busy room's messages keep their order and cost nothing), and with a
	 * promise when the session row has to be read.
	 */
	allows(sessionId: string): boolean | Promise<boolean> {
		const watched = this.#sessions.get(sessionId);
		if (!watched) return false;
		const now = Date.now();
		if (now < watched.expiresAt && now - watched.checkedAt < this.#staleMs) return true;
		watched.reading ??= this.#read(watched).finally(() => {
			watched.reading = null;
		});
		return watched.reading;
	}

	/**
	 * A write of this session went ahead: it slides the session's expiry when the last activity is a
	 * minute old. In the background, so the write's ack never waits for it.
	 */
	noteActivity(sessionId: string) {
		const watched = this.#sessions.get(sessionId);
		if (!watched || Date.now() - watched.lastSeenAt < TOUCH_INTERVAL_MS) return;
		watched.lastSeenAt = Date.now(); // before the write, so messages meanwhile do not write it again
		void touchSession(this.#db(), watched.session, watched.role).then(
			(expires) => {
				watched.expiresAt = expires?.getTime() ?? 0;
				watched.checkedAt = Date.now();
			},
			(error) => {
				console.error(
					`[realtime] session touch failed: ${error instanceof Error ? error.message : 'unknown'}`
				);
			}
		);
	}

	async #read(watched: Watched): Promise<boolean> {
		const row = await this.#db()
			.selectFrom('sessions')
			.select(['id', 'expires_at', 'last_seen_at'])
			.where('id', '=', watched.session.id)
			.executeTakeFirst();
		this.#learn(watched, row, Date.now());
		return Date.now() < watched.expiresAt;
	}

	/** The row is the truth: a page may have slid the session, or it may be gone. */
	#learn(watched: Watched, row: SessionRow | undefined, checkedAt: number) {
		watched.checkedAt = checkedAt;
		watched.expiresAt = row ? row.expires_at.getTime() : 0;
		if (row) watched.lastSeenAt = row.last_seen_at.getTime();
	}

	/**
	 * Checks every watched session in one query per batch and disconnects the ended ones. Only the
	 * rows that differ from what this process knows come back (ended, gone, or an expiry a page or a
	 * closed tab moved), so a sweep of 3,000 sessions reads a handful of rows, not 3,000: read whole,
	 * parsing them held the event loop 3-5 ms every two seconds at 900 sockets.
	 */
	async sweep() {
		if (this.#sweeping || this.#sessions.size === 0) return;
		this.#sweeping = true;
		try {
			const ids = [...this.#sessions.keys()];
			const known = ids.map((id) => this.#sessions.get(id)!.expiresAt);
			const changed = new Map<string, SessionRow | undefined>();
			for (let i = 0; i < ids.length; i += SWEEP_BATCH) {
				// Array parameters, not one parameter per session: a short statement to build and parse.
				const { rows } = await sql<{
					id: string;
					expires_at: Date | null;
					last_seen_at: Date | null;
				}>`
					select t.id, s.expires_at, s.last_seen_at
					from unnest(${ids.slice(i, i + SWEEP_BATCH)}::text[],
						${known.slice(i, i + SWEEP_BATCH)}::float8[]) as t (id, known_ms)
					left join sessions s on s.id = t.id
					where s.id is null or s.expires_at <= now()
						or abs(extract(epoch from s.expires_at) * 1000 - t.known_ms) >= 1`.execute(this.#db());
				for (const row of rows)
					changed.set(
						row.id,
						row.expires_at && row.last_seen_at
							? { id: row.id, expires_at: row.expires_at, last_seen_at: row.last_seen_at }
							: undefined
					);
			}
			// As of when the rows arrived: on a busy database the query may have waited its turn.
			const now = Date.now();
			ids.forEach((id, n) => {
				const watched = this.#sessions.get(id);
				if (!watched) return; // its last socket left while the query ran
				if (changed.has(id)) this.#learn(watched, changed.get(id), now);
				// Not returned: the row still says what was known when the sweep began.
				else if (watched.expiresAt === known[n]) watched.checkedAt = now;
				if (now >= watched.expiresAt) this.end(id);
			});
		} catch (error) {
			// The database did not answer: keep the sockets; their messages re-check and fail safe.
			console.error(
				`[realtime] session sweep failed: ${error instanceof Error ? error.message : 'unknown'}`
			);
		} finally {
			this.#sweeping = false;
		}
	}

	/** Disconnects every socket of this process that belongs to the session. */
	end(sessionId: string) {
		const watched = this.#sessions.get(sessionId);
		if (!watched) return;
		for (const socket of [...watched.sockets]) socket.disconnect(true);
	}

	#startSweeping() {
		if (this.#timer || this.#sweepMs <= 0) return;
		this.#timer = setInterval(() => void this.sweep(), this.#sweepMs);
		this.#timer.unref();
	}

	#stopSweeping() {
		if (!this.#timer) return;
		clearInterval(this.#timer);
		this.#timer = null;
	}
}
