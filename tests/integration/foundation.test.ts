import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';
import { startServer } from '../helpers/server';

const app = useApp();

describe('a running Trellis', () => {
	it('answers /healthz and serves the sign-in page', async () => {
		const health = await fetch(`${app.server.url}/healthz`);
		expect(health.status).toBe(200);
		const login = await fetch(`${app.server.url}/login`);
		expect(login.status).toBe(200);
		expect(await login.text()).toContain('Sign in');
	});

	it('sets the security headers, and no-store on signed-in pages', async () => {
		const anonymous = await fetch(`${app.server.url}/login`);
		expect(anonymous.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
		expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
		expect(anonymous.headers.get('referrer-policy')).toBe('same-origin');
		expect(anonymous.headers.get('permissions-policy')).toContain('camera=()');

		const client = await new HttpClient(app.server.url).signIn(
			'therapist@trellis.test',
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);
		const home = await client.get('/app');
		expect(home.status).toBe(200);
		expect(home.headers.get('cache-control')).toBe('no-store');
	});

	it('answers an unknown route with a 404 page and no stack trace', async () => {
		const response = await fetch(`${app.server.url}/no/such/page`);
		expect(response.status).toBe(404);
		const body = await response.text();
		expect(body).toContain('We could not find that page');
		expect(body).not.toMatch(/at .*\.js:\d+/);
	});

	it('treats a malformed session cookie as signed out', async () => {
		for (const cookie of [
			'trellis_session=%E0%A4%A',
			'trellis_session=' + 'x'.repeat(4000),
			'trellis_session'
		]) {
			const response = await fetch(`${app.server.url}/app`, {
				headers: { cookie },
				redirect: 'manual'
			});
			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toBe('/login');
		}
	});

	it('refuses an oversized request body with 413', async () => {
		const response = await fetch(`${app.server.url}/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.server.url },
			body: 'email=' + 'a'.repeat(2_000_000)
		});
		expect(response.status).toBe(413);
	});

	it('keeps its data across a restart and does not seed again', async () => {
		const client = await new HttpClient(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const before = await (await client.get('/c')).text();
		expect(before).toContain('Alex &amp; Sam');

		const server = await app.restart();
		expect(server.output()).not.toContain('Demo practice ready');
		const again = await new HttpClient(server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		expect((await again.get('/c')).status).toBe(200);
	});

	it('shuts down cleanly in the middle of writes and starts again on the same data', async () => {
		const client = new HttpClient(app.server.url);
		// Each sign-in writes a session and audit rows; stop the server while they are in flight.
		const writes = Array.from({ length: 30 }, () =>
			client
				.postForm('/login', { email: 'sam@trellis.test', password: DEMO_PASSWORD })
				.catch(() => null)
		);
		const code = await app.server.stop('SIGTERM');
		await Promise.all(writes);
		expect(code).toBe(0);
		expect(app.server.output()).toContain('SIGTERM received');

		const server = await app.restart();
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		const after = await new HttpClient(server.url).signIn('sam@trellis.test', DEMO_PASSWORD);
		expect((await after.get('/c')).status).toBe(200);
	});
});

describe('start-up without ORIGIN', () => {
	it('accepts forms over plain http on whatever host name the browser used', async () => {
		const server = await startServer({ env: { ORIGIN: '' } });
		try {
			const client = new HttpClient(server.url);
			const response = await client.postForm('/login', {
				email: 'nobody@example.test',
				password: 'wrong password'
			});
			expect(response.status).toBe(400);
			expect(await response.text()).toContain('That email or password is wrong.');
			const forged = await fetch(`${server.url}/login`, {
				method: 'POST',
				headers: {
					origin: 'https://evil.example',
					'content-type': 'application/x-www-form-urlencoded'
				},
				body: 'email=a%40b.c&password=x'
			});
			expect(forged.status).toBe(403);
		} finally {
			await server.stop();
		}
	});
});

describe('start-up with a broken configuration', () => {
	it('names DATABASE_URL when it cannot be used', async () => {
		await expect(
			startServer({ databaseUrl: 'postgres://nobody@127.0.0.1:1/nothing' })
		).rejects.toThrow(/DATABASE_URL/);
		await expect(startServer({ databaseUrl: 'not a url' })).rejects.toThrow(/DATABASE_URL/);
	});

	it('refuses to start in production on a server database without NOTES_KEYS', async () => {
		await expect(
			startServer({ databaseUrl: 'postgres://nobody@127.0.0.1:1/nothing', env: { NOTES_KEYS: '' } })
		).rejects.toThrow(/NOTES_KEYS is required/);
	});
});
