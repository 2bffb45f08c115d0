// The boundary exercise as homework: assigned by the therapist, completed by each partner in their own
// browser (Sam with the network cut off for part of it), revealed to both, and read by the therapist.
import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';
import { assignAsHomework, openInLibrary } from './exercises';

/** Every item of the current section gets the choice; returns how many items there were. */
async function answerSection(page: Page, choice: (index: number) => string) {
	const items = page.locator('section[aria-labelledby="section-heading"] fieldset');
	const count = await items.count();
	for (let i = 0; i < count; i++) {
		await items
			.nth(i)
			.getByRole('radio', { name: choice(i) })
			.check();
	}
	return count;
}

async function allSaved(page: Page) {
	await expect(page.locator('[data-save-state="saving"], [data-save-state="waiting"]')).toHaveCount(
		0
	);
	// Only the shown section's items carry a save state; the page says when nothing at all (answers
	// of other sections, locks) is still on its way.
	await expect(page.locator('[data-connection]')).toContainText('Every answer is saved');
}

/** Answers and locks every section, in order. */
async function completeAll(
	page: Page,
	choice: (section: number, item: number) => string,
	onSection?: (index: number) => Promise<void>
) {
	const lock = page.getByRole('button', { name: 'Lock my answers for this section' });
	let section = 0;
	while (await lock.isVisible()) {
		await onSection?.(section);
		await answerSection(page, (item) => choice(section, item));
		await lock.click();
		section++;
	}
	return section;
}

test('the boundary exercise as homework, from assignment to results', async ({ browser }) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	await openInLibrary(therapist.page, /line/i);
	await expect(therapist.page.getByTestId('preview')).toBeVisible();
	await expectAccessible(therapist.page);
	const assignmentId = await assignAsHomework(
		therapist.page,
		'Alex & Sam',
		'Take your time; there are no wrong answers.'
	);
	await expect(therapist.page.getByTestId('partner-status')).toHaveCount(2);
	await expect(therapist.page.getByTestId('partner-status').first()).toContainText('Not started');

	// Alex, on a 320 px phone, answers "Crosses the line" throughout.
	const alex = await person(browser, 'alex@trellis.test', { width: 320, height: 700 });
	await alex.page.getByTestId('due-list').getByRole('link').first().waitFor();
	await expectAccessible(alex.page);
	await alex.page.goto(`/c/assignments/${assignmentId}`);
	await expect(alex.page.getByText('Take your time; there are no wrong answers.')).toBeVisible();
	await expectAccessible(alex.page);
	const sections = await completeAll(alex.page, () => 'Crosses the line');
	expect(sections).toBeGreaterThanOrEqual(6);
	await allSaved(alex.page);
	// The last lock ends on a finished panel in view: what was done, what comes next, the way home,
	// and no "carry on later".
	const finished = alex.page.getByTestId('homework-finished');
	await expect(finished).toBeInViewport();
	await expect(finished).toBeFocused();
	await expect(finished).toContainText(`all ${sections} sections`);
	await expect(finished).toContainText('What comes next');
	await expect(finished.getByRole('link', { name: 'Back to home' })).toBeVisible();
	await expect(alex.page.getByText('carry on later')).toHaveCount(0);
	const scrollWidth = await alex.page.evaluate(() => document.documentElement.scrollWidth);
	expect(scrollWidth).toBeLessThanOrEqual(320);

	// Sam loses the network in the second section and keeps answering; nothing is lost or doubled.
	const sam = await person(browser, 'sam@trellis.test');
	await sam.page.goto(`/c/assignments/${assignmentId}`);
	await completeAll(
		sam.page,
		(section) => (section === 0 ? 'Talk with me first' : 'Crosses the line'),
		async (index) => {
			if (index === 1) {
				await sam.context.setOffline(true);
				// The first answer offline shows that it waits to be sent.
				const first = sam.page
					.locator('section[aria-labelledby="section-heading"] fieldset')
					.first();
				await first.getByRole('radio', { name: 'Crosses the line' }).check();
				await expect(sam.page.locator('[data-connection="offline"]')).toBeVisible();
				await expect(sam.page.locator('[data-save-state="waiting"]').first()).toBeVisible();
			}
			if (index === 3) await sam.context.setOffline(false);
		}
	);
	await allSaved(sam.page);
	await expect(sam.page.locator('[data-connection="online"]')).toBeVisible();

	// Both have locked: each sees the other's answers side by side.
	await sam.page.reload();
	await sam.page.getByRole('button', { name: 'Previous section' }).waitFor();
	await sam.page.getByRole('navigation', { name: 'Sections' }).getByRole('button').first().click();
	// A short preparation comes before the answers are shown.
	await expect(sam.page.getByTestId('reveal-preparation')).toContainText(
		'normal for them to differ'
	);
	await sam.page.getByRole('button', { name: 'Show the answers' }).click();
	await expect(sam.page.getByText('You have both locked this section')).toBeVisible();
	await expect(sam.page.getByTestId('partner-answer').first()).toContainText('Crosses the line');
	await expect(sam.page.getByText('≠ You see this differently').first()).toBeVisible();

	await alex.page.reload();
	await alex.page.getByRole('navigation', { name: 'Sections' }).getByRole('button').first().click();
	await alex.page.getByRole('button', { name: 'Show the answers' }).click();
	await expect(alex.page.getByText('You have both locked this section')).toBeVisible();
	await expect(alex.page.getByTestId('partner-answer').first()).toContainText('Talk with me first');
	await expectAccessible(alex.page);

	// The therapist sees both locked, the divergences and the scores.
	await therapist.page.reload();
	await expect(therapist.page.getByTestId('partner-status').nth(0)).toContainText('Locked');
	await expect(therapist.page.getByTestId('partner-status').nth(1)).toContainText('Locked');
	await expect(
		therapist.page.getByText('Structured discussion aid, not a validated instrument')
	).toBeVisible();
	await expect(therapist.page.getByTestId('divergences').getByRole('listitem')).toHaveCount(
		await countFirstSection(alex.page)
	);
	await expect(therapist.page.locator('tr[data-divergent="true"]').first()).toBeVisible();
	await expect(therapist.page.getByTestId('scores')).toBeVisible();
	await expectAccessible(therapist.page);

	for (const p of [therapist, alex, sam]) await p.context.close();
});

async function countFirstSection(page: Page) {
	return page.getByTestId('partner-answer').count();
}
