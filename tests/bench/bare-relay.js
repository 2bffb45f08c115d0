// The baseline for bench:live: a bare Socket.IO relay with no database. It acks each answer at once
// and forwards it to the room, so the difference from Trellis is what durability and privacy cost.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';

const port = Number(process.env.PORT || 0);
const server = http.createServer();
const io = new Server(server, { serveClient: false });
const live = io.of('/live');
let seq = 0;

live.on('connection', (socket) => {
	const room = String(socket.handshake.query.room ?? '');
	socket.join(room);
	socket.on('room:join', (_payload, ack) =>
		ack?.({ ok: true, seq, events: [], view: null, online: [] })
	);
	socket.on('answer:save', (payload, ack) => {
		seq += 1;
		ack?.({ ok: true, seq });
		socket.to(room).emit('room:event', {
			seq,
			type: 'answer-saved',
			itemId: payload?.itemId,
			sentAt: payload?.sentAt
		});
	});
	socket.on('room:advance', (payload, ack) => {
		seq += 1;
		ack?.({ ok: true, seq });
		socket
			.to(room)
			.emit('room:event', { seq, type: 'section-opened', sectionId: payload?.sectionId });
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
process.on('SIGTERM', () => {
	io.close();
	process.exit(0);
});
server.listen(port, '127.0.0.1', () => {
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	console.log(`Relay listening on ${address.port}`);
});
