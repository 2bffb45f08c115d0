// The /live namespace attached to the Socket.IO server: the PostgreSQL adapter when several instances
// share a database, the handshake, and each socket's handlers (docs/realtime.md).
import type { Server } from 'socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import { LIVE_NAMESPACE } from '$lib/realtime/events';
import { connection, db } from '../db';
import { DELIVER, deliver } from '../rooms/publish';
import { coalesceWrites } from './coalesce';
import { onConnection } from './handlers';
import { useHandshake } from './handshake';
import { markClustered, type LiveNamespace } from './server';
import { SessionWatch } from './session-watch';

const attached = Symbol.for('trellis.realtime.attached');

export interface RealtimeOptions {
	/** How often this process re-reads the sessions of its sockets (session-watch.ts); 0 is off. */
	sessionSweepMs?: number;
	/** How stale a message's session check may be before it re-reads the session row. */
	sessionStaleMs?: number;
}

/** Registers the /live handlers once per Socket.IO server (the init hook and the dev plugin both call it). */
export async function attachRealtime(io: Server, options: RealtimeOptions = {}): Promise<void> {
	const marked = io as Server & { [attached]?: boolean };
	if (marked[attached]) return;
	marked[attached] = true;
	const sessions = new SessionWatch(db, {
		sweepMs: options.sessionSweepMs,
		staleMs: options.sessionStaleMs
	});

	// Several instances share rooms through PostgreSQL's LISTEN/NOTIFY; the embedded database has one process.
	const { pool, target } = connection();
	if (pool && target.kind === 'postgres') {
		const url = new URL(target.url);
		const scope =
			target.schema ??
			url.searchParams.get('options')?.match(/search_path=(\S+)/)?.[1] ??
			url.pathname.slice(1);
		io.adapter(
			createAdapter(pool, {
				channelPrefix: `trellis#${scope}`,
				errorHandler: (e) => console.error(`[realtime] adapter: ${e.message}`)
			})
		);
	}

	const live = io.of(LIVE_NAMESPACE) as LiveNamespace;
	if (pool && target.kind === 'postgres') {
		markClustered(live);
		// Only server-to-server messages from other instances arrive here.
		live.on(DELIVER, (deliveries) => deliver(live, deliveries));
	}
	useHandshake(live);
	const handlers = onConnection(live, sessions);
	live.on('connection', (socket) => {
		coalesceWrites(socket.conn);
		handlers(socket);
	});
}
