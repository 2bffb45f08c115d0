// `npm run bench:js`: the JavaScript a partner's browser loads on each partner page of the production
// build (demo data, embedded database), compressed as a server would send it (gzip), against the
// 100 KB budget in DESIGN.md. Prints one line a page, a summary, then one JSON object last.
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { removeDir, snapshotBuild, startServer, tempDataDir } from '../helpers/server';

const BUDGET_BYTES = 100 * 1024;
const log = (message: string) => console.log(`[bench:js] ${message}`);

/** Loads a page in a fresh tab and adds up its scripts: as sent, and gzip-compressed. */
async function scriptsOf(page: Page, url: string) {
	const bodies: Promise<Buffer>[] = [];
	const onResponse = (response: { url(): string; body(): Promise<Buffer> }) => {
		if (/\.m?js(\?|$)/.test(response.url())) bodies.push(response.body());
	};
	page.on('response', onResponse);
	await page.goto(url, { waitUntil: 'networkidle' });
	page.off('response', onResponse);
	const loaded = await Promise.all(bodies);
	return {
		files: loaded.length,
		bytes: loaded.reduce((sum, b) => sum + b.length, 0),
		gzipBytes: loaded.reduce((sum, b) => sum + gzipSync(b).length, 0)
	};
}

export default async function bench(): Promise<number> {
	const appRoot = snapshotBuild();
	const dataDir = tempDataDir('trellis-bench-js-');
	const server = await startServer({ root: appRoot, dataDir });
	const executablePath = ['/usr/bin/chromium', process.env.PLAYWRIGHT_CHROMIUM_PATH ?? ''].find(
		(p) => p && existsSync(p)
	);
	const browser = await chromium.launch({
		executablePath,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']
	});
	try {
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(`${server.url}/login`);
		await page.getByLabel('Email').fill('alex@trellis.test');
		await page.getByLabel('Password').fill('trellis-demo-2026');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL('**/c');
		const homework = await page.locator('[data-testid="due-list"] a').first().getAttribute('href');
		const live = await page
			.getByRole('link', { name: /Join the live session/ })
			.getAttribute('href');
		const paths = ['/c', '/c/progress', homework!, live!, '/c/crisis'];
		const pages: Record<string, { files: number; bytes: number; gzipBytes: number }> = {};
		for (const path of paths) {
			const tab = await context.newPage();
			const figures = await scriptsOf(tab, `${server.url}${path}`);
			await tab.close();
			const name = path.replace(/[0-9a-f-]{36}/, '[id]');
			pages[name] = figures;
			log(
				`${name}: ${figures.files} scripts, ${(figures.bytes / 1024).toFixed(1)} KB, ` +
					`${(figures.gzipBytes / 1024).toFixed(1)} KB gzip`
			);
		}
		const largest = Math.max(...Object.values(pages).map((p) => p.gzipBytes));
		const isBudgetMet = largest <= BUDGET_BYTES;
		log(
			`summary: largest partner page ${(largest / 1024).toFixed(1)} KB of JavaScript (gzip), ` +
				`budget 100 KB ${isBudgetMet ? 'met' : 'NOT met'}`
		);
		console.log(
			JSON.stringify({ budgetBytes: BUDGET_BYTES, largestGzipBytes: largest, isBudgetMet, pages })
		);
		return isBudgetMet ? 0 : 1;
	} finally {
		await browser.close();
		await server.stop();
		removeDir(dataDir);
		removeDir(appRoot);
	}
}
