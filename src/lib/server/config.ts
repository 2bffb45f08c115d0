// Reads the environment once, with defaults, so every module sees the same settings.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import type { DatabaseTarget } from './db/connect';

export function databaseTarget(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
	const url = env.DATABASE_URL?.trim();
	if (url) return { kind: 'postgres', url, poolSize: Number(env.DATABASE_POOL_SIZE) || 10 };
	return { kind: 'pglite', dataDir: path.resolve(env.DATA_DIR?.trim() || 'data', 'pglite') };
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
	return path.resolve(env.DATA_DIR?.trim() || 'data');
}

/** The public URL (`ORIGIN`) when set: what browsers' Origin headers must name. */
export function publicOrigin(env: NodeJS.ProcessEnv = process.env): string | null {
	const value = env.ORIGIN?.trim();
	if (!value) return null;
	try {
		return new URL(value).origin;
	} catch {
		return null;
	}
}

/**
 * Where a development notes key lives: in the user's config directory (`$XDG_CONFIG_HOME`, else
 * `~/.config`), one file per data directory, named for it. Never inside the data directory, so copying
 * the data does not copy the key; never beside it, so copying the project folder does not either.
 */
export function developmentKeyFile(env: NodeJS.ProcessEnv, dataDir: string): string {
	const configHome =
		env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME?.trim() || homedir(), '.config');
	const absolute = path.resolve(dataDir);
	const name =
		path
			.basename(absolute)
			.replace(/[^A-Za-z0-9_-]+/g, '-')
			.slice(0, 40) || 'data';
	const tag = createHash('sha256').update(absolute).digest('hex').slice(0, 12);
	return path.join(configHome, 'trellis', 'notes-keys', `${name}-${tag}.txt`);
}
