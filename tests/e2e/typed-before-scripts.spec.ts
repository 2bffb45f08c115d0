// On a slow phone the form is on screen before the page's scripts have run. What is typed in that
// time must still be there once they run (hydration), and be what is saved.
import { test, expect, person } from './fixtures';

test('what a therapist types before the page has loaded its scripts is kept, and is what is saved', async ({
	browser
}) => {
	const { page } = await person(browser, 'therapist@trellis.test');
	let letScriptsLoad!: () => void;
	const scriptsMayLoad = new Promise<void>((resolve) => (letScriptsLoad = resolve));
	await page.route('**/_app/immutable/**', async (route) => {
		await scriptsMayLoad;
		await route.continue();
	});
	// Not waiting for DOMContentLoaded: it waits for the (held) module scripts to run.
	await page.goto('/app/couples/new', { waitUntil: 'commit' });
	await expect(page.getByLabel('Label')).toBeVisible();
	const label = `Typed early ${Date.now()}`;
	await page.getByLabel('Label').fill(label);
	await page.locator('#partner1Name').fill('Robin');
	await page.locator('#partner2Name').fill('Jo');

	letScriptsLoad();
	await page.waitForLoadState('networkidle');
	await expect(page.getByLabel('Label')).toHaveValue(label);
	await expect(page.locator('#partner1Name')).toHaveValue('Robin');
	await expect(page.locator('#partner2Name')).toHaveValue('Jo');

	await page.getByRole('button', { name: 'Create couple' }).click();
	await expect(page.getByRole('heading', { name: label })).toBeVisible();
	await expect(page.getByRole('region', { name: 'Robin' })).toBeVisible();
});
