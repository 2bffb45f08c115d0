// Steps the exercise specs share: finding an exercise in the library and assigning it as homework.
import type { Page } from '@playwright/test';
import { expect, expectAccessible } from './fixtures';

/** Opens a built-in exercise's library page by a word of its title. */
export async function openInLibrary(page: Page, title: RegExp) {
	await page.goto('/app/library');
	await expectAccessible(page);
	await page.getByRole('heading', { level: 2 }).getByRole('link', { name: title }).click();
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
}

export async function assignAsHomework(page: Page, coupleLabel: string, note: string) {
	await page.getByRole('link', { name: `Assign to ${coupleLabel}` }).click();
	await expectAccessible(page);
	await page.getByLabel('Note to the couple').fill(note);
	await page.getByRole('button', { name: 'Assign as homework' }).click();
	await page.waitForURL(/\/app\/couples\/[0-9a-f-]{36}\/assignments\/[0-9a-f-]{36}$/);
	return page.url().split('/').pop()!;
}
