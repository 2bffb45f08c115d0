// A newcomer's first `npm start`: a copy of the project on an empty data directory builds, starts and
// prints a few lines of progress, the demo sign-ins and the URL, not the build's file tables and noise.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/server';

const root = path.resolve(import.meta.dirname, '../..');
const LINE_LIMIT = 30;

/** The project as a fresh clone would have it after `npm install`: its files and node_modules. */
function copyOfTheProject(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'trellis-first-start-'));
	const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
		cwd: root,
		encoding: 'utf8'
	})
		.split('\n')
		.filter((file) => file && existsSync(path.join(root, file)));
	for (const file of files) {
		mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
		cpSync(path.join(root, file), path.join(dir, file));
	}
	symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
	// What `npm install` runs last (the "prepare" script).
	execFileSync(
		process.execPath,
		[path.join(root, 'node_modules/@sveltejs/kit/svelte-kit.js'), 'sync'],
		{
			cwd: dir,
			stdio: 'ignore'
		}
	);
	return dir;
}

const made: string[] = [];
afterAll(() => {
	for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('the first npm start', () => {
	it(
		'prints a few lines of progress, then the demo sign-ins and the URL',
		{ timeout: 300_000 },
		async () => {
			const project = copyOfTheProject();
			const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-first-data-'));
			const configHome = mkdtempSync(path.join(tmpdir(), 'trellis-first-config-'));
			made.push(project, dataDir, configHome);
			const port = await freePort();

			// A newcomer's shell: no keys, no server database, not production.
			const env: NodeJS.ProcessEnv = {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				DATA_DIR: dataDir,
				XDG_CONFIG_HOME: configHome
			};
			for (const name of ['NOTES_KEYS', 'DATABASE_URL', 'NODE_ENV', 'ORIGIN', 'TEST_DB_KIND']) {
				delete env[name];
			}
			// Its own process group, so stopping it stops npm's children (the build, the server) too.
			const child = spawn('npm', ['start'], {
				cwd: project,
				env,
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe']
			});
			let output = '';
			const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
			try {
				await new Promise<void>((resolve, reject) => {
					const read = (chunk: Buffer) => {
						output += chunk.toString();
						if (output.includes('Trellis is listening')) resolve();
					};
					child.stdout!.on('data', read);
					child.stderr!.on('data', read);
					void exited.then((code) => reject(new Error(`npm start ended (${code}):\n${output}`)));
				});
				// The listening line is whole once its newline has arrived.
				await new Promise<void>((resolve) => {
					const whole = () => /Trellis is listening[^\n]*\n/.test(output);
					if (whole()) return resolve();
					child.stdout!.on('data', () => whole() && resolve());
				});

				const lines = output.trimEnd().split('\n');
				expect(lines.length, output).toBeLessThanOrEqual(LINE_LIMIT);
				expect(lines.at(-1)).toBe(`Trellis is listening on http://localhost:${port}`);
				for (const expected of [
					'Building Trellis',
					'Built in',
					'trellis-demo-2026',
					'therapist@trellis.test',
					'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
					'alex@trellis.test, sam@trellis.test',
					// A warning that matters still shows: the notes are under a development key.
					'DEVELOPMENT KEY'
				]) {
					expect(output).toContain(expected);
				}
				for (const noise of [
					'Circular dependency',
					'npm run preview',
					'(!)',
					'gzip',
					'EBADENGINE'
				]) {
					expect(output).not.toContain(noise);
				}
				const health = await fetch(`http://127.0.0.1:${port}/healthz`);
				expect(health.status).toBe(200);
			} finally {
				if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
				await exited;
			}
		}
	);
});
