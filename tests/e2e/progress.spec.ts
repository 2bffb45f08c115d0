import { test, expect, expectAccessible, person } from './fixtures';

test('the therapist sees urgent work first, then a demo couple’s weeks of history as charts and tables', async ({
	browser
}) => {
	const { page } = await person(browser, 'therapist@trellis.test');
	const thisWeek = page.getByRole('region', { name: 'This week' });
	await expect(thisWeek.getByTestId('work-overdue')).toContainText('Forgiveness readiness');
	await expect(thisWeek.getByTestId('work-due-soon')).toContainText('Weekly trust check-in');
	await expect(page.getByTestId('recent-activity')).toContainText('Alex & Sam');
	await expectAccessible(page);

	await page.getByRole('link', { name: 'Alex & Sam', exact: true }).last().click();
	await page.getByRole('link', { name: 'Progress', exact: true }).click();
	const progress = page.getByRole('region', { name: 'Progress over time' });
	await expect(progress.getByTestId('chart').first().locator('svg path').first()).toBeVisible();
	const trust = progress.getByRole('table', { name: 'Weekly trust check-in: Trust by date' });
	// A header row and twelve completed weekly check-ins.
	await expect(trust.getByRole('row')).toHaveCount(13);
	await expect(trust.getByRole('columnheader')).toHaveText(['Date', 'Alex', 'Sam', 'Gap']);
	// The demo's three boundary exercises, and any a live-room spec has finished since.
	const agreementRows = page.getByTestId('agreement-table').getByRole('row');
	await expect(agreementRows.nth(3)).toBeVisible();
	await expect(page.getByTestId('divergences').getByRole('listitem').first()).toContainText(
		'apart'
	);
	await expectAccessible(page);
	await page.getByRole('link', { name: 'Record', exact: true }).click();
	await expect(page.getByTestId('timeline')).toContainText('Live session');
	await expectAccessible(page);
});

test('a partner sees the couple’s progress when the therapist has it on, and not when it is off', async ({
	browser
}) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	await therapist.page.getByRole('link', { name: 'Alex & Sam', exact: true }).last().click();
	await therapist.page.getByRole('link', { name: 'Progress', exact: true }).click();
	const visibility = therapist.page.getByTestId('progress-visibility');
	await expect(visibility).toContainText('on');

	const alex = await person(browser, 'alex@trellis.test', { width: 320, height: 740 });
	await alex.page.getByRole('link', { name: 'See your progress over time' }).click();
	await expect(alex.page.getByRole('heading', { name: 'Your progress' })).toBeVisible();
	const mine = alex.page.getByRole('table', { name: 'Weekly trust check-in: Trust by date' });
	await expect(mine.getByRole('columnheader')).toHaveText(['Date', 'You']);
	await expect(alex.page.getByText('Sam', { exact: true })).toHaveCount(0);
	const width = await alex.page.evaluate(() => document.documentElement.scrollWidth);
	expect(width).toBeLessThanOrEqual(320);
	await expectAccessible(alex.page);

	await therapist.page.getByRole('button', { name: 'Hide it from the partners' }).click();
	await expect(visibility).toContainText('off');
	await alex.page.reload();
	await expect(alex.page.getByTestId('progress-off')).toBeVisible();
	await expect(mine).toHaveCount(0);
	await expectAccessible(alex.page);

	await therapist.page.getByRole('button', { name: 'Show it to the partners' }).click();
	await expect(visibility).toContainText('on');
	await alex.page.reload();
	await expect(mine).toBeVisible();
});

test('the couple page fits a 320 px phone', async ({ browser }) => {
	const { page } = await person(browser, 'therapist@trellis.test', { width: 320, height: 740 });
	await page.getByRole('link', { name: 'Alex & Sam', exact: true }).last().click();
	await page.getByRole('link', { name: 'Progress', exact: true }).click();
	await expect(page.getByRole('heading', { name: 'Progress over time' })).toBeVisible();
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	expect(width).toBeLessThanOrEqual(320);
});
