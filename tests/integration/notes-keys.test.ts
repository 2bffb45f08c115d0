// Where the notes keys live, and what start-up does when they cannot open the stored data: refuse, with
// a sentence naming the key, rather than answer a 500 at the first sign-in.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { HttpClient } from '../helpers/http';
import { TEST_NOTES_KEYS } from '../helpers/notes-key';
import { removeDir, startServer, tempDataDir, type ServerOptions } from '../helpers/server';

const newKey = () => randomBytes(32).toString('base64');
const mode = (file: string) => statSync(file).mode & 0o777;

/** Starts a server that should refuse to; returns what it said (one that did start is stopped). */
async function refusal(options: ServerOptions): Promise<string> {
	try {
		const server = await startServer(options);
		await server.stop();
		return 'it started';
	} catch (error) {
		return error instanceof Error ? error.message : String(error);
	}
}

describe('the notes keys at start-up', () => {
	it('refuses to start in production without NOTES_KEYS on the embedded database too', async () => {
		const dataDir = tempDataDir();
		try {
			const said = await refusal({ dataDir, env: { NOTES_KEYS: '' } });
			expect(said).toMatch(/exited with [1-9]\d* before listening/);
			expect(said).toMatch(/NOTES_KEYS is required in production/);
		} finally {
			removeDir(dataDir);
		}
	});

	it('refuses to start when NOTES_KEYS lacks a key the stored data needs, or holds the wrong one', async () => {
		const dataDir = tempDataDir();
		try {
			// The demo seeds notes, addenda and a TOTP secret, all sealed under the test key "test".
			const first = await startServer({ dataDir });
			await first.stop();

			const dropped = await refusal({ dataDir, env: { NOTES_KEYS: `k2:${newKey()}` } });
			expect(dropped).toMatch(/exited with [1-9]\d* before listening/);
			expect(dropped).toMatch(/NOTES_KEYS has no key "test"/);

			const wrong = await refusal({ dataDir, env: { NOTES_KEYS: `test:${newKey()}` } });
			expect(wrong).toMatch(/exited with [1-9]\d* before listening/);
			expect(wrong).toMatch(/The key "test" in NOTES_KEYS does not open/);

			// A new current key with the old one kept after it starts, and the therapist signs in.
			const rotated = await startServer({
				dataDir,
				env: { NOTES_KEYS: `k2:${newKey()},${TEST_NOTES_KEYS}` }
			});
			try {
				const client = await new HttpClient(rotated.url).signIn(
					'therapist@trellis.test',
					DEMO_PASSWORD,
					DEMO_TOTP_SECRET
				);
				expect((await client.get('/app')).status).toBe(200);
			} finally {
				await rotated.stop();
			}
		} finally {
			removeDir(dataDir);
		}
	}, 60_000);

	it('keeps a development key outside the data folder, both created for the owner only', async () => {
		const root = tempDataDir();
		const dataDir = path.join(root, 'data');
		const configHome = path.join(root, 'config');
		try {
			const server = await startServer({
				dataDir,
				env: {
					NODE_ENV: 'development',
					NOTES_KEYS: '',
					XDG_CONFIG_HOME: configHome,
					TRELLIS_SEED_DEMO: 'off'
				}
			});
			await server.stop();
			expect(server.output()).toMatch(/DEVELOPMENT KEY/);
			expect(mode(dataDir)).toBe(0o700);
			expect(readdirSync(dataDir, { recursive: true })).not.toContainEqual(
				expect.stringMatching(/key/)
			);
			const keyDir = path.join(configHome, 'trellis', 'notes-keys');
			const [keyFile] = readdirSync(keyDir);
			expect(keyFile).toMatch(/\.txt$/);
			expect(mode(keyDir)).toBe(0o700);
			expect(mode(path.join(keyDir, keyFile))).toBe(0o600);
			expect(server.output()).toContain(path.join(keyDir, keyFile));
			expect(existsSync(path.join(dataDir, 'notes-key.txt'))).toBe(false);
		} finally {
			removeDir(root);
		}
	});
});
