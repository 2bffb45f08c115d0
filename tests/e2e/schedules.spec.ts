// Recurring homework: the therapist sets a weekly trust check-in for Priya & Tom, each partner sees the
// one occurrence open now (never the ones to come), both answer it, and the couple page shows the
// schedule and a trend one point longer. The first occurrence is due in two days, so it opens at once.
import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Answers every item of each section in turn (a middle value, the first option, a line of text) and locks it. */
async function answerAndLock(page: Page) {
	const lock = page.getByRole('button', { name: 'Lock my answers for this section' });
	await lock.waitFor();
	while (await lock.isVisible()) {
		const items = page.locator('section[aria-labelledby="section-heading"] fieldset');
		const count = await items.count();
		for (let i = 0; i < count; i++) {
			const item = items.nth(i);
			if ((await item.locator('input[type="range"]').count()) > 0) {
				await item.locator('input[type="range"]').fill('7');
			} else if ((await item.getByRole('radio').count()) > 0) {
				await item.getByRole('radio').first().check();
			} else if ((await item.locator('textarea').count()) > 0) {
				await item.locator('textarea').fill('A walk on Sunday');
				await item.locator('textarea').blur();
			}
		}
		await lock.click();
		// Nothing left in the page's queue: every answer and the lock are stored.
		await expect(page.locator('[data-connection]')).toContainText('Every answer is saved');
	}
}

test('a weekly schedule: one open occurrence for each partner, the schedule on the couple page, a longer trend once answered', async ({
	browser
}) => {
	// Three people, two of whom answer a whole exercise, with an axe check at each step.
	test.slow();
	const therapist = await person(browser, 'therapist@trellis.test');
	await therapist.page.getByRole('link', { name: 'Priya & Tom', exact: true }).last().click();
	await therapist.page.waitForURL(/\/app\/couples\/[0-9a-f-]{36}$/);
	const couplePage = therapist.page.url();
	await therapist.page.getByRole('link', { name: 'Progress', exact: true }).click();
	const trust = therapist.page
		.getByRole('region', { name: 'Progress over time' })
		.getByRole('table', { name: 'Weekly trust check-in: Trust by date' });
	await expect(trust.getByRole('row').nth(2)).toBeAttached();
	const rowsBefore = await trust.getByRole('row').count();
	expect(rowsBefore).toBeGreaterThan(2);

	await therapist.page.goto(couplePage);
	await therapist.page.getByRole('link', { name: 'Assign an exercise', exact: true }).click();
	await therapist.page
		.getByRole('radio', { name: /Weekly trust check-in/ })
		.first()
		.check();
	await therapist.page.getByLabel('Repeat').selectOption('weekly');
	const firstDue = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
	const weekday = WEEKDAYS[new Date(`${firstDue}T12:00:00Z`).getUTCDay()];
	await therapist.page.getByLabel('First due date').fill(firstDue);
	await expect(therapist.page.getByText(`Each one is due on a ${weekday}.`)).toBeVisible();
	await therapist.page.getByRole('radio', { name: 'After', exact: true }).check();
	await therapist.page.getByLabel('Number of times').fill('4');
	await therapist.page.getByLabel('Note to the couple').fill('Same few minutes each week.');
	await expectAccessible(therapist.page);
	await therapist.page.getByRole('button', { name: 'Set the schedule' }).click();
	await therapist.page.waitForURL(/\/app\/couples\/[0-9a-f-]{36}#schedules$/);

	const schedule = therapist.page
		.getByRole('region', { name: 'Schedules' })
		.getByTestId('schedule')
		.filter({ hasText: `Every week on ${weekday}` });
	await expect(schedule).toHaveCount(1);
	await expect(schedule).toContainText('Running');
	await expect(schedule.getByTestId('schedule-done')).toHaveText('0 of 4');
	await expect(schedule.getByTestId('schedule-missed')).toHaveText('0');
	await expectAccessible(therapist.page);

	for (const email of ['priya@trellis.test', 'tom@trellis.test']) {
		const partner = await person(browser, email, { width: 375, height: 740 });
		// One occurrence of the four, marked as repeating; the others are not there yet.
		const scheduled = partner.page
			.getByTestId('due-list')
			.getByRole('listitem')
			.filter({ has: partner.page.getByTestId('repeats') });
		await expect(scheduled).toHaveCount(1);
		await expect(scheduled.getByTestId('repeats')).toHaveText(`Every week on ${weekday} · 1 of 4`);
		await expect(partner.page.getByText('is ready for you.').first()).toBeVisible();
		await expectAccessible(partner.page);
		await scheduled.getByRole('link').click();
		await expect(partner.page.getByText('Same few minutes each week.')).toBeVisible();
		await answerAndLock(partner.page);
		await partner.page.goto('/c');
		await expect(
			partner.page
				.getByTestId('due-list')
				.getByRole('listitem')
				.filter({ has: partner.page.getByTestId('repeats') })
		).toHaveCount(0);
		await partner.context.close();
	}

	await therapist.page.goto(couplePage);
	await expect(schedule.getByTestId('schedule-done')).toHaveText('1 of 4');
	await expectAccessible(therapist.page);
	await therapist.page.goto(`${couplePage}/progress`);
	await expect(trust.getByRole('row')).toHaveCount(rowsBefore + 1);
	await expectAccessible(therapist.page);
	await therapist.context.close();
});

test('a partner turns reminder emails off on the account page', async ({ browser }) => {
	const partner = await person(browser, 'tom@trellis.test', { width: 320, height: 700 });
	await partner.page.getByRole('link', { name: 'Account' }).click();
	const box = partner.page.getByLabel('Email me homework reminders');
	await expect(box).toBeChecked();
	await box.uncheck();
	await partner.page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(partner.page.getByText('Reminder emails are off.')).toBeVisible();
	await expectAccessible(partner.page);
	await partner.page.reload();
	await expect(box).not.toBeChecked();
	await box.check();
	await partner.page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(partner.page.getByText('Reminder emails are on.')).toBeVisible();
	await partner.context.close();
});
