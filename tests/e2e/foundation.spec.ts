import { test, expect, expectAccessible, signIn, DEMO_TOTP_SECRET } from './fixtures';

test('the sign-in page is calm, labelled and accessible', async ({ page }) => {
	await page.goto('/login');
	await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
	await expectAccessible(page);
});

test('a wrong password keeps the email and says what went wrong', async ({ page }) => {
	await page.goto('/login');
	await page.getByLabel('Email').fill('alex@trellis.test');
	await page.getByLabel('Password').fill('not the password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('That email or password is wrong.');
	await expect(page.getByLabel('Email')).toHaveValue('alex@trellis.test');
});

test('the therapist sees a partner come online, page to socket to database', async ({
	browser
}) => {
	const therapistContext = await browser.newContext();
	const therapist = await therapistContext.newPage();
	await signIn(therapist, 'therapist@trellis.test', { totpSecret: DEMO_TOTP_SECRET });
	const couple = therapist
		.getByRole('listitem')
		.filter({ has: therapist.getByRole('heading', { name: 'Alex & Sam' }) });
	const person = (name: string) =>
		couple
			.getByRole('list', { name: 'Who is online' })
			.getByRole('listitem')
			.filter({ hasText: name });
	await expect(couple.getByRole('list', { name: 'Who is online' })).toHaveAttribute(
		'data-status',
		'live'
	);
	await expect(person('Alex')).toContainText('offline');
	await expectAccessible(therapist);

	const alexContext = await browser.newContext();
	const alex = await alexContext.newPage();
	await signIn(alex, 'alex@trellis.test');
	await expect(alex.getByRole('heading', { name: 'Alex & Sam' })).toBeVisible();
	await expectAccessible(alex);

	await expect(person('Alex')).toContainText(/\bonline/);
	await expect(person('Sam')).toContainText('offline');

	await alexContext.close();
	await expect(person('Alex')).toContainText('offline');
	await therapistContext.close();
});

test('the partner home fits a 320 px phone', async ({ browser }) => {
	const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
	const page = await context.newPage();
	await signIn(page, 'sam@trellis.test');
	const overflow = await page.evaluate(
		() => document.documentElement.scrollWidth - window.innerWidth
	);
	expect(overflow).toBeLessThanOrEqual(0);
	await expectAccessible(page);
	await context.close();
});

test('signing in and out works without JavaScript', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('/login');
	await page.getByLabel('Email').fill('priya@trellis.test');
	await page.getByLabel('Password').fill('trellis-demo-2026');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/c$/);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/login$/);
	await context.close();
});
