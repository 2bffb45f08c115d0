import { test, expect, expectAccessible, signIn, totpCode, DEMO_TOTP_SECRET } from './fixtures';

const PASSWORD = 'a long and unusual passphrase';

test('a therapist signs up, enrols TOTP, creates a couple and both partners join', async ({
	browser
}) => {
	const therapistContext = await browser.newContext();
	const therapist = await therapistContext.newPage();
	const email = `dr-${Date.now()}@example.test`;

	await therapist.goto('/signup');
	await expectAccessible(therapist);
	await therapist.getByLabel('Your name').fill('Dr. Rowan Hale');
	await therapist.getByLabel('Email').fill(email);
	await therapist.getByLabel('Password').fill(PASSWORD);
	await therapist.getByRole('button', { name: 'Create account' }).click();

	await therapist.waitForURL('**/login/totp/setup');
	await expect(therapist.getByRole('img', { name: /QR code/ })).toBeVisible();
	await expectAccessible(therapist);
	const secret = (await therapist.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
	await therapist.getByLabel('Code from the app').fill(totpCode(secret));
	await therapist.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
	await expect(therapist.getByTestId('recovery-code')).toHaveText(
		/[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/
	);
	await expectAccessible(therapist);
	await therapist.getByRole('link', { name: 'I have saved it, continue' }).click();

	await therapist.waitForURL('**/app');
	await therapist.getByRole('link', { name: 'New couple' }).click();
	await therapist.getByLabel('Label').fill('Jamie & Quinn');
	await therapist.locator('#partner1Name').fill('Jamie');
	await therapist.locator('#partner2Name').fill('Quinn');
	await therapist.getByLabel('The injured and involved roles apply').check();
	await expectAccessible(therapist);
	await therapist.getByRole('button', { name: 'Create couple' }).click();
	await expect(therapist.getByRole('heading', { name: 'Jamie & Quinn' })).toBeVisible();

	const links: string[] = [];
	for (const name of ['Jamie', 'Quinn']) {
		const card = therapist.getByRole('region', { name });
		await card.getByRole('button', { name: `Invite for ${name}` }).click();
		const link = card.getByLabel(`Invite link for ${name}`);
		await expect(link).toHaveValue(/\/invite\/[a-z2-7]{40}$/);
		await expect(card.getByRole('img', { name: /QR code of the invite link/ })).toBeVisible();
		links.push(await link.inputValue());
	}
	await expectAccessible(therapist);

	for (const [index, name] of ['Jamie', 'Quinn'].entries()) {
		const context = await browser.newContext();
		const partner = await context.newPage();
		await partner.goto(links[index]);
		await expect(partner.getByRole('heading', { name: `Welcome, ${name}` })).toBeVisible();
		await expect(partner.getByText('Dr. Rowan Hale invited you')).toBeVisible();
		await expectAccessible(partner);
		await partner.getByLabel('Your email').fill(`${name.toLowerCase()}-${Date.now()}@example.test`);
		await partner.getByLabel('Password').fill(PASSWORD);
		await partner.getByRole('button', { name: 'Join Trellis' }).click();
		await partner.waitForURL('**/c?joined=1');
		await expect(partner.getByRole('heading', { name: 'Jamie & Quinn' })).toBeVisible();
		await context.close();
	}

	await therapist.reload();
	for (const name of ['Jamie', 'Quinn']) {
		await expect(therapist.getByRole('region', { name }).getByTestId('partner-status')).toHaveText(
			'Joined'
		);
	}
	await therapistContext.close();
});

test('an unknown invite link says so plainly, with a way on', async ({ page }) => {
	await page.goto('/invite/' + 'a'.repeat(40));
	await expect(page.getByRole('heading', { name: 'This invite cannot be used' })).toBeVisible();
	await expect(page.getByText('This invite link is not valid')).toBeVisible();
	await expectAccessible(page);
});

test('a shared-device session does not survive into a new tab', async ({ browser }) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto('/login');
	await page.getByLabel('Email').fill('sam@trellis.test');
	await page.getByLabel('Password').fill('trellis-demo-2026');
	await page.getByLabel(/This is a shared device/).check();
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL('**/c');
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Your work together' })).toBeVisible();

	const second = await context.newPage();
	await second.goto('/c');
	await second.waitForURL('**/login?reason=tab-closed');
	await expect(second.getByText('ended when its tab was closed')).toBeVisible();
	await context.close();
});

test('warns an idle therapist at 13 minutes, lets her stay, and signs her out at the limit', async ({
	page
}) => {
	await page.clock.install();
	await signIn(page, 'therapist@trellis.test', { totpSecret: DEMO_TOTP_SECRET });
	const dialog = page.getByRole('dialog', { name: 'Are you still there?' });
	await expect(dialog).toBeHidden();

	await page.clock.fastForward('13:05');
	await expect(dialog).toBeVisible();
	await expectAccessible(page);
	const extended = page.waitForResponse('**/app/session');
	await dialog.getByRole('button', { name: 'Stay signed in' }).click();
	expect((await extended).status()).toBe(200);
	await expect(dialog).toBeHidden();

	await page.clock.fastForward('15:30');
	await page.waitForURL('**/login?reason=idle');
	await expect(page.getByText('You were signed out after 15 quiet minutes')).toBeVisible();
	// The page signed out on the server too: the app is closed to this browser.
	await page.goto('/app');
	await page.waitForURL('**/login');
});
