// A partner who forgot their password, on a phone: the sign-in page's "Forgot your password?" says to
// ask the therapist (this server has no email), the therapist makes a reset link on the couple page,
// the partner sets a new password and every old session ends; then the partner's account page.
import type { Page } from '@playwright/test';
import { test, expect, expectAccessible, person } from './fixtures';

const PASSWORD = 'a long and unusual passphrase';
const NEW_PASSWORD = 'a second long and unusual passphrase';

async function expectNoSidewaysScroll(page: Page) {
	const fits = await page.evaluate(
		() => document.documentElement.scrollWidth <= document.documentElement.clientWidth
	);
	expect(fits, `no sideways scroll on ${page.url()}`).toBe(true);
}

for (const width of [375, 320]) {
	test(`a partner resets a forgotten password with the therapist's link, then uses the account page, at ${width} px`, async ({
		browser
	}) => {
		test.slow();
		const viewport = { width, height: 740 };
		const stamp = Date.now();
		const { context: therapistContext, page: therapist } = await person(
			browser,
			'therapist@trellis.test',
			viewport
		);
		const label = `Robin & Kai ${stamp}`;
		await therapist.goto('/app/couples/new');
		await therapist.getByLabel('Label').fill(label);
		await therapist.locator('#partner1Name').fill('Robin');
		await therapist.locator('#partner2Name').fill('Kai');
		await therapist.getByRole('button', { name: 'Create couple' }).click();
		await expect(therapist.getByRole('heading', { name: label })).toBeVisible();
		const couplePath = new URL(therapist.url()).pathname;
		const robinCard = therapist.getByRole('region', { name: 'Robin' });
		await robinCard.getByRole('button', { name: 'Invite for Robin' }).click();
		const invite = await robinCard.getByLabel('Invite link for Robin').inputValue();

		// Robin joins on the phone, and stays signed in there.
		const email = `robin-${width}-${stamp}@example.test`;
		const phoneContext = await browser.newContext({ viewport });
		const phone = await phoneContext.newPage();
		await phone.goto(invite);
		await phone.getByLabel('Your email').fill(email);
		await phone.getByLabel('Password').fill(PASSWORD);
		await phone.getByRole('button', { name: 'Join Trellis' }).click();
		await phone.waitForURL('**/c?joined=1');

		// On another device Robin has forgotten the password.
		const laptopContext = await browser.newContext({ viewport });
		const laptop = await laptopContext.newPage();
		await laptop.goto('/login');
		await laptop.getByRole('link', { name: 'Forgot your password?' }).click();
		await laptop.waitForURL('**/login/forgot');
		await expect(laptop.getByTestId('reset-no-email')).toContainText('ask your therapist');
		await expectAccessible(laptop);
		await expectNoSidewaysScroll(laptop);

		// The therapist makes a reset link from Robin's card; it is shown once, with a copy button.
		await therapist.goto(couplePath);
		await robinCard.getByRole('button', { name: 'Make a password reset link for Robin' }).click();
		const resetField = robinCard.getByLabel('Password reset link for Robin');
		await expect(resetField).toHaveValue(/\/login\/reset\/[a-z2-7]{40}$/);
		await expect(robinCard.getByRole('button', { name: 'Copy link' }).last()).toBeVisible();
		await expectAccessible(therapist);
		await expectNoSidewaysScroll(therapist);
		const resetLink = await resetField.inputValue();

		// Robin opens it, is told what a too-short password needs, then sets a new one.
		await laptop.goto(resetLink);
		await expect(laptop.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
		await expectAccessible(laptop);
		await expectNoSidewaysScroll(laptop);
		await laptop.getByLabel('New password').fill('short');
		await laptop.getByRole('button', { name: 'Save new password' }).click();
		await expect(laptop.getByText('Use at least 10 characters')).toBeVisible();
		await laptop.getByLabel('New password').fill(NEW_PASSWORD);
		await laptop.getByRole('button', { name: 'Save new password' }).click();
		await laptop.waitForURL('**/login?reason=password-reset');
		await expect(
			laptop.getByText('every device that was signed in has been signed out')
		).toBeVisible();
		await expectAccessible(laptop);

		// The phone's old session is over; the link works only once.
		await phone.goto('/c');
		await phone.waitForURL('**/login');
		await laptop.goto(resetLink);
		await expect(laptop.getByText('This link has been used already')).toBeVisible();

		// Signed in with the new password, Robin's account page.
		await laptop.goto('/login');
		await laptop.getByLabel('Email').fill(email);
		await laptop.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
		await laptop.getByRole('button', { name: 'Sign in' }).click();
		await laptop.waitForURL('**/c');
		await laptop.getByRole('link', { name: 'Account' }).click();
		await laptop.waitForURL('**/c/account');
		await expect(laptop.getByRole('heading', { name: 'Your account' })).toBeVisible();
		await expectAccessible(laptop);
		await expectNoSidewaysScroll(laptop);

		// A wrong password keeps the new address typed and marks the password field.
		await laptop
			.getByLabel('Email', { exact: true })
			.fill(`robin-new-${width}-${stamp}@example.test`);
		await laptop.getByLabel('Your current password').fill('not my password');
		await laptop.getByRole('button', { name: 'Change email' }).click();
		const passwordField = laptop.getByLabel('Your current password');
		await expect(passwordField).toHaveAttribute('aria-invalid', 'true');
		await expect(laptop.getByLabel('Email', { exact: true })).toHaveValue(
			`robin-new-${width}-${stamp}@example.test`
		);
		await expectAccessible(laptop);
		await passwordField.fill(NEW_PASSWORD);
		await laptop.getByRole('button', { name: 'Change email' }).click();
		await expect(
			laptop.getByText(`You now sign in with robin-new-${width}-${stamp}@example.test.`)
		).toBeVisible();

		// The name, and this device as shared.
		await laptop.getByLabel('Your name').fill('Robin B.');
		await laptop.getByRole('button', { name: 'Save name' }).click();
		await expect(laptop.getByText('Your name is saved.')).toBeVisible();
		await expect(laptop.getByText('Signed in as Robin B.')).toBeVisible();
		await laptop.getByLabel('Yes, others use it too').check();
		await laptop.getByRole('button', { name: 'Save device setting' }).click();
		await expect(laptop.getByText('This device is treated as shared')).toBeVisible();
		await expect(laptop.getByRole('list', { name: 'Signed-in devices' })).toContainText(
			'shared device'
		);
		await expectAccessible(laptop);
		await expectNoSidewaysScroll(laptop);

		// The clock every date is shown in.
		await laptop.getByLabel('Show dates and times in').selectOption('Europe/Berlin');
		await laptop.getByRole('button', { name: 'Save time zone' }).click();
		await expect(laptop.getByText('Dates are now shown in Europe/Berlin time.')).toBeVisible();
		await expect(laptop.getByLabel('Show dates and times in')).toHaveValue('Europe/Berlin');

		// Sign out everywhere.
		await laptop.getByRole('button', { name: 'Sign out everywhere' }).click();
		await laptop.waitForURL('**/login?reason=signed-out-everywhere');

		await phoneContext.close();
		await laptopContext.close();
		await therapistContext.close();
	});
}
