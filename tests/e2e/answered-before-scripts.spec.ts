// On a slow phone the exercise is on screen before the page's scripts have run. Hydration sets every
// control to the stored answer, so a tap in that time would be undone and never sent: the controls
// wait, disabled, and say so, until the scripts run; then a tap is saved.
import { test, expect, person } from './fixtures';
import { assignAsHomework, openInLibrary } from './exercises';

test('the homework page takes no answer it would drop before its scripts run, then saves one', async ({
	browser
}) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	await openInLibrary(therapist.page, /line/i);
	const assignmentId = await assignAsHomework(therapist.page, 'Alex & Sam', 'Early taps.');
	await therapist.context.close();

	const { page } = await person(browser, 'sam@trellis.test', { width: 375, height: 800 });
	let letScriptsLoad!: () => void;
	const scriptsMayLoad = new Promise<void>((resolve) => (letScriptsLoad = resolve));
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		await scriptsMayLoad;
		await route.continue();
	});
	await page.goto(`/c/assignments/${assignmentId}`, { waitUntil: 'commit' });
	const items = page.locator('section[aria-labelledby="section-heading"] fieldset');
	const first = items.first().getByRole('radio', { name: 'Talk with me first' });
	await expect(first).toBeVisible();
	// Every control of the section, and the lock, wait: none of them can take a tap it would drop.
	const controls = items.locator('input, textarea');
	expect(await controls.count()).toBeGreaterThan(3);
	for (const control of await controls.all()) await expect(control).toBeDisabled();
	await expect(
		page.getByRole('button', { name: 'Lock my answers for this section' })
	).toBeDisabled();
	await expect(page.getByText('Getting your answers ready')).toBeVisible();

	letScriptsLoad();
	await expect(first).toBeEnabled();
	await expect(page.getByText('Getting your answers ready')).toHaveCount(0);
	await first.check();
	await expect(page.locator('[data-connection]')).toContainText('Every answer is saved');
	await page.reload();
	await expect(first).toBeChecked();
});
