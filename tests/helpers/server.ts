// Starts the production build (`node server.js`) as a child process on a free port, for HTTP and socket tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_NOTES_KEYS } from './notes-key';

const root = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}

export function tempDataDir(prefix = 'trellis-test-') {
	return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface TestServer {
	url: string;
	port: number;
	child: ChildProcess;
	output(): string;
	/** Sends the signal and resolves with the exit code once the process has ended. */
	stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServerOptions {
	dataDir?: string;
	databaseUrl?: string;
	port?: number;
	env?: Record<string, string>;
	/** Where server.js and build/ are (a snapshot, so a rebuild cannot pull files from under it). */
	root?: string;
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
	const appRoot = options.root ?? root;
	if (!existsSync(path.join(appRoot, 'build/handler.js'))) {
		throw new Error('No production build: run `npm run build` before the integration tests.');
	}
	const port = options.port ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		NODE_ENV: 'production',
		PORT: String(port),
		HOST: '127.0.0.1',
		ORIGIN: url,
		// A fixed test key, so production-mode servers on a server database may start.
		NOTES_KEYS: TEST_NOTES_KEYS,
		...options.env
	};
	delete env.DATABASE_URL;
	if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
	env.DATA_DIR = options.dataDir ?? tempDataDir();

	// process.execPath is the Node 24 that runs the tests (npm puts it first on PATH).
	const child = spawn(process.execPath, ['server.js'], {
		cwd: appRoot,
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	const exited = new Promise<number | null>((resolve) =>
		child.once('exit', (code) => resolve(code))
	);

	await new Promise<void>((resolve, reject) => {
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('Trellis is listening')) resolve();
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		void exited.then((code) =>
			reject(new Error(`server exited with ${code} before listening:\n${output}`))
		);
	});

	return {
		url,
		port,
		child,
		output: () => output,
		async stop(signal = 'SIGTERM') {
			if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
			child.kill(signal);
			return exited;
		}
	};
}

/** Copies server.js and build/ aside (node_modules linked), so the copy runs whatever happens to build/. */
export function snapshotBuild(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'trellis-app-'));
	cpSync(path.join(root, 'build'), path.join(dir, 'build'), { recursive: true });
	cpSync(path.join(root, 'server.js'), path.join(dir, 'server.js'));
	cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
	symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
	return dir;
}

export function removeDir(dir: string) {
	rmSync(dir, { recursive: true, force: true });
}
