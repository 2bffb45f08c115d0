import { describe, expect, it } from 'vitest';
import { readConfig } from './config';

describe('the parsed environment', () => {
	it('gives every setting its default when nothing is set', () => {
		const config = readConfig({});
		expect(config.database.kind).toBe('pglite');
		expect(config.port).toBe(3000);
		expect(config.bodyLimit).toBe(512 * 1024);
		expect(config.smtpUrl).toBeNull();
		expect(config.publicOrigin).toBeNull();
		expect(config.seedsDemo).toBe(true);
		expect(config.isProduction).toBe(false);
	});

	it('reads what is set, and treats blank values as unset', () => {
		const config = readConfig({
			DATABASE_URL: 'postgres://db/trellis',
			DATABASE_POOL_SIZE: '4',
			ORIGIN: 'https://trellis.example.org/some/path',
			SMTP_URL: '   ',
			TRELLIS_SEED_DEMO: 'off',
			NODE_ENV: 'production'
		});
		expect(config.database).toEqual({
			kind: 'postgres',
			url: 'postgres://db/trellis',
			poolSize: 4
		});
		expect(config.publicOrigin).toBe('https://trellis.example.org');
		expect(config.smtpUrl).toBeNull();
		expect(config.seedsDemo).toBe(false);
		expect(config.isProduction).toBe(true);
	});

	it('falls back to the default for a value that does not parse, instead of failing start-up', () => {
		const config = readConfig({ PORT: 'eighty', DATABASE_POOL_SIZE: '-2', ORIGIN: 'not a url' });
		expect(config.port).toBe(3000);
		expect(config.publicOrigin).toBeNull();
		expect(
			readConfig({ DATABASE_URL: 'postgres://x/y', DATABASE_POOL_SIZE: '-2' }).database
		).toEqual({
			kind: 'postgres',
			url: 'postgres://x/y',
			poolSize: 10
		});
	});
});
