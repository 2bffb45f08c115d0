import { test, expect, expectAccessible, person } from './fixtures';

test('the therapist writes a SOAP note that autosaves, signs it, adds an addendum, and keeps a private note', async ({
	browser
}) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	const page = therapist.page;
	await page.getByRole('link', { name: 'Alex & Sam' }).first().click();
	await page.getByRole('link', { name: 'Open notes' }).click();
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
	await page.getByLabel('Action').selectOption('note.signed');
	await page.getByRole('button', { name: 'Filter' }).click();
	await expect(page.getByRole('cell', { name: 'note.signed' }).first()).toBeVisible();
	await expect(page.getByRole('cell', { name: 'note.created' })).toHaveCount(0);
	await expectAccessible(page);

	// Partners reach neither note.
	const alex = await person(browser, 'alex@trellis.test');
	for (const url of [noteUrl, privateUrl]) {
		const response = await alex.page.goto(url);
		expect(response?.url()).not.toContain('/notes/');
	}
	await alex.context.close();
	await therapist.context.close();
});
