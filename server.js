// Production entry: SvelteKit's adapter-node handler and Socket.IO on one HTTP server and port.
import http from 'node:http';
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';
const shownOrigin = process.env.ORIGIN || `http://localhost:${port}`;

// A stray error must be logged, never end the process silently. Requests and socket handlers catch
// their own errors; what reaches here comes from a callback outside them. Room state lives in the
// database, so staying up serves every other client better than exiting would.
process.on('uncaughtException', (error) => {
	console.error(`[process] uncaught exception: ${describe(error)}`);
});
process.on('unhandledRejection', (reason) => {
	console.error(`[process] unhandled rejection: ${describe(reason)}`);
});
function describe(error) {
	// The name, code and stack frames only: an error's message may quote a query or a value.
	if (!(error instanceof Error)) return typeof error;
	const code = 'code' in error ? ` (${error.code})` : '';
	const frames = (error.stack ?? '').split('\n').slice(1, 6).join('\n');
	return `${error.name}${code}: ${error.message.slice(0, 200)}\n${frames}`;
}

const server = http.createServer();
// Created unattached: the init hook (run by importing the handler) finds it on globalThis and
// registers the /live handlers; it is attached to the HTTP server only after SvelteKit's listener
// (below), so Engine.IO alone answers /socket.io/ and SvelteKit everything else. Attached first,
// both answered the same request and the second write killed the process (ERR_HTTP_HEADERS_SENT).
// WebSocket only (docs/realtime.md): long-polling needs sticky sessions behind a load balancer.
// 64 KB per Socket.IO message at the transport; the protocol's own 16 KB limit is checked per event.
const io = new Server({ maxHttpBufferSize: 64_000, serveClient: false, transports: ['websocket'] });
globalThis.__trellisIo = io;

// Without ORIGIN, adapter-node assumes https and SvelteKit would refuse every form posted over plain
// http://localhost. Tell it the real protocol of each connection instead (never the client's claim).
const protocolHeader = 'x-trellis-protocol';
if (process.env.ORIGIN?.trim() === '') delete process.env.ORIGIN; // an empty ORIGIN means "not set"

const derivesOrigin = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (derivesOrigin) process.env.PROTOCOL_HEADER = protocolHeader;

let handler;
try {
	// Importing the handler runs the app's init hook: connect, migrate, seed the demo, attach /live.
	({ handler } = await import('./build/handler.js'));
} catch (error) {
	const missingBuild =
		error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('build/handler.js');
	console.error(
		missingBuild
			? 'Trellis has not been built yet: run `npm run build` (or `npm start`, which builds first).'
			: `Trellis could not start: ${error instanceof Error ? error.message : String(error)}`
	);
	process.exit(1);
}

server.on('request', (req, res) => {
	if (derivesOrigin) req.headers[protocolHeader] = 'encrypted' in req.socket ? 'https' : 'http';
	handler(req, res);
});
// Engine.IO moves the listener above behind its own, which passes on every path but /socket.io/.
io.attach(server);
server.on('error', (error) => {
	console.error(
		error.code === 'EADDRINUSE'
			? `Port ${port} is in use; set PORT to another port.`
			: `Server error: ${error.message}`
	);
	process.exit(1);
});
server.listen(port, host, () => {
	console.log(`Trellis is listening on ${shownOrigin}`);
});

// Benchmarks ask for the event-loop delay, CPU and memory with SIGUSR2 (tests/bench/live.ts).
if (process.env.TRELLIS_REPORT_METRICS === '1') {
	const loop = monitorEventLoopDelay({ resolution: 10 });
	loop.enable();
	// Where a live save's time goes (src/lib/server/stage-timings.ts records into these).
	const stages = Object.fromEntries(
		['queued', 'statement', 'batchSize', 'handled'].map((name) => [name, createHistogram()])
	);
	globalThis.__trellisStageTimings = stages;
	const summary = (h, scale) => ({
		p50: h.count ? h.percentile(50) / scale : 0,
		p99: h.count ? h.percentile(99) / scale : 0,
		max: h.count ? h.max / scale : 0,
		count: h.count
	});
	process.on('SIGUSR2', () => {
		const figures = {
			loopP99Ms: loop.percentile(99) / 1e6,
			loopMaxMs: loop.max / 1e6,
			rssMb: process.memoryUsage().rss / 1048576,
			cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
			stages: Object.fromEntries(
				Object.entries(stages).map(([name, h]) => [
					name,
					summary(h, name === 'batchSize' ? 1 : 1000)
				])
			)
		};
		console.log(`METRICS ${JSON.stringify(figures)}`);
		loop.reset();
		for (const h of Object.values(stages)) h.reset();
	});
}

let stopping = false;
async function shutdown(signal) {
	if (stopping) return;
	stopping = true;
	console.log(`${signal} received: closing connections and the database.`);
	const force = setTimeout(() => {
		console.error('Shutdown took over 10 s; exiting.');
		process.exit(1);
	}, 10_000);
	force.unref();
	// Stop accepting, close every socket, let in-flight requests finish, then close the database.
	const closed = new Promise((resolve) => server.close(resolve));
	io.disconnectSockets(true);
	server.closeIdleConnections();
	await closed;
	await io.close().catch(() => {});
	process.emit('sveltekit:shutdown', signal);
	await globalThis.__trellisClose?.();
	clearTimeout(force);
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
