// One TCP write per connection per turn of the event loop. Engine.IO writes a packet as soon as it is
// sent and holds the next until that write has completed, so a save's event and its ack (sent a
// microtask apart) left in two writes, and each WebSocket frame is a write of its own. Here a
// connection's packets of one turn are flushed together at the end of it, with the TCP socket corked
// around the flush, so they leave in one `writev`: the order is unchanged, only the syscalls are fewer.
// In a 1,000-room run's CPU profile `writev` was 20 % of the server's samples (about 40 µs a call on
// loopback), half of its busy time; a save's four writes become three (docs/benchmarks.md).
import type { Socket as EngineSocket } from 'engine.io';
import type { Socket as TcpSocket } from 'node:net';

interface Flushable {
	flush(): void;
	transport: { name: string };
	request: { socket?: TcpSocket };
}

const coalesced = Symbol.for('trellis.realtime.coalesced');

/** Defers a connection's flush to the end of this turn and sends what it holds in one write. */
export function coalesceWrites(engineSocket: EngineSocket) {
	// `flush` is Engine.IO's own (private in its types); every send goes through `this.flush()`.
	const conn = engineSocket as unknown as Flushable & { [coalesced]?: true };
	if (conn[coalesced] || typeof conn.flush !== 'function') return;
	conn[coalesced] = true;
	const flush = conn.flush.bind(conn);
	let pending = false;
	conn.flush = () => {
		if (pending) return;
		pending = true;
		process.nextTick(() => {
			pending = false;
			// Over WebSocket the handshake request's socket is the connection's TCP socket.
			const tcp = conn.transport.name === 'websocket' ? conn.request.socket : undefined;
			if (!tcp || tcp.destroyed) return flush();
			tcp.cork();
			try {
				flush();
			} finally {
				tcp.uncork();
			}
		});
	};
}
