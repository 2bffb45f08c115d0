// A therapist builds an exercise, previews it, assigns it, edits it after assigning (a new version),
// and each assignment keeps the version it was given.
import { test, expect, expectAccessible, person } from './fixtures';

test('build, preview, assign, edit into a new version; old and new assignments each keep theirs', async ({
	browser
}) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	const page = therapist.page;
	await page.goto('/app/library');
	await page.getByRole('link', { name: 'Create an exercise' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Create an exercise' })).toBeVisible();

	// Saving with empty fields is refused: a summary in plain words links to each field, and each
	// field carries its own message. Nothing typed is lost.
	await page.getByLabel('Title', { exact: true }).fill('Weekend check-in');
	await page.getByLabel('Purpose').fill('A short look back at the weekend together.');
	await page.getByRole('button', { name: 'Save the exercise' }).click();
	const summary = page.getByRole('alert').filter({ hasText: 'The exercise was not saved' });
	await expect(summary).toBeFocused();
	await expect(summary.getByRole('link')).toHaveText([
		'Write the instructions for the couple.',
		'Give section 1 a title.',
		'Write the question or statement of item 1 in section 1.'
	]);
	await expect(summary).not.toContainText(/section-|item-|is required/);
	await expect(page.getByLabel('Title', { exact: true })).toHaveValue('Weekend check-in');
	await expect(page.getByLabel('Title', { exact: true })).not.toHaveAttribute('aria-invalid');

	const sectionTitle = page.getByLabel('Section title');
	await expect(sectionTitle).toHaveAttribute('aria-invalid', 'true');
	await expect(sectionTitle).toHaveAccessibleDescription('Give section 1 a title.');
	await expect(page.getByLabel('Question or statement')).toHaveAccessibleDescription(
		'Write the question or statement of item 1 in section 1.'
	);
	await summary.getByRole('link', { name: 'Give section 1 a title.' }).click();
	await expect(sectionTitle).toBeFocused();
	await expectAccessible(page);

	await page
		.getByLabel('Instructions for the couple')
		.fill('Answer on your own, then talk it over.');
	await page.getByLabel('Section title').fill('How it went');
	await page.getByLabel('Question or statement').fill('Texting an ex on a Friday night');
	await page.getByLabel('New item type').selectOption('likert5');
	await page.getByRole('button', { name: 'Add an item to section 1' }).click();
	await page
		.getByLabel('Question or statement')
		.nth(1)
		.fill('I felt close to my partner this weekend');
	await page.getByLabel('New item type').selectOption('choice');
	await page.getByRole('button', { name: 'Add an item to section 1' }).click();
	await page.getByLabel('Question or statement').nth(2).fill('Did you feel safe at home?');
	await page.getByLabel('Option 1').nth(0).fill('Yes');
	await page.getByLabel('Option 2').nth(0).fill('Not always');
	// Reorder: the likert item moves to the top, then back.
	await page.getByRole('button', { name: 'Move up item 2' }).click();
	await expect(page.getByLabel('Question or statement').first()).toHaveValue(
		'I felt close to my partner this weekend'
	);
	await page.getByRole('button', { name: 'Move down item 1' }).click();
	await expect(page.getByLabel('Question or statement').first()).toHaveValue(
		'Texting an ex on a Friday night'
	);

	await page.getByRole('button', { name: 'Preview' }).click();
	const preview = page.getByTestId('preview');
	await expect(
		preview.getByRole('group', { name: 'Texting an ex on a Friday night' })
	).toBeVisible();
	await expect(preview.getByRole('radio', { name: 'Crosses the line' })).toBeVisible();
	await expectAccessible(page);

	await page.getByRole('button', { name: 'Save the exercise' }).click();
	await page.waitForURL(/\/app\/library\/[0-9a-f-]{36}$/);
	await expect(page.getByRole('heading', { level: 1, name: 'Weekend check-in' })).toBeVisible();
	await expect(page.getByText(/version 1 ·/)).toBeVisible();

	await page.getByRole('link', { name: 'Assign to Alex & Sam' }).click();
	await page.getByRole('button', { name: 'Assign as homework' }).click();
	await page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
	const firstAssignment = page.url().split('/').pop()!;

	// Edit after assigning: a new version.
	await page.goto('/app/library');
	await page.getByRole('link', { name: 'Edit Weekend check-in' }).click();
	await page.getByLabel('Question or statement').first().fill('Texting an ex late at night');
	await page.getByRole('button', { name: 'Save changes' }).click();
	await page.waitForURL(/\/app\/library\/[0-9a-f-]{36}\?saved=new-version$/);
	await expect(page.getByText('Saved as version 2.')).toBeVisible();
	await page.getByRole('link', { name: 'Assign to Alex & Sam' }).click();
	await page.getByRole('button', { name: 'Assign as homework' }).click();
	await page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
	const secondAssignment = page.url().split('/').pop()!;

	const alex = await person(browser, 'alex@trellis.test');
	await alex.page.goto(`/c/assignments/${secondAssignment}`);
	const item = alex.page.getByRole('group', { name: 'Texting an ex late at night' });
	await item.getByRole('radio', { name: 'Talk with me first' }).check();
	await expect(alex.page.locator('[data-save-state="saved"]').first()).toBeVisible();
	await alex.page.goto(`/c/assignments/${firstAssignment}`);
	await expect(
		alex.page.getByRole('group', { name: 'Texting an ex on a Friday night' })
	).toBeVisible();
	await expect(alex.page.getByText('Texting an ex late at night')).toHaveCount(0);

	await therapist.context.close();
	await alex.context.close();
});
