// Envelope encryption for clinical text at rest: AES-256-GCM under a keyring from NOTES_KEYS
// (`keyId:base64key,...`, the first is current); the key id is stored per row and the row's id is bound
// as additional authenticated data, so a ciphertext cannot be moved to another row.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir, developmentKeyFile, readConfig } from '../config';

export interface Keyring {
	currentId: string;
	keys: Map<string, Buffer>;
}

export interface Sealed {
	keyId: string;
	nonce: Uint8Array;
	ciphertext: Uint8Array;
}

export class KeyringError extends Error {}

export function parseKeyring(value: string): Keyring {
	const keys = new Map<string, Buffer>();
	let currentId = '';
	for (const part of value
		.split(',')
		.map((p) => p.trim())
		.filter(Boolean)) {
		const colon = part.indexOf(':');
		const id = part.slice(0, colon).trim();
		if (colon <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
			throw new KeyringError('NOTES_KEYS must look like "k1:<base64 32-byte key>,k0:<older key>".');
		}
		const key = Buffer.from(part.slice(colon + 1).trim(), 'base64');
		if (key.length !== 32)
			throw new KeyringError(`NOTES_KEYS: key "${id}" must be 32 bytes (base64).`);
		if (keys.has(id)) throw new KeyringError(`NOTES_KEYS: key id "${id}" appears twice.`);
		keys.set(id, key);
		currentId ||= id;
	}
	if (!currentId) throw new KeyringError('NOTES_KEYS is empty.');
	return { currentId, keys };
}

/**
 * The keyring from NOTES_KEYS. Without it: refused in production, whatever the database; in
 * development a key is generated once, outside the data directory (see `developmentKeyFile`), so
 * a copy of the data folder never carries the key that opens it.
 */
export function keyringFromEnv(env: NodeJS.ProcessEnv, dataDir: string): Keyring {
	const { notesKeys, isProduction } = readConfig(env);
	if (notesKeys) return parseKeyring(notesKeys);
	if (isProduction) {
		throw new KeyringError(
			'NOTES_KEYS is required in production: set it to "k1:<base64 of 32 random bytes>" (openssl rand -base64 32) and keep it apart from the data (docs/deploy.md).'
		);
	}
	const file = developmentKeyFile(env, dataDir);
	const moved = adoptLegacyKey(dataDir, file);
	if (!existsSync(file)) {
		mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
		try {
			// `wx`: a second process starting at the same moment keeps the first one's key.
			writeFileSync(file, `dev:${randomBytes(32).toString('base64')}\n`, {
				mode: 0o600,
				flag: 'wx'
			});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
	}
	warnDevelopmentKey(file, moved);
	return parseKeyring(readFileSync(file, 'utf8'));
}

/**
 * Earlier versions kept the development key inside the data directory; it moves out on the next
 * start (the notes it sealed still open, with the same key).
 */
function adoptLegacyKey(dataDir: string, file: string): string | null {
	const legacy = path.join(dataDir, 'notes-key.txt');
	if (!existsSync(legacy)) return null;
	const key = readFileSync(legacy, 'utf8');
	if (existsSync(file) && readFileSync(file, 'utf8') !== key) {
		throw new KeyringError(
			`Two development keys: ${legacy} and ${file}. Keep the one that opens these notes in ${file} and delete the other.`
		);
	}
	mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
	if (!existsSync(file)) writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
	unlinkSync(legacy);
	return legacy;
}

function warnDevelopmentKey(file: string, movedFrom: string | null) {
	const lines = [
		'DEVELOPMENT KEY: NOTES_KEYS is not set, so notes and TOTP secrets are encrypted with a',
		`development key kept in ${file}, outside the data directory.`,
		...(movedFrom ? [`It was moved there from ${movedFrom}.`] : []),
		'Never use it for real client data: set NOTES_KEYS and NODE_ENV=production (docs/deploy.md).'
	];
	console.warn(lines.map((line) => `[notes] ${line}`).join('\n'));
}

export function seal(keyring: Keyring, rowId: string, plaintext: string): Sealed {
	const key = keyring.keys.get(keyring.currentId)!;
	const nonce = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key, nonce);
	cipher.setAAD(Buffer.from(rowId, 'utf8'));
	const body = Buffer.concat([
		cipher.update(plaintext, 'utf8'),
		cipher.final(),
		cipher.getAuthTag()
	]);
	return { keyId: keyring.currentId, nonce, ciphertext: body };
}

export function open(keyring: Keyring, rowId: string, sealed: Sealed): string {
	const key = keyring.keys.get(sealed.keyId);
	if (!key)
		throw new KeyringError(
			`No key "${sealed.keyId}" in NOTES_KEYS; it is needed to read this note.`
		);
	const data = Buffer.from(sealed.ciphertext);
	const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce));
	decipher.setAAD(Buffer.from(rowId, 'utf8'));
	decipher.setAuthTag(data.subarray(data.length - 16));
	return Buffer.concat([
		decipher.update(data.subarray(0, data.length - 16)),
		decipher.final()
	]).toString('utf8');
}

const appKey = Symbol.for('trellis.notes-keyring');

/** The process's keyring, read once from the environment. */
export function appKeyring(): Keyring {
	const holder = globalThis as { [appKey]?: Keyring };
	holder[appKey] ??= keyringFromEnv(process.env, dataDir()); // the one process environment
	return holder[appKey];
}

/** The three columns a sealed row stores (notes, addenda, acknowledgement notes, outbox messages). */
export interface SealedColumns {
	key_id: string;
	nonce: Uint8Array;
	ciphertext: Uint8Array;
}

/** Seals `plaintext` for the row `rowId`, as the columns the row keeps it in. */
export function sealColumns(keyring: Keyring, rowId: string, plaintext: string): SealedColumns {
	const sealed = seal(keyring, rowId, plaintext);
	return { key_id: sealed.keyId, nonce: sealed.nonce, ciphertext: sealed.ciphertext };
}

/** Opens what `sealColumns` stored for the row `rowId`. */
export function openColumns(keyring: Keyring, rowId: string, row: SealedColumns): string {
	return open(keyring, rowId, { keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext });
}
