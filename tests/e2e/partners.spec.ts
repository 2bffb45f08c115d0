import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';

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
