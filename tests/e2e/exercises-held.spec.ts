// Homework held for the session: the therapist chooses it when assigning; both partners are told so,
// answer and lock at home, and neither sees the other's answers; she reveals a section from the
// assignment page, or in the live room of the session, and each partner sees it after a short
// preparation.
import type { Browser, Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';
import { openInLibrary } from './exercises';

/** Answers the first item of every section with the choice and locks it, section by section. */
async function lockEverySection(page: Page, choice: string) {
	const lock = page.getByRole('button', { name: 'Lock my answers for this section' });
	while (await lock.isVisible()) {
		await page
			.locator('section[aria-labelledby="section-heading"] fieldset')
			.first()
			.getByRole('radio', { name: choice })
			.check();
		await expect(page.locator('[data-save-state="saved"]').first()).toBeVisible();
		await lock.click();
	}
	// Nothing still on its way: no answer of any section, no lock.
	await expect(page.locator('[data-connection]')).toContainText('Every answer is saved');
}

async function firstSection(page: Page) {
	await page.getByRole('navigation', { name: 'Sections' }).getByRole('button').first().click();
}

test('held-for-session homework: nothing shown at home until the therapist reveals it', async ({
	browser
}) => {
	test.slow();
	const therapist = await person(browser, 'therapist@trellis.test');
	await openInLibrary(therapist.page, /line/i);
	await therapist.page.getByRole('link', { name: 'Assign to Alex & Sam' }).click();
	await therapist.page.getByRole('radio', { name: /Held for the session/ }).check();
	await expectAccessible(therapist.page);
	await therapist.page.getByRole('button', { name: 'Assign as homework' }).click();
	await therapist.page.waitForURL(/\/app\/couples\/[0-9a-f-]{36}\/assignments\/[0-9a-f-]{36}$/);
	const assignmentUrl = new URL(therapist.page.url()).pathname;
	const assignmentId = assignmentUrl.split('/').pop()!;
	await expect(therapist.page.getByTestId('held-for-session')).toContainText('not locked yet');

	// Alex, on a phone, is told before starting that the shared answers wait for the session.
	const alex = await person(browser, 'alex@trellis.test', { width: 375, height: 740 });
	await alex.page.goto(`/c/assignments/${assignmentId}`);
	await expect(alex.page.getByTestId('reveal-policy')).toContainText('Held for your session');
	await expect(alex.page.getByText(/only when your therapist reveals them/)).toBeVisible();
	await expectAccessible(alex.page);
	await lockEverySection(alex.page, 'Crosses the line');
	await expect(alex.page.getByTestId('homework-finished')).toContainText('held for your session');

	const sam = await person(browser, 'sam@trellis.test');
	await sam.page.goto(`/c/assignments/${assignmentId}`);
	await lockEverySection(sam.page, 'Fine with me');

	// Both have locked every section, and neither sees the other's answers.
	for (const partner of [alex, sam]) {
		await partner.page.reload();
		await firstSection(partner.page);
		await expect(partner.page.getByText(/They are held for your session/)).toBeVisible();
		await expect(partner.page.getByTestId('partner-answer')).toHaveCount(0);
		await expect(partner.page.getByTestId('reveal-preparation')).toHaveCount(0);
	}
	await expectAccessible(sam.page);

	// The therapist reveals the first section from the assignment page.
	await therapist.page.reload();
	const held = therapist.page.getByTestId('held-for-session');
	await expect(held).toContainText('both have locked; not shown to them yet');
	await expectAccessible(therapist.page);
	await held
		.getByRole('button', { name: /Reveal now/ })
		.first()
		.click();
	await expect(held.getByRole('status')).toContainText('Revealed.');
	await expect(held).toContainText('revealed');

	// Each partner is prepared first, then sees both answers side by side.
	for (const [partner, theirs] of [
		[alex, 'Fine with me'],
		[sam, 'Crosses the line']
	] as const) {
		await partner.page.reload();
		await firstSection(partner.page);
		const preparation = partner.page.getByTestId('reveal-preparation');
		await expect(preparation).toContainText('normal for them to differ');
		await expect(partner.page.getByTestId('partner-answer')).toHaveCount(0);
		await expectAccessible(partner.page);
		await preparation.getByRole('button', { name: 'Show the answers' }).click();
		await expect(partner.page.getByText('Your therapist has revealed this section')).toBeVisible();
		await expect(partner.page.getByTestId('partner-answer').first()).toContainText(theirs);
	}

	// Choosing to wait folds the answers away until the partner is ready.
	await sam.page.reload();
	await firstSection(sam.page);
	await sam.page.getByRole('button', { name: 'Wait until the session' }).click();
	await expect(sam.page.getByTestId('reveal-preparation')).toContainText('look at them together');
	await expect(sam.page.getByTestId('partner-answer')).toHaveCount(0);

	for (const p of [therapist, alex, sam]) await p.context.close();
});

/** The therapist assigns the boundary exercise held for the session; both partners lock it at home. */
async function heldAndLockedAtHome(browser: Browser) {
	const therapist = await person(browser, 'therapist@trellis.test', { width: 375, height: 740 });
	await openInLibrary(therapist.page, /line/i);
	await therapist.page.getByRole('link', { name: 'Assign to Alex & Sam' }).click();
	await therapist.page.getByRole('radio', { name: /Held for the session/ }).check();
	await therapist.page.getByRole('button', { name: 'Assign as homework' }).click();
	await therapist.page.waitForURL(/\/app\/couples\/[0-9a-f-]{36}\/assignments\/[0-9a-f-]{36}$/);
	const assignmentId = new URL(therapist.page.url()).pathname.split('/').pop()!;
	const alex = await person(browser, 'alex@trellis.test', { width: 375, height: 740 });
	await alex.page.goto(`/c/assignments/${assignmentId}`);
	await lockEverySection(alex.page, 'Crosses the line');
	const sam = await person(browser, 'sam@trellis.test', { width: 375, height: 740 });
	await sam.page.goto(`/c/assignments/${assignmentId}`);
	await lockEverySection(sam.page, 'Fine with me');
	for (const partner of [alex, sam]) {
		await partner.page.reload();
		await firstSection(partner.page);
		await expect(partner.page.getByText(/They are held for your session/)).toBeVisible();
		await expect(partner.page.getByTestId('partner-answer')).toHaveCount(0);
	}
	return { therapist, alex, sam, assignmentId };
}

test('held-for-session homework: the therapist reveals it in the live room, and both see it', async ({
	browser
}) => {
	test.slow();
	const { therapist, alex, sam, assignmentId } = await heldAndLockedAtHome(browser);

	// The therapist opens a live room for the session; the partners join it.
	await openInLibrary(therapist.page, /line/i);
	await therapist.page.getByRole('link', { name: 'Assign to Alex & Sam' }).click();
	await therapist.page.getByRole('radio', { name: /Live: together/ }).check();
	await therapist.page.getByRole('button', { name: 'Open the live room' }).click();
	await therapist.page.waitForURL(/\/live\/[0-9a-f-]{36}$/);
	await expect(therapist.page.locator('[data-connection="live"]')).toBeVisible();
	const liveUrl = new URL(therapist.page.url()).pathname;
	for (const partner of [alex, sam]) {
		await partner.page.goto(liveUrl);
		await expect(partner.page.locator('[data-connection="live"]')).toBeVisible();
		await expect(partner.page.getByText(/Your therapist has revealed/)).toHaveCount(0);
	}

	// Her panel lists the held homework (this one last: oldest first) with where it stands.
	const panel = therapist.page.getByTestId('held-panel');
	const row = panel
		.getByRole('listitem')
		.filter({ hasText: 'Where is our line?: Physical and sexual' })
		.last();
	await expect(row).toContainText('Both have locked; not shown to them yet');
	await expectAccessible(therapist.page);
	await row.getByRole('button', { name: /Reveal now/ }).click();
	await expect(panel.getByRole('status')).toContainText(
		'Revealed “Where is our line?: Physical and sexual”'
	);

	// Both partners are told at once, in the room, and read it on their homework page.
	for (const [partner, theirs] of [
		[alex, 'Fine with me'],
		[sam, 'Crosses the line']
	] as const) {
		const notice = partner.page.getByTestId('held-notices');
		await expect(notice).toContainText(
			'Your therapist has revealed Where is our line?: Physical and sexual.'
		);
		await expectAccessible(partner.page);
		await notice.getByRole('link', { name: 'Read it on your homework page' }).click();
		await partner.page.waitForURL(`**/c/assignments/${assignmentId}`);
		await firstSection(partner.page);
		const preparation = partner.page.getByTestId('reveal-preparation');
		await expect(preparation).toContainText('normal for them to differ');
		await preparation.getByRole('button', { name: 'Show the answers' }).click();
		await expect(partner.page.getByTestId('partner-answer').first()).toContainText(theirs);
		await expectAccessible(partner.page);
	}

	// The session ends as a real one would, so the couple's home lists no second live room after it.
	therapist.page.once('dialog', (dialog) => dialog.accept());
	await therapist.page.getByRole('button', { name: 'End session' }).click();
	await expect(therapist.page.getByRole('button', { name: 'End session' })).toHaveCount(0);

	for (const p of [therapist, alex, sam]) await p.context.close();
});
