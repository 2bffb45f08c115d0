import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';
import { assignAsHomework, openInLibrary } from './exercises';

const PASSWORD = 'a long and unusual passphrase';

/** Collects the page's uncaught errors, so a test can assert a render did not throw. */
function pageErrors(page: Page) {
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));
	return errors;
}

test('a couple whose partners share a first name renders for the therapist and a partner', async ({
	browser
}) => {
	const { context: therapistContext, page: therapist } = await person(
		browser,
		'therapist@trellis.test'
	);
	const therapistErrors = pageErrors(therapist);
	const label = `Casey & Casey ${Date.now()}`;
	await therapist.goto('/app/couples/new');
	await therapist.getByLabel('Label').fill(label);
	await therapist.locator('#partner1Name').fill('Casey');
	await therapist.locator('#partner2Name').fill('Casey');
	await therapist.getByRole('button', { name: 'Create couple' }).click();
	await expect(therapist.getByRole('heading', { name: label })).toBeVisible();
	const couplePath = new URL(therapist.url()).pathname;

	const cards = therapist.getByRole('region', { name: 'Casey' });
	await expect(cards).toHaveCount(2);
	const links: string[] = [];
	for (const index of [0, 1]) {
		const card = cards.nth(index);
		await card.getByRole('button', { name: 'Invite for Casey' }).click();
		const link = card.getByLabel('Invite link for Casey');
		await expect(link).toHaveValue(/\/invite\/[a-z2-7]{40}$/);
		links.push(await link.inputValue());
	}

	let partnerContext;
	for (const [index, link] of links.entries()) {
		const context = await browser.newContext();
		const partner = await context.newPage();
		const partnerErrors = pageErrors(partner);
		await partner.goto(link);
		await partner.getByLabel('Your email').fill(`casey-${index}-${Date.now()}@example.test`);
		await partner.getByLabel('Password').fill(PASSWORD);
		await partner.getByRole('button', { name: 'Join Trellis' }).click();
		await partner.waitForURL('**/c?joined=1');
		await expect(partner.getByRole('heading', { name: label })).toBeVisible();
		const online = partner.getByRole('list', { name: 'Who is online' });
		await expect(online.getByRole('listitem')).toHaveCount(2);
		await expect(online).toContainText('Casey (you)');
		await expectAccessible(partner);
		expect(partnerErrors).toEqual([]);
		if (index === 0) partnerContext = context;
		else await context.close();
	}

	await therapist.goto('/app');
	const coupleCard = therapist.getByRole('listitem').filter({
		has: therapist.getByRole('link', { name: label })
	});
	await expect(
		coupleCard.getByRole('list', { name: 'Who is online' }).getByRole('listitem')
	).toHaveCount(2);
	await expectAccessible(therapist);

	await therapist.goto(couplePath);
	await expect(therapist.getByRole('heading', { name: label })).toBeVisible();
	for (const index of [0, 1]) {
		await expect(cards.nth(index).getByTestId('partner-status')).toHaveText('Joined');
	}
	await expectAccessible(therapist);
	expect(therapistErrors).toEqual([]);

	await partnerContext?.close();
	await therapistContext.close();
});

for (const width of [375, 320]) {
	test(`a 0–10 scale starts unanswered and a tap on its middle or a key answers it, at ${width} px`, async ({
		browser
	}) => {
		const therapist = await person(browser, 'therapist@trellis.test');
		await openInLibrary(therapist.page, /Weekly trust check-in/);
		const assignmentId = await assignAsHomework(therapist.page, 'Jordan & Riley', 'This week.');
		await therapist.context.close();

		const { context, page } = await person(browser, 'riley@trellis.test', { width, height: 800 });
		await page.goto(`/c/assignments/${assignmentId}`);
		const trust = page.getByRole('slider', { name: 'How much did I trust my partner this week?' });
		const secure = page.getByRole('slider', { name: 'How secure did I feel in our relationship?' });
		await expect(trust).toHaveAttribute('aria-valuetext', 'Not answered yet');
		await expect(trust).toHaveAttribute('data-answered', 'false');
		await expect(page.locator('output').first()).toHaveText('Not answered yet');
		await expectAccessible(page);

		// The thumb already rests at 5 unseen: a tap there still gives the answer 5.
		await trust.click();
		await expect(trust).toHaveAttribute('aria-valuetext', '5 of 10');
		await expect(page.locator('output').first()).toHaveText('5');

		await expect(secure).toHaveAttribute('aria-valuetext', 'Not answered yet');
		await secure.focus();
		await page.keyboard.press(width === 320 ? 'Space' : 'End');
		await expect(secure).toHaveAttribute('aria-valuetext', width === 320 ? '5 of 10' : '10 of 10');
		await expect(page.locator('[data-connection]')).toContainText('Every answer is saved');
		const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(scrollWidth).toBeLessThanOrEqual(width);

		await page.reload();
		await expect(trust).toHaveAttribute('aria-valuetext', '5 of 10');
		await expect(secure).toHaveAttribute('aria-valuetext', width === 320 ? '5 of 10' : '10 of 10');
		await expectAccessible(page);
		await context.close();
	});
}

test('leaving homework offline with an unsent answer keeps the page and the answer, then sends it', async ({
	browser
}) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	await openInLibrary(therapist.page, /Weekly trust check-in/);
	const assignmentId = await assignAsHomework(therapist.page, 'Jordan & Riley', 'Offline week.');
	await therapist.context.close();

	const { context, page } = await person(browser, 'jordan@trellis.test', {
		width: 375,
		height: 800
	});
	await page.goto(`/c/assignments/${assignmentId}`);
	const trust = page.getByRole('slider', { name: 'How much did I trust my partner this week?' });
	await expect(trust).toHaveAttribute('aria-valuetext', 'Not answered yet');
	await context.setOffline(true);
	await trust.click();
	await expect(page.locator('[data-connection]')).toHaveAttribute('data-connection', 'offline');
	await page.getByRole('link', { name: 'Back to home' }).click();
	await expect(page.getByRole('alert')).toContainText('Your answers are kept');
	await expect(page.getByText('500')).toHaveCount(0);
	expect(new URL(page.url()).pathname).toBe(`/c/assignments/${assignmentId}`);
	await expectAccessible(page);

	await context.setOffline(false);
	await expect(page.locator('[data-connection]')).toContainText('Every answer is saved');
	await page.reload();
	await expect(trust).toHaveAttribute('aria-valuetext', '5 of 10');
	await context.close();
});
