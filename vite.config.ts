import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { TEST_NOTES_KEYS } from './tests/helpers/notes-key.ts';

/**
 * In `vite dev`, Socket.IO shares Vite's HTTP server: the plugin creates the Server and loads the
 * realtime module through Vite's SSR loader, so it shares modules (database, auth) with the pages.
 */
function trellisRealtime(): Plugin {
	return {
		name: 'trellis-realtime',
		apply: 'serve',
		async configureServer(server) {
			if (!server.httpServer) return;
			const { Server } = await import('socket.io');
			// Vite's own request listener is already on the server, so Engine.IO wraps it and answers
			// /socket.io/ alone (as in server.js); WebSocket only, like production.
			const io = new Server(server.httpServer, {
				destroyUpgrade: false,
				maxHttpBufferSize: 64_000,
				transports: ['websocket']
			});
			(globalThis as { __trellisIo?: unknown }).__trellisIo = io;
			server.httpServer.once('listening', async () => {
				const realtime = await server.ssrLoadModule('/src/lib/server/realtime/index.ts');
				await realtime.attachRealtime(io);
			});
		}
	};
}

const integrationDb = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export default defineConfig({
	plugins: [tailwindcss(), sveltekit(), trellisRealtime()],
	build: {
		// The gzip column of the file table costs build time and tells a newcomer nothing.
		reportCompressedSize: false,
		// Rolldown's "plugins took long" hint fires on any busy machine; it is not about the code.
		rolldownOptions: { checks: { bundlerTimings: false } }
	},
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'unit',
					include: ['src/**/*.test.ts'],
					environment: 'node'
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'faults',
					include: ['tests/faults/**/*.test.ts'],
					environment: 'node',
					env: { TEST_DB_KIND: 'postgres', NOTES_KEYS: TEST_NOTES_KEYS },
					testTimeout: 120_000,
					hookTimeout: 60_000,
					globalSetup: ['tests/helpers/global-setup.ts']
				}
			},
			...integrationDb.map((kind) => ({
				extends: './vite.config.ts',
				test: {
					name: `integration-${kind}`,
					include: ['tests/integration/**/*.test.ts'],
					// *.pg.test.ts need a PostgreSQL server (several processes on one database).
					exclude: kind === 'pglite' ? ['tests/integration/**/*.pg.test.ts'] : [],
					environment: 'node',
					// The servers the tests start use the same keyring (tests/helpers/server.ts).
					env: { TEST_DB_KIND: kind, NOTES_KEYS: TEST_NOTES_KEYS },
					testTimeout: 30_000,
					hookTimeout: 60_000,
					globalSetup: ['tests/helpers/global-setup.ts']
				}
			}))
		]
	}
});
