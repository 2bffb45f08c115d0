// The environment, parsed by one schema: every setting Trellis reads, its default, and what a value
// that does not parse falls back to. Modules ask `config()`; none reads process.env itself.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import type { DatabaseTarget } from './db/connect';

/** Text that counts as unset when empty. */
const setting = v.optional(
	v.pipe(
		v.string(),
		v.trim(),
		v.transform((value) => value || undefined)
	)
);
const count = (fallback: number) =>
	v.fallback(
		v.optional(
			v.pipe(v.string(), v.trim(), v.transform(Number), v.integer(), v.minValue(1)),
			String(fallback)
		),
		fallback
	);

const Env = v.object({
	DATABASE_URL: setting,
	DATABASE_POOL_SIZE: count(10),
	DATA_DIR: setting,
	ORIGIN: v.fallback(
		v.pipe(
			setting,
			v.transform((value) => (value && URL.canParse(value) ? new URL(value).origin : null))
		),
		null
	),
	PORT: count(3000),
	BODY_SIZE_LIMIT: count(512 * 1024),
	NOTES_KEYS: setting,
	NODE_ENV: setting,
	SMTP_URL: setting,
	SMTP_FROM: setting,
	TRELLIS_SEED_DEMO: v.fallback(v.optional(v.picklist(['on', 'off']), 'on'), 'on'),
	XDG_CONFIG_HOME: setting,
	HOME: setting
});

export type Config = ReturnType<typeof readConfig>;

/** Every setting, from this environment (read on each call: tests change SMTP_URL as they go). */
export function readConfig(env: NodeJS.ProcessEnv = process.env) {
	const raw = v.parse(Env, env);
	const dataDir = path.resolve(raw.DATA_DIR ?? 'data');
	return {
		database: (raw.DATABASE_URL
			? { kind: 'postgres', url: raw.DATABASE_URL, poolSize: raw.DATABASE_POOL_SIZE }
			: { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }) as DatabaseTarget,
		dataDir,
		/** The public URL (`ORIGIN`) when set: what browsers' Origin headers must name. */
		publicOrigin: raw.ORIGIN ?? null,
		port: raw.PORT,
		/** The largest request body accepted (adapter-node's BODY_SIZE_LIMIT, the same default). */
		bodyLimit: raw.BODY_SIZE_LIMIT,
		notesKeys: raw.NOTES_KEYS ?? null,
		isProduction: raw.NODE_ENV === 'production',
		smtpUrl: raw.SMTP_URL ?? null,
		smtpFrom: raw.SMTP_FROM ?? 'Trellis <no-reply@trellis.invalid>',
		seedsDemo: raw.TRELLIS_SEED_DEMO === 'on',
		configHome: raw.XDG_CONFIG_HOME ?? path.join(raw.HOME ?? homedir(), '.config')
	};
}

export const config = () => readConfig();

export function databaseTarget(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
	return readConfig(env).database;
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
	return readConfig(env).dataDir;
}

export function publicOrigin(env: NodeJS.ProcessEnv = process.env): string | null {
	return readConfig(env).publicOrigin;
}

/**
 * Where a development notes key lives: in the user's config directory (`$XDG_CONFIG_HOME`, else
 * `~/.config`), one file per data directory, named for it. Never inside the data directory, so copying
 * the data does not copy the key; never beside it, so copying the project folder does not either.
 */
export function developmentKeyFile(env: NodeJS.ProcessEnv, dataDir: string): string {
	const { configHome } = readConfig(env);
	const absolute = path.resolve(dataDir);
	const name =
		path
			.basename(absolute)
			.replace(/[^A-Za-z0-9_-]+/g, '-')
			.slice(0, 40) || 'data';
	const tag = createHash('sha256').update(absolute).digest('hex').slice(0, 12);
	return path.join(configHome, 'trellis', 'notes-keys', `${name}-${tag}.txt`);
}
