// The partner's account page: name, email (behind the password), password (the current one first;
// other devices are signed out), where they are signed in, whether this is a shared device, and
// whether homework reminders also come by email.
import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import * as account from '$lib/server/auth/account';
import { accountActions, refuse } from '$lib/server/account-actions';
import {
	SESSION_COOKIE,
	setSessionCookie,
	setSharedDevice,
	setSharedTabCookie
} from '$lib/server/auth/session';
import { checkbox, parseForm, readForm, readFormData } from '$lib/server/forms';
import { isEmailConfigured } from '$lib/server/email';
import * as reminders from '$lib/server/reminders';
import { formatDateTime, timeZones } from '$lib/dates';
import type { Actions, PageServerLoad } from './$types';

const RemindersForm = v.object({ emailReminders: checkbox });
const SharedForm = v.object({ sharedDevice: v.picklist(['on', 'off'], 'Choose on or off.') });

export const load = (async ({ locals }) => {
	const { user, session } = requirePartner(locals);
	return {
		name: user.display_name,
		email: user.email,
		sharedDevice: session.shared_device,
		timeZone: user.timeZone,
		timeZones: timeZones(),
		sessions: (await account.sessionsFor(db(), user.id, session.id)).map((s) => ({
			...s,
			createdAt: formatDateTime(s.createdAt, user.timeZone),
			lastSeenAt: formatDateTime(s.lastSeenAt, user.timeZone)
		})),
		emailReminders: await reminders.emailRemindersOn(db(), user.id),
		emailConfigured: isEmailConfigured()
	};
}) satisfies PageServerLoad;

export const actions = {
	...accountActions(requirePartner),
	sharedDevice: async (event) => {
		const { user, session } = requirePartner(event.locals);
		const parsed = await readForm(event.request, SharedForm);
		if (!parsed.ok) return refuse('sharedDevice', 400, parsed);
		const shared = parsed.data.sharedDevice === 'on';
		const updated = await setSharedDevice(db(), session, user.role, shared);
		if (!updated) redirect(303, '/login');
		const token = event.cookies.get(SESSION_COOKIE);
		const secure = event.url.protocol === 'https:';
		if (token) setSessionCookie(event.cookies, token, updated, secure);
		// The tab that asked keeps the session (the guard takes this hand-off into its sessionStorage).
		if (shared) setSharedTabCookie(event.cookies, secure);
		return {
			form: 'sharedDevice',
			saved: shared
				? 'This device is treated as shared: you are signed out when the browser closes and after 10 quiet minutes.'
				: 'This device is treated as your own.'
		};
	},
	reminders: async ({ locals, request }) => {
		const { user } = requirePartner(locals);
		const formData = await readFormData(request);
		const parsed = formData ? parseForm(formData, RemindersForm) : null;
		if (!parsed?.ok)
			return fail(400, { form: 'reminders', message: 'That did not save. Try again.' });
		await reminders.setEmailReminders(db(), user.id, parsed.data.emailReminders);
		return {
			form: 'reminders',
			saved: parsed.data.emailReminders ? 'Reminder emails are on.' : 'Reminder emails are off.'
		};
	}
} satisfies Actions;
