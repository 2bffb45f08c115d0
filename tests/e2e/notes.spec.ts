import type { Browser, Page } from '@playwright/test';
import { test, expect, expectAccessible, person, totpCode } from './fixtures';

test('the therapist writes a SOAP note that autosaves, signs it, adds an addendum, and keeps a private note', async ({
	browser
}) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	const page = therapist.page;
	await page.getByRole('link', { name: 'Alex & Sam', exact: true }).last().click();
	await page.getByRole('link', { name: 'Notes', exact: true }).click();
	await expectAccessible(page);

	await page.getByLabel('Template').selectOption('soap');
	await page.getByRole('button', { name: 'New note' }).click();
	await page
		.getByLabel('Subjective')
		.fill('Alex slept better this week; Sam kept the phone on the table.');
	await page.getByLabel('Plan').fill('Repeat the trust check-in.');
	await expect(page.locator('[data-save-status="saved"]')).toContainText('Draft saved');
	const noteUrl = page.url();

	// A reload restores the draft.
	await page.reload();
	await expect(page.getByLabel('Subjective')).toHaveValue(/slept better/);
	await expectAccessible(page);

	page.once('dialog', (dialog) => dialog.accept());
	await page.getByRole('button', { name: 'Sign note' }).click();
	await expect(page.getByText(/Signed .* locked/)).toBeVisible();
	await page.getByLabel('New addendum (signed when added)').fill('Sam called on Friday as agreed.');
	await page.getByRole('button', { name: 'Sign and add' }).click();
	await expect(page.getByText('Sam called on Friday as agreed.')).toBeVisible();
	await expectAccessible(page);

	await page.goto(noteUrl.replace(/\/notes\/.*$/, '/notes'));
	await page.getByLabel('Kind').selectOption('psychotherapy');
	await page.getByLabel('Template').selectOption('free');
	await page.getByRole('button', { name: 'New note' }).click();
	await page.getByLabel('Note').fill('My own countertransference this session.');
	await expect(page.locator('[data-save-status="saved"]')).toContainText('Draft saved');
	const privateUrl = page.url();

	// The therapist's own trail of this couple shows each step, filterable by action.
	await page.goto(noteUrl.replace(/\/notes\/.*$/, '/audit'));
	await page.getByLabel('What').selectOption('note.signed');
	await page.getByRole('button', { name: 'Filter' }).click();
	const trail = page.getByTestId('audit-trail');
	await expect(
		trail.getByRole('link', { name: /^You signed the progress note of / }).first()
	).toBeVisible();
	await expect(trail.getByText(/^You started /)).toHaveCount(0);
	await expectAccessible(page);

	// The couple's export carries the signed progress note and never the psychotherapy note (the
	// CSV holds answers only; the FHIR bundle holds signed notes as base64 attachments; the PDF's
	// text is checked in tests/integration/exports.test.ts).
	const coupleUrl = noteUrl.replace(/\/notes\/.*$/, '');
	const fhir = await page.request.get(`${coupleUrl}/export?format=fhir`);
	expect(fhir.status()).toBe(200);
	const record = decodeAttachments(await fhir.text());
	expect(record).toContain('Sam kept the phone on the table.');
	expect(record).toContain('Sam called on Friday as agreed.');
	expect(record).not.toContain('countertransference');
	const csv = await page.request.get(`${coupleUrl}/export?format=csv`);
	expect(csv.status()).toBe(200);
	expect(await csv.text()).not.toContain('countertransference');

	// Partners reach neither note: the therapist area sends them to their own home.
	for (const email of ['alex@trellis.test', 'sam@trellis.test']) {
		const partner = await person(browser, email);
		for (const url of [noteUrl, privateUrl]) {
			const response = await partner.page.goto(url);
			expect(response?.url()).not.toContain('/notes/');
			await expect(partner.page.getByText('countertransference')).toHaveCount(0);
		}
		await partner.context.close();
	}

	// Another therapist gets 404 for both, as if they did not exist.
	const other = await signUpTherapist(browser, 'Dr. Other');
	for (const url of [noteUrl, privateUrl]) {
		const response = await other.goto(url);
		expect(response?.status()).toBe(404);
		await expect(other.getByText('countertransference')).toHaveCount(0);
	}
	await expectAccessible(other);
	await therapist.context.close();
});

/** Text of every base64 attachment in a FHIR bundle (notes travel as DocumentReference attachments). */
function decodeAttachments(json: string): string {
	const found = [...json.matchAll(/"data"\s*:\s*"([A-Za-z0-9+/=]+)"/g)];
	return json + found.map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
}

/** A new therapist, signed up in a browser of their own with TOTP enrolled. */
async function signUpTherapist(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await page.goto('/signup');
	await page.getByLabel('Your name').fill(name);
	await page.getByLabel('Email').fill(`other-${Date.now()}@example.test`);
	await page.getByLabel('Password').fill('another long and unusual passphrase');
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.waitForURL('**/login/totp/setup');
	const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
	await page.getByLabel('Code from the app').fill(totpCode(secret));
	await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
	await page.getByRole('link', { name: 'I have saved it, continue' }).click();
	await page.waitForURL('**/app');
	return page;
}
