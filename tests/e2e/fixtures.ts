// Shared Playwright fixtures: an axe check of every page a test visits, and demo sign-ins.
import AxeBuilder from '@axe-core/playwright';
import {
	test as base,
	expect,
	type Browser,
	type BrowserContext,
	type Page
} from '@playwright/test';
import { generateTOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { unusedTotpCode } from '../helpers/totp';

export const DEMO_PASSWORD = 'trellis-demo-2026';
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The code an authenticator shows now; for a secret just enrolled (a sign-in takes unusedTotpCode). */
export function totpCode(secret: string) {
	return generateTOTP(decodeBase32IgnorePadding(secret), 30, 6);
}

/** Fails on any serious or critical axe violation on the page as it is now. */
export async function expectAccessible(page: Page) {
	const results = await new AxeBuilder({ page }).analyze();
	const serious = results.violations.filter(
		(v) => v.impact === 'serious' || v.impact === 'critical'
	);
	expect(
		serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
		`accessibility violations on ${page.url()}`
	).toEqual([]);
}

export async function signIn(page: Page, email: string, options: { totpSecret?: string } = {}) {
	await page.goto('/login');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(DEMO_PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	if (options.totpSecret) {
		await page.waitForURL('**/login/totp');
		// The server takes each code once, and the demo therapist signs in again and again.
		await page.getByLabel('Code').fill(await unusedTotpCode(options.totpSecret));
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForURL('**/app');
	} else {
		await page.waitForURL('**/c');
	}
}

type Cookies = Awaited<ReturnType<BrowserContext['cookies']>>;

/**
 * The demo therapist's signed-in cookies, kept for the worker: the server takes each TOTP code once,
 * so signing her in afresh for every test would wait for a new 30-second code each time. A kept
 * session that has ended (signed out, idle) is replaced by a new sign-in.
 */
let therapistCookies: Cookies | null = null;

/** A person in a browser context of their own, signed in (the therapist with her TOTP code). */
export async function person(
	browser: Browser,
	email: string,
	viewport?: { width: number; height: number }
) {
	const context = await browser.newContext(viewport ? { viewport } : {});
	const page = await context.newPage();
	const isTherapist = email.startsWith('therapist');
	if (isTherapist && therapistCookies) {
		await context.addCookies(therapistCookies);
		await page.goto('/app');
		if (new URL(page.url()).pathname.startsWith('/app')) return { context, page };
		await context.clearCookies();
	}
	await signIn(page, email, isTherapist ? { totpSecret: DEMO_TOTP_SECRET } : {});
	if (isTherapist) therapistCookies = await context.cookies();
	return { context, page };
}

/** Visits record every page they load, and each is checked with axe when the test ends. */
export const test = base.extend<{ axeEveryPage: void }>({
	axeEveryPage: [
		async ({ page }, use) => {
			const seen = new Set<string>();
			page.on('load', () => seen.add(page.url()));
			await use();
			if (seen.size > 0 && !page.isClosed()) await expectAccessible(page);
		},
		{ auto: true }
	]
});

export { expect };
