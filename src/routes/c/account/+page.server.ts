// The partner's account page: for now only whether homework reminders also come by email.
import { fail } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import { checkbox, parseForm, readFormData } from '$lib/server/forms';
import { isEmailConfigured } from '$lib/server/email';
import * as reminders from '$lib/server/reminders';
import type { Actions, PageServerLoad } from './$types';

const RemindersForm = v.object({ emailReminders: checkbox });

export const load = (async ({ locals }) => {
	const { user } = requirePartner(locals);
	return {
		email: user.email,
		emailReminders: await reminders.emailRemindersOn(db(), user.id),
		emailConfigured: isEmailConfigured()
	};
}) satisfies PageServerLoad;

export const actions = {
	reminders: async ({ locals, request }) => {
		const { user } = requirePartner(locals);
		const formData = await readFormData(request);
		const parsed = formData ? parseForm(formData, RemindersForm) : null;
		if (!parsed?.ok) return fail(400, { message: 'That did not save. Try again.' });
		await reminders.setEmailReminders(db(), user.id, parsed.data.emailReminders);
		return { saved: parsed.data.emailReminders };
	}
} satisfies Actions;
