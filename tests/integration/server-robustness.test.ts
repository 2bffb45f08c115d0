// The production server stays up whatever reaches /socket.io/, refuses writes from other sites, and
// logs a stray error instead of dying of it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '$lib/server/demo/seed';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';
import { startServer, tempDataDir, type TestServer } from '../helpers/server';

const app = useApp();

async function healthy(url: string) {
	const response = await fetch(`${url}/healthz`);
	return response.status;
}

describe('/socket.io/ on the production server', () => {
	const probes: { name: string; path: string; init?: RequestInit }[] = [
		{ name: 'long-polling handshake', path: '/socket.io/?EIO=4&transport=polling' },
		{
			name: 'long-polling post',
			path: '/socket.io/?EIO=4&transport=polling&sid=nope',
			init: { method: 'POST', body: '40' }
		},
		{ name: 'an old Engine.IO version', path: '/socket.io/?EIO=3&transport=polling' },
		{ name: 'an unknown transport', path: '/socket.io/?EIO=4&transport=carrier-pigeon' },
		{ name: 'websocket without an upgrade', path: '/socket.io/?EIO=4&transport=websocket' },
		{ name: 'no query at all', path: '/socket.io/' },
		{ name: 'junk in the query', path: '/socket.io/?%ff%fe=%00&EIO=x' },
		{ name: 'a plain page request', path: '/socket.io/index.html' }
	];

	for (const probe of probes) {
		it(`answers ${probe.name} and stays up`, async () => {
			const response = await fetch(app.server.url + probe.path, probe.init);
			await response.arrayBuffer();
			expect(response.status).toBeLessThan(500);
			expect(await healthy(app.server.url)).toBe(200);
			expect(app.server.output()).not.toContain('ERR_HTTP_HEADERS_SENT');
		});
	}

	it('offers WebSocket only: a long-polling handshake is refused with a 400', async () => {
		const response = await fetch(`${app.server.url}/socket.io/?EIO=4&transport=polling`);
		expect(response.status).toBe(400);
	});
});

describe('writes from another site', () => {
	it('refuses a body-less cross-origin sign-out and keeps the session', async () => {
		const alex = await new HttpClient(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const forged = await fetch(`${app.server.url}/logout`, {
			method: 'POST',
			redirect: 'manual',
			headers: { cookie: alex.cookieHeader, origin: 'https://evil.example' }
		});
		expect(forged.status).toBe(403);
		const still = await alex.get('/c');
		expect(still.status).toBe(200);
	});

	it('refuses a cross-site JSON write that names no Origin', async () => {
		const alex = await new HttpClient(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const forged = await fetch(`${app.server.url}/c/session`, {
			method: 'POST',
			headers: { cookie: alex.cookieHeader, 'sec-fetch-site': 'cross-site' }
		});
		expect(forged.status).toBe(403);
	});
});

describe('an uncaught error in the process', () => {
	let server: TestServer | null = null;
	afterEach(async () => {
		await server?.stop();
		server = null;
	});

	it('is logged, and the server goes on answering', async () => {
		// A timer that throws outside any request, loaded before server.js like a faulty dependency.
		const dir = tempDataDir('trellis-fault-');
		const fault = path.join(dir, 'fault.mjs');
		writeFileSync(
			fault,
			`setTimeout(() => { throw new TypeError('stray fault'); }, 1500);\n` +
				`setTimeout(() => Promise.reject(new RangeError('stray rejection')), 1600);\n`
		);
		server = await startServer({
			env: { TRELLIS_SEED_DEMO: 'off', NODE_OPTIONS: `--import=${pathToFileURL(fault).href}` }
		});
		const logged = () =>
			server!.output().includes('uncaught exception: TypeError') &&
			server!.output().includes('unhandled rejection: RangeError');
		await expect.poll(logged, { timeout: 15_000 }).toBe(true);
		expect(await healthy(server.url)).toBe(200);
		expect(server.child.exitCode).toBeNull();
	});
});
