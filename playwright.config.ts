import { defineConfig } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_NOTES_KEYS } from './tests/helpers/notes-key';

// No browser can be downloaded here: use PLAYWRIGHT_CHROMIUM_PATH, else Debian's chromium, else Playwright's own.
const executablePath =
	[process.env.PLAYWRIGHT_CHROMIUM_PATH, '/usr/bin/chromium'].find((p) => p && existsSync(p)) ??
	undefined;

const port = Number(process.env.E2E_PORT || 4173);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'trellis-e2e-'));
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	workers: 1,
	forbidOnly: true,
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: process.env.CI ? [['list']] : [['list']],
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--disable-quic'
			]
		}
	},
	webServer: {
		command: 'node server.js',
		url: `http://127.0.0.1:${port}/healthz`,
		reuseExistingServer: false,
		timeout: 60_000,
		stdout: 'ignore',
		stderr: 'pipe',
		env: {
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: `http://127.0.0.1:${port}`,
			DATA_DIR: dataDir,
			NODE_ENV: 'production',
			// Production refuses to start without a notes key; the tests share one fixed key.
			NOTES_KEYS: TEST_NOTES_KEYS
		}
	}
});
