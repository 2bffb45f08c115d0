import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';

async function answerScenario(page: Page, prompt: RegExp | string, choice: string) {
	const item = page.getByRole('group', { name: prompt });
	await item.getByRole('radio', { name: choice }).check();
}

async function liveHref(page: Page) {
	const href = await page.locator('a[href^="/live/"]').first().getAttribute('href');
	expect(href).toMatch(/^\/live\/[0-9a-f-]{36}$/);
	return href!;
}

test('a reload in the middle of a section restores what was answered', async ({ browser }) => {
	const alex = await person(browser, 'alex@trellis.test');
	await alex.page.goto(await liveHref(alex.page));
	await expect(alex.page.locator('[data-connection="live"]')).toBeVisible();
	const first = alex.page.locator('fieldset').first();
	await first.getByRole('radio', { name: 'Talk with me first' }).check();
	await expect(alex.page.getByText('Saved').first()).toBeVisible();
	await alex.page.reload();
	await expect(
		alex.page.locator('fieldset').first().getByRole('radio', { name: 'Talk with me first' })
	).toBeChecked();
	await alex.context.close();
});

test('therapist, Alex and Sam run the demo boundary exercise live', async ({ browser }) => {
	// Three browsers and five accessibility scans: on a busy two-core machine this passes a minute.
	test.slow();
	const alex = await person(browser, 'alex@trellis.test', { width: 320, height: 720 });
	const href = await liveHref(alex.page);

	const sam = await person(browser, 'sam@trellis.test');
	const therapist = await person(browser, 'therapist@trellis.test');
	for (const { page } of [alex, sam, therapist]) {
		await page.goto(href);
		await expect(page.locator('[data-connection="live"]')).toBeVisible();
	}
	await expectAccessible(alex.page);
	await expectAccessible(therapist.page);
	// A phone at 320 px: nothing sideways to scroll.
	expect(
		await alex.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
	).toBeLessThanOrEqual(0);

	const items = alex.page.locator('fieldset');
	const count = await items.count();
	expect(count).toBeGreaterThan(1);
	const prompts = await items.locator('legend').allTextContents();

	// Alex answers everything "Crosses the line"; Sam sees progress, never the values.
	for (const prompt of prompts) await answerScenario(alex.page, prompt, 'Crosses the line');
	await expect(sam.page.getByText(`Alex answered ${count} of ${count}`)).toBeVisible();
	// Nothing of Alex's choices shows on Sam's screen: none of his own radios is set by them.
	await expect(sam.page.getByRole('radio', { checked: true })).toHaveCount(0);

	// Sam answers the first differently and the rest the same.
	await answerScenario(sam.page, prompts[0], 'Fine with me');
	for (const prompt of prompts.slice(1)) await answerScenario(sam.page, prompt, 'Crosses the line');
	await expect(sam.page.getByText('Saving…')).toHaveCount(0);

	await alex.page.getByRole('button', { name: 'Lock my answers for this section' }).click();
	await expect(alex.page.getByText(/Waiting for Sam to lock/)).toBeVisible();
	await expect(sam.page.getByText('You see this differently')).toHaveCount(0);
	await sam.page.getByRole('button', { name: 'Lock my answers for this section' }).click();

	// Revealed together, side by side, with the disagreement marked.
	for (const { page } of [alex, sam, therapist]) {
		await expect(page.getByText('≠ You see this differently')).toHaveCount(1);
		await expect(page.getByText('✓ You agree')).toHaveCount(count - 1);
	}
	await expectAccessible(sam.page);

	// A joint decision, written by one and seen by the other as it is made.
	const agreement = alex.page.getByRole('group', { name: 'What we agree' }).first();
	await agreement.getByRole('radio', { name: 'Talk with me first' }).check();
	await expect(
		sam.page
			.getByRole('group', { name: 'What we agree' })
			.first()
			.getByRole('radio', { name: 'Talk with me first' })
	).toBeChecked();

	// The therapist's private notes beside the room are saved as a draft note of this session.
	await therapist.page
		.getByRole('textbox', { name: 'Session notes' })
		.fill('They disagreed most on flirting; agreed to talk first.');
	await expect(therapist.page.locator('[data-notes-status="saved"]')).toBeVisible();
	await therapist.page.reload();
	await expect(therapist.page.getByRole('textbox', { name: 'Session notes' })).toHaveValue(
		/disagreed most on flirting/
	);
	await expect(sam.page.getByText('disagreed most on flirting')).toHaveCount(0);

	// The therapist ends the session; the room is read-only and the results are on the couple page.
	therapist.page.once('dialog', (dialog) => dialog.accept());
	await therapist.page.getByRole('button', { name: 'End session' }).click();
	for (const { page } of [alex, sam, therapist]) {
		await expect(page.getByText('This session has ended.')).toBeVisible();
	}
	await therapist.page.getByRole('link', { name: 'Alex & Sam', exact: true }).last().click();
	const finished = therapist.page
		.getByRole('listitem')
		.filter({ hasText: 'Finished' })
		.filter({ has: therapist.page.getByRole('link', { name: 'Where is our line?' }) });
	await expect(finished.first()).toBeVisible();
	await finished.first().getByRole('link', { name: 'Where is our line?' }).click();
	await expect(therapist.page.getByText(prompts[0]).first()).toBeVisible();
	await expectAccessible(therapist.page);

	for (const { context } of [alex, sam, therapist]) await context.close();
});
