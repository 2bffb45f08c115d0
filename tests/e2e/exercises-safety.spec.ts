// A safety item that meets its trigger: crisis resources at once for the partner who answered, an
// urgent flag for the therapist with what she needs to act (the answer, the partner's phone, what
// they were shown, the alert's state), acknowledged with what she did and audited, and nothing at
// all for the other partner.
import { test, expect, expectAccessible, person } from './fixtures';
import { assignAsHomework, openInLibrary } from './exercises';

test('a safety answer shows crisis resources and flags the therapist, never the partner', async ({
	browser
}) => {
	test.slow();
	const therapist = await person(browser, 'therapist@trellis.test');
	// Riley's phone number goes on the therapist's record of the couple, where she edits it.
	await therapist.page.goto('/app');
	await therapist.page.getByRole('link', { name: 'Jordan & Riley' }).first().click();
	await therapist.page.waitForURL(/\/app\/couples\/[0-9a-f-]{36}$/);
	const coupleId = therapist.page.url().split('/').pop()!;
	await therapist.page.goto(`/app/couples/${coupleId}/edit`);
	const rileyFields = therapist.page.getByRole('group', { name: 'Partner 2' });
	await expect(rileyFields.getByLabel('Name')).toHaveValue('Riley');
	await rileyFields.getByLabel('Phone (optional)').fill('call me maybe');
	await therapist.page.getByRole('button', { name: 'Save changes' }).click();
	await expect(rileyFields.getByText(/Enter a phone number/)).toBeVisible();
	await rileyFields.getByLabel('Phone (optional)').fill('+1 555 010 0200');
	await therapist.page.getByRole('button', { name: 'Save changes' }).click();
	await therapist.page.waitForURL(`**/app/couples/${coupleId}`);

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
	// The Safety tab counts the open flag on every therapist page.
	await expect(
		therapist.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Safety/ })
	).toContainText('1');
	const flags = therapist.page.getByTestId('safety-flags');
	await expect(flags).toContainText('Riley');
	await expect(flags).toContainText('Jordan & Riley');
	const flag = flags.getByTestId('safety-flag');
	await expect(flag.getByTestId('flag-answer')).toContainText('Often');
	await expect(flag).toContainText('+1 555 010 0200');
	await expect(flag.getByTestId('flag-alert')).toContainText('email is not set up');
	await flag.getByText('Crisis resources they were shown').click();
	await expect(flag).toContainText('1-800-799-7233');
	await expectAccessible(therapist.page);

	// Acknowledging asks what was done; without an answer the form says so and keeps the note.
	const note = 'Called Riley; safe at a friend’s tonight. Will cover in session.';
	await flag.getByLabel('Note (optional, kept encrypted)').fill(note);
	await flag.getByRole('button', { name: /Acknowledge/ }).click();
	await expect(flag.getByText(/Say what you did/)).toBeVisible();
	await expect(flag.getByLabel('Note (optional, kept encrypted)')).toHaveValue(note);
	await flag.getByRole('radio', { name: 'Called them' }).check();
	await flag.getByRole('button', { name: /Acknowledge/ }).click();
	await expect(therapist.page.getByTestId('safety-flags')).toHaveCount(0);
	await expect(
		therapist.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Safety/ })
	).toHaveText('Safety');

	await therapist.page.goto('/app/safety');
	const done = therapist.page.getByTestId('acknowledged-flag').first();
	await expect(done).toContainText('Called them');
	await expect(done).toContainText(note);
	await expectAccessible(therapist.page);

	// The audit trail shows the acknowledgement (never the note).
	await therapist.page.goto(`/app/couples/${coupleId}/audit`);
	await expect(therapist.page.getByText('You acknowledged a safety flag: called them')).toHaveCount(
		1
	);
	await expect(therapist.page.getByText(note)).toHaveCount(0);
	await expectAccessible(therapist.page);

	for (const p of [therapist, riley, jordan]) await p.context.close();
});
