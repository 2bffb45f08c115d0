import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

	it('refuses to run without keys in production with a server database, and makes a dev key otherwise', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'keyring-'));
		try {
			expect(() =>
				keyringFromEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@y/z' }, dir)
			).toThrow(/NOTES_KEYS is required/);
			const ring = keyringFromEnv({}, dir);
			expect(ring.currentId).toBe('dev');
			expect(readFileSync(path.join(dir, 'notes-key.txt'), 'utf8')).toMatch(/^dev:/);
			expect(keyringFromEnv({}, dir).keys.get('dev')).toEqual(ring.keys.get('dev'));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
