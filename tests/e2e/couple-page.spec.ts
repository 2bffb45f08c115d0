import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';

const WIDTHS = [1280, 375, 320];

async function expectNoSidewaysScroll(page: Page) {
	const { scrollWidth, clientWidth } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth
	}));
	expect(scrollWidth, `sideways scroll on ${page.url()}`).toBeLessThanOrEqual(clientWidth);
}

for (const width of WIDTHS) {
	test(`at ${width} px: home cards, the couple page's summary and sections, results and audit`, async ({
		browser
	}) => {
		test.slow();
		const { page } = await person(browser, 'therapist@trellis.test', { width, height: 900 });

		const card = page.getByTestId('couple-card').filter({
			has: page.getByRole('link', { name: 'Alex & Sam', exact: true })
		});
		await expect(card.getByTestId('card-work')).toContainText(/open|nothing open/);
		await expect(card.getByTestId('card-live')).toBeVisible();
		await expect(card.getByTestId('card-activity')).toContainText(/answered|no answers/);
		await expectNoSidewaysScroll(page);
		await expectAccessible(page);

		await card.getByRole('link', { name: 'Alex & Sam', exact: true }).click();
		await expect(page.getByRole('heading', { name: 'At a glance' })).toBeVisible();
		await expect(page.getByTestId('next-step')).toContainText('Next step');
		const sections = page.getByRole('navigation', { name: 'Sections of this couple' });
		await expect(sections.getByRole('link')).toHaveText(['Work', 'Progress', 'Notes', 'Record']);
		await expect(sections.getByRole('link', { name: 'Work' })).toHaveAttribute(
			'aria-current',
			'page'
		);
		const open = page.getByTestId('assignments-open');
		const finished = page.getByTestId('assignments-finished');
		await expect(open.getByRole('heading', { name: /^Open/ })).toBeVisible();
		await expect(finished.getByRole('heading', { name: /^Finished/ })).toBeVisible();
		await expect(finished.getByRole('listitem').first()).toContainText('Finished');

		// The filter leaves only that exercise's assignments, in both groups.
		await page.getByLabel('Show exercise').selectOption('Weekly trust check-in');
		const titles = page
			.getByTestId('couple-assignments')
			.getByRole('listitem')
			.getByRole('link', {
				name: /^(?!join live)/
			});
		await expect(titles.first()).toBeVisible();
		for (const title of await titles.allTextContents()) {
			expect(title).toBe('Weekly trust check-in');
		}
		await expectNoSidewaysScroll(page);
		await expectAccessible(page);

		// Progress: its own address, charts with readable axis labels.
		await sections.getByRole('link', { name: 'Progress' }).click();
		await expect(page).toHaveURL(/\/progress$/);
		await expect(page.getByRole('heading', { name: 'Progress over time' })).toBeVisible();
		const tick = page.getByTestId('chart').first().locator('.tick-y').first();
		const size = await tick.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
		expect(size).toBeGreaterThanOrEqual(11);
		await expect(page.getByText('How this is computed').first()).toBeVisible();
		await expectNoSidewaysScroll(page);
		await expectAccessible(page);

		// Notes: the same section links, so she can go on from there.
		await sections.getByRole('link', { name: 'Notes' }).click();
		await expect(page.getByRole('heading', { name: 'Session notes' })).toBeVisible();
		await expect(sections.getByRole('link', { name: 'Notes' })).toHaveAttribute(
			'aria-current',
			'page'
		);
		await expectNoSidewaysScroll(page);

		// Record: the timeline and the way to the audit trail.
		await sections.getByRole('link', { name: 'Record' }).click();
		await expect(page.getByTestId('timeline')).toBeVisible();
		await expectNoSidewaysScroll(page);
		await page.getByRole('link', { name: 'Open the audit trail' }).click();
		await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
		await expect(page.getByTestId('audit-trail')).toContainText('You viewed their progress');
		await expectNoSidewaysScroll(page);
		await expectAccessible(page);

		// Results of a finished exercise: answers side by side, as cards on a phone.
		await page.goBack();
		await sections.getByRole('link', { name: 'Work' }).click();
		await page.getByTestId('assignments-finished').getByRole('link').first().click();
		await expect(page.getByRole('heading', { name: 'Answers side by side' })).toBeVisible();
		await expectNoSidewaysScroll(page);
		await expectAccessible(page);
	});
}

test('a 200-character label with no spaces stops at the limit the field states and wraps at 320 px; both fresh invite links stay', async ({
	browser
}) => {
	const { page } = await person(browser, 'therapist@trellis.test', { width: 320, height: 800 });
	await page.goto('/app/couples/new');
	await expect(page.getByText(/up to 80 characters/)).toBeVisible();
	// Unique at its start, so the test can find its own couple again.
	const label = `${Date.now()}${'W'.repeat(200)}`;
	await page.getByLabel('Label').fill(label);
	await expect(page.getByLabel('Label')).toHaveValue(label.slice(0, 80));
	await page.locator('#partner1Name').fill('N'.repeat(200));
	await page.locator('#partner2Name').fill('Kim');
	await page.getByRole('button', { name: 'Create couple' }).click();
	await expect(page.getByRole('heading', { name: label.slice(0, 80) })).toBeVisible();
	await expectNoSidewaysScroll(page);
	await expectAccessible(page);

	// Making the second partner's invite link keeps the first one (and its QR code) on screen.
	await page.getByRole('button', { name: /^Invite for N+$/ }).click();
	await expect(page.getByTestId('invite-link')).toHaveCount(1);
	await page.getByRole('button', { name: 'Invite for Kim' }).click();
	const links = page.getByTestId('invite-link');
	await expect(links).toHaveCount(2);
	for (const index of [0, 1]) {
		await expect(links.nth(index).getByRole('textbox')).toHaveValue(/\/invite\/[a-z2-7]{40}$/);
		await expect(links.nth(index).getByRole('img', { name: /QR code/ })).toBeVisible();
		await expect(links.nth(index)).toContainText('you can re-issue a link at any time');
	}
	await expectNoSidewaysScroll(page);
	await expectAccessible(page);
	await page.goto('/app');
	await expect(page.getByRole('link', { name: label.slice(0, 80) })).toBeVisible();
	await expectNoSidewaysScroll(page);
});
