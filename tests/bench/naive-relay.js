// The durable peer for bench:live: what a team would write first with Socket.IO and `pg`. Each answer
// is one transaction that stores it (the latest answer per room, partner and item), then the server
// acks and forwards it to the room. No receipts (a retried message is stored again), no sequence, no
// per-recipient projection: every socket in the room gets the raw answer.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { Server } from 'socket.io';

const port = Number(process.env.PORT || 0);
const pool = new pg.Pool({
	connectionString: process.env.DATABASE_URL,
	max: Number(process.env.DATABASE_POOL_SIZE || 20)
});
pool.on('error', (error) => console.error(`[naive] idle connection error: ${error.message}`));

await pool.query(`create table if not exists naive_answers (
	room text not null,
	member text not null,
	item_id text not null,
	value jsonb not null,
	updated_at timestamptz not null default now(),
	primary key (room, member, item_id)
)`);

const server = http.createServer();
const io = new Server(server, { serveClient: false });
const live = io.of('/live');

live.on('connection', (socket) => {
	const room = String(socket.handshake.query.room ?? '');
	const member = String(socket.handshake.query.member ?? socket.id);
	socket.join(room);
	socket.on('room:join', (_payload, ack) =>
		ack?.({ ok: true, seq: 0, events: [], view: null, online: [] })
	);
	socket.on('answer:save', async (payload, ack) => {
		const client = await pool.connect();
		try {
			await client.query('begin');
			await client.query(
				`insert into naive_answers (room, member, item_id, value) values ($1, $2, $3, $4)
				on conflict (room, member, item_id) do update set value = excluded.value, updated_at = now()`,
				[room, member, String(payload?.itemId), JSON.stringify(payload?.value ?? null)]
			);
			await client.query('commit');
		} catch (error) {
			await client.query('rollback').catch(() => undefined);
			ack?.({ ok: false, error: { code: 'unavailable', message: String(error) } });
			return;
		} finally {
			client.release();
		}
		ack?.({ ok: true });
		socket.to(room).emit('room:event', {
			type: 'answer-saved',
			itemId: payload?.itemId,
			value: payload?.value,
			sentAt: payload?.sentAt
		});
	});
	socket.on('room:advance', (payload, ack) => {
		ack?.({ ok: true });
		socket.to(room).emit('room:event', { type: 'section-opened', sectionId: payload?.sectionId });
	});
});

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
process.on('SIGUSR2', () => {
	console.log(
		`METRICS ${JSON.stringify({
			loopP99Ms: loop.percentile(99) / 1e6,
			loopMaxMs: loop.max / 1e6,
			rssMb: process.memoryUsage().rss / 1048576,
			cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000
		})}`
	);
	loop.reset();
});
process.on('SIGTERM', async () => {
	io.close();
	await pool.end().catch(() => undefined);
	process.exit(0);
});
server.listen(port, '127.0.0.1', () => {
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	console.log(`Relay listening on ${address.port}`);
});
