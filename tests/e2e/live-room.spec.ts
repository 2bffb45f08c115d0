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

test('leaving the room offline keeps unsent answers, and an offline page is calm', async ({
	browser
}) => {
	const alex = await person(browser, 'alex@trellis.test', { width: 375, height: 740 });
	await alex.page.goto(await liveHref(alex.page));
	await expect(alex.page.locator('[data-connection="live"]')).toBeVisible();
	const second = alex.page.locator('fieldset').nth(1);

	// Offline, an answer waits in the page; leaving is held back so it is not lost.
	await alex.context.setOffline(true);
	await expect(alex.page.locator('[data-connection="offline"]')).toBeVisible();
	await second.getByRole('radio', { name: 'Fine with me' }).check();
	await expect(alex.page.locator('[data-connection="offline"]')).toContainText(
		'1 change waiting to be sent'
	);
	const home = alex.page.getByRole('link', { name: 'Alex & Sam', exact: true });
	await home.click();
	await expect(alex.page.getByRole('alert')).toContainText('Your answers are kept here');
	expect(new URL(alex.page.url()).pathname).toMatch(/^\/live\//);
	await expectAccessible(alex.page);
	// Leaving the page itself (not through a link of the app) asks the browser's question first.
	const asked = new Promise<string>((resolve) =>
		alex.page.once('dialog', async (dialog) => {
			resolve(dialog.type());
			await dialog.dismiss();
		})
	);
	await alex.page.evaluate(() => {
		window.location.href = '/c';
	});
	expect(await asked).toBe('beforeunload');
	await expect(alex.page.locator('[data-connection="offline"]')).toContainText('1 change waiting');

	// Back online, it is sent, and the warning goes.
	await alex.context.setOffline(false);
	await expect(alex.page.locator('[data-connection="live"]')).toContainText('all changes saved');
	await expect(alex.page.getByRole('alert')).toHaveCount(0);

	// With nothing unsent, an offline navigation lands on a calm offline page, not "Error 500".
	await alex.context.setOffline(true);
	await expect(alex.page.locator('[data-connection="offline"]')).toBeVisible();
	await home.click();
	await expect(alex.page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
	expect(new URL(alex.page.url()).pathname).toMatch(/^\/live\//);
	await expect(alex.page.getByText('500')).toHaveCount(0);
	await expect(alex.page.getByText('Something went wrong')).toHaveCount(0);
	await expectAccessible(alex.page);
	await alex.context.setOffline(false);
	await expect(alex.page.getByRole('heading', { name: 'You are back online' })).toBeVisible();
	await alex.page.getByRole('link', { name: 'Try again' }).click();
	await expect(alex.page.getByRole('heading', { name: 'Your work together' })).toBeVisible();
	await alex.context.close();
});

test('therapist, Alex and Sam run the demo boundary exercise live', async ({ browser }) => {
	// Three browsers and five accessibility scans: on a busy two-core machine this passes a minute.
	test.slow();
	const alex = await person(browser, 'alex@trellis.test', { width: 320, height: 720 });
	const href = await liveHref(alex.page);
	// Until the therapist opens the room, the partner home does not call it live.
	const liveItem = (page: Page) => page.locator('[data-room-state]').first();
	await expect(liveItem(alex.page)).toContainText('Starts when your therapist opens the room');
	await expect(alex.page.getByText('Live now')).toHaveCount(0);

	await alex.page.goto(href);
	await expect(alex.page.locator('[data-connection="live"]')).toBeVisible();
	const whoIsIn = (page: Page) => page.getByRole('list', { name: 'Who is in the room' });
	const therapistChip = (page: Page) =>
		whoIsIn(page).getByRole('listitem').filter({ hasText: 'Dr. Maya Ellison (therapist)' });
	await expect(therapistChip(alex.page)).toContainText('away');
	await expect(alex.page.getByText('Your therapist has not opened the room yet')).toBeVisible();

	const therapist = await person(browser, 'therapist@trellis.test', { width: 375, height: 740 });
	await therapist.page.goto(href);
	await expect(therapist.page.locator('[data-connection="live"]')).toBeVisible();
	await expect(therapistChip(therapist.page)).toContainText('(you) · here');
	// Alex sees her arrive, and the room start.
	await expect(therapistChip(alex.page)).toContainText('here');
	await expect(alex.page.getByText('Your therapist has not opened the room yet')).toHaveCount(0);

	const sam = await person(browser, 'sam@trellis.test', { width: 375, height: 740 });
	await expect(liveItem(sam.page)).toContainText('Live now');
	await sam.page.goto(href);
	await expect(sam.page.locator('[data-connection="live"]')).toBeVisible();
	await expect(therapistChip(sam.page)).toContainText('here');
	await expect(
		whoIsIn(therapist.page).getByRole('listitem').filter({ hasText: 'Sam' })
	).toContainText('here');
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

	// Where both answered alike, the agreement is pre-filled as a proposal; where they differ, empty.
	const joints = (page: Page) => page.locator('[data-joint]');
	await expect(joints(sam.page)).toHaveCount(count);
	await expect(joints(sam.page).first()).toHaveAttribute('data-joint', 'none');
	await expect(sam.page.locator('[data-joint="proposed"]')).toHaveCount(count - 1);
	await expect(joints(sam.page).nth(1)).toContainText('You both gave this answer');
	await expect(joints(therapist.page).nth(1)).toContainText('They both gave this answer');

	// A joint answer proposed by Alex is not yet their agreement: Sam sees who proposed it and confirms.
	const agreement = alex.page.getByRole('group', { name: 'What we agree' }).first();
	await agreement.getByRole('radio', { name: 'Talk with me first' }).check();
	const samFirst = joints(sam.page).first();
	await expect(
		samFirst
			.getByRole('group', { name: 'What we agree' })
			.getByRole('radio', { name: 'Talk with me first' })
	).toBeChecked();
	await expect(samFirst).toHaveAttribute('data-joint', 'proposed');
	await expect(samFirst).toContainText('Proposed by Alex');
	const alexFirst = joints(alex.page).first();
	await expect(alexFirst).toContainText('Proposed by you · waiting for Sam or Dr. Maya Ellison');
	await expect(alexFirst.getByRole('button', { name: /Confirm/ })).toHaveCount(0);
	await expectAccessible(sam.page);
	await samFirst.getByRole('button', { name: /Confirm: this is our agreement/ }).click();
	for (const page of [alex.page, sam.page]) {
		await expect(joints(page).first()).toHaveAttribute('data-joint', 'agreed');
	}
	await expect(alexFirst).toContainText('Agreed · Proposed by you, confirmed by Sam.');
	await expect(samFirst).toContainText('Agreed · Proposed by Alex, confirmed by you.');

	// Sam changes his mind: his change is a new proposal, no longer agreed, for Alex to confirm.
	await samFirst.getByRole('radio', { name: 'Crosses the line' }).check();
	await expect(alexFirst).toHaveAttribute('data-joint', 'proposed');
	await expect(alexFirst).toContainText('Proposed by Sam');
	await alexFirst.getByRole('button', { name: /Confirm: this is our agreement/ }).click();
	await expect(samFirst).toContainText('Agreed · Proposed by you, confirmed by Alex.');

	// The therapist in the room confirms a pre-filled one.
	const therapistSecond = joints(therapist.page).nth(1);
	await therapistSecond.getByRole('button', { name: /Confirm as their agreement/ }).click();
	await expect(joints(alex.page).nth(1)).toContainText(
		'Agreed · You both gave this answer, confirmed by Dr. Maya Ellison.'
	);

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

	// The therapist ends the session: everyone gets the end screen, with what was revealed and agreed.
	therapist.page.once('dialog', (dialog) => dialog.accept());
	await therapist.page.getByRole('button', { name: 'End session' }).click();
	for (const { page } of [alex, sam, therapist]) {
		const summary = page.getByTestId('end-summary');
		await expect(summary.getByRole('heading', { name: 'This session has ended' })).toBeVisible();
		await expect(page.locator('[data-connection="ended"]')).toContainText('Ended · read-only');
		await expect(page.getByText('Live · all changes saved')).toHaveCount(0);
		await expect(summary).toContainText('1. Physical and sexual · revealed');
		await expect(
			summary.getByRole('definition').filter({ hasText: 'Crosses the line' })
		).toHaveCount(2);
		await expect(summary).toContainText('Proposed but not confirmed');
		await expect(page.getByRole('button', { name: 'End session' })).toHaveCount(0);
	}
	// Sections are read again, not run: a tab only shows its section; nothing can be answered.
	await alex.page.getByRole('button', { name: 'Read 2. Emotional closeness' }).click();
	await expect(alex.page.getByRole('heading', { name: /Emotional closeness/ })).toBeVisible();
	await expect(alex.page.getByRole('button', { name: /Lock my answers/ })).toHaveCount(0);
	await expect(alex.page.locator('input:not([disabled])')).toHaveCount(0);
	await alex.page.getByRole('button', { name: 'Read 1. Physical and sexual' }).click();
	await expect(alex.page.getByRole('group', { name: 'What we agree' })).toHaveCount(0);
	expect(
		await alex.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
	).toBeLessThanOrEqual(0);
	await expectAccessible(alex.page);
	await expectAccessible(therapist.page);
	await expect(alex.page.getByRole('link', { name: 'Back to home' })).toHaveAttribute('href', '/c');
	for (const name of ['See the results', 'Sign the session note', 'Back to Alex & Sam'])
		await expect(therapist.page.getByRole('link', { name })).toBeVisible();
	await expect(therapist.page.getByRole('link', { name: 'Sign the session note' })).toHaveAttribute(
		'href',
		/\/notes\/[0-9a-f-]{36}$/
	);
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
