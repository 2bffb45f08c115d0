// A safety item that meets its trigger: crisis resources at once for the partner who answered, an
// urgent flag for the therapist (acknowledged, and audited), and nothing at all for the other partner.
import { test, expect, expectAccessible, person } from './fixtures';
import { assignAsHomework, openInLibrary } from './exercises';

test('a safety answer shows crisis resources and flags the therapist, never the partner', async ({
	browser
}) => {
	const therapist = await person(browser, 'therapist@trellis.test');
	await openInLibrary(therapist.page, /trust/i);
	const assignmentId = await assignAsHomework(
		therapist.page,
		'Jordan & Riley',
		'This week’s check-in.'
	);

	// The therapist's home stays open while Riley answers, on a phone.
	await therapist.page.goto('/app');
	const riley = await person(browser, 'riley@trellis.test', { width: 375, height: 740 });
	await riley.page.goto(`/c/assignments/${assignmentId}`);
	// Walk the sections until the safety question about feeling afraid at home appears.
	const question = riley.page.getByRole('group', { name: /afraid|unsafe/i });
	while (!(await question.isVisible())) {
		await riley.page.getByRole('button', { name: 'Next section' }).click();
	}
	await question.getByRole('radio', { name: /often/i }).check();
	const alert = riley.page.getByTestId('crisis-resources');
	await expect(alert).toBeInViewport();
	await expect(alert).toHaveAttribute('role', 'alert');
	await expect(alert).toBeFocused();
	// Below the item that raised it, and honest about what was sent (no email is set up here).
	await expect(
		question.locator('xpath=ancestor::li[1]').getByTestId('crisis-resources')
	).toHaveCount(1);
	await expect(alert).toContainText('Your therapist has been sent an alert.');
	await expect(alert).toContainText('988');
	await expect(alert).toContainText('1-800-799-7233');
	// The lock hint of the safety section speaks of the therapist only.
	await expect(
		riley.page.getByText(/Locked answers are final\. Only your therapist/)
	).toBeVisible();
	await expect(riley.page.getByText(/Riley sees|Jordan sees/)).toHaveCount(0);
	await expectAccessible(riley.page);
	await alert.getByRole('button', { name: 'Close this message' }).click();
	await expect(alert).toHaveCount(0);

	// The therapist's open home shows the alert without a reload.
	const live = therapist.page
		.getByRole('alert')
		.filter({ hasText: 'A safety answer needs your attention' });
	await expect(live).toBeVisible();
	await expect(live.getByRole('link', { name: /Safety page/ })).toHaveAttribute(
		'href',
		'/app/safety'
	);
	await expectAccessible(therapist.page);

	const jordan = await person(browser, 'jordan@trellis.test');
	await jordan.page.goto(`/c/assignments/${assignmentId}`);
	await expect(jordan.page.getByTestId('crisis-resources')).toHaveCount(0);
	await jordan.page.goto('/c');
	await expect(jordan.page.getByText(/told privately|safety flag/i)).toHaveCount(0);
	await expect(jordan.page.getByRole('link', { name: 'Need help now?' })).toHaveAttribute(
		'href',
		'/c/crisis'
	);

	await therapist.page.goto('/app');
	const flags = therapist.page.getByTestId('safety-flags');
	await expect(flags).toContainText('Riley');
	await expect(flags).toContainText('Jordan & Riley');
	await expectAccessible(therapist.page);
	await flags.getByRole('button', { name: /Acknowledge/ }).click();
	await expect(therapist.page.getByTestId('safety-flags')).toHaveCount(0);

	for (const p of [therapist, riley, jordan]) await p.context.close();
});
