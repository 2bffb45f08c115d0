// Reads the environment once, with defaults, so every module sees the same settings.
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

export const isProduction = () => process.env.NODE_ENV === 'production';

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
