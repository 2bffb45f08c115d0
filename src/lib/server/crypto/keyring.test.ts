import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { developmentKeyFile } from '../config';
import { keyringFromEnv, open, parseKeyring, seal } from './keyring';

const key = () => randomBytes(32).toString('base64');

describe('the notes keyring', () => {
	it('round-trips text and binds it to its row', () => {
		const ring = parseKeyring(`k1:${key()}`);
		const sealed = seal(ring, 'note-1', 'S: sleeping better. O: calmer.');
		expect(Buffer.from(sealed.ciphertext).toString('utf8')).not.toContain('sleeping');
		expect(open(ring, 'note-1', sealed)).toBe('S: sleeping better. O: calmer.');
		expect(() => open(ring, 'note-2', sealed)).toThrow();
	});

	it('reads old rows with an older key while writing with the current one', () => {
		const old = key();
		const before = seal(parseKeyring(`k0:${old}`), 'n', 'older text');
		const ring = parseKeyring(`k1:${key()},k0:${old}`);
		expect(open(ring, 'n', before)).toBe('older text');
		expect(seal(ring, 'n', 'new').keyId).toBe('k1');
	});

	it('refuses bad keyrings with a message naming NOTES_KEYS', () => {
		expect(() => parseKeyring('nokey')).toThrow(/NOTES_KEYS/);
		expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/32 bytes/);
	});

	it('refuses to run without keys in production, on a server database or the embedded one', () => {
		for (const env of [
			{ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@y/z' },
			{ NODE_ENV: 'production' }
		]) {
			expect(() => keyringFromEnv(env, '/nowhere')).toThrow(/NOTES_KEYS is required in production/);
		}
	});

	it('keeps a development key outside the data directory, owner-only, and reuses it', () => {
		const root = mkdtempSync(path.join(tmpdir(), 'keyring-'));
		const dataDir = path.join(root, 'data');
		const env = { XDG_CONFIG_HOME: path.join(root, 'config') };
		try {
			const ring = keyringFromEnv(env, dataDir);
			expect(ring.currentId).toBe('dev');
			const file = developmentKeyFile(env, dataDir);
			expect(file.startsWith(path.join(root, 'config', 'trellis', 'notes-keys'))).toBe(true);
			expect(readFileSync(file, 'utf8')).toMatch(/^dev:/);
			expect(statSync(file).mode & 0o777).toBe(0o600);
			expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
			expect(existsSync(dataDir)).toBe(false);
			expect(keyringFromEnv(env, dataDir).keys.get('dev')).toEqual(ring.keys.get('dev'));
			// Another data directory gets a key of its own.
			expect(developmentKeyFile(env, path.join(root, 'other'))).not.toBe(file);
		} finally {
			rmSync(root, { recursive: true, force: true });
		}
	});

	it('moves a development key left in the data directory by an earlier version out of it', () => {
		const root = mkdtempSync(path.join(tmpdir(), 'keyring-'));
		const dataDir = path.join(root, 'data');
		const env = { XDG_CONFIG_HOME: path.join(root, 'config') };
		try {
			mkdirSync(dataDir);
			const legacy = `dev:${key()}\n`;
			writeFileSync(path.join(dataDir, 'notes-key.txt'), legacy);
			const ring = keyringFromEnv(env, dataDir);
			expect(ring.keys.get('dev')).toEqual(parseKeyring(legacy).keys.get('dev'));
			expect(existsSync(path.join(dataDir, 'notes-key.txt'))).toBe(false);
			expect(readFileSync(developmentKeyFile(env, dataDir), 'utf8')).toBe(legacy);
		} finally {
			rmSync(root, { recursive: true, force: true });
		}
	});
});
