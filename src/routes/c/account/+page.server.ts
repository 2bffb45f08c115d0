// The partner's account page: name, email (behind the password), password (the current one first;
// other devices are signed out), where they are signed in, whether this is a shared device, and
// whether homework reminders also come by email.
import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import * as account from '$lib/server/auth/account';
import { newPassword } from '$lib/server/auth/password';
import {
	SESSION_COOKIE,
	deleteSessionCookie,
	setSessionCookie,
	setSharedDevice,
	setSharedTabCookie
} from '$lib/server/auth/session';
import { checkbox, email, parseForm, readForm, readFormData, text } from '$lib/server/forms';
import { isEmailConfigured } from '$lib/server/email';
import * as outbox from '$lib/server/outbox';
import { disconnectSessions } from '$lib/server/realtime/server';
import * as reminders from '$lib/server/reminders';
import { formatDateTime, isTimeZone, timeZones } from '$lib/dates';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const password = (message: string) =>
	v.pipe(v.string(message), v.nonEmpty(message), v.maxLength(256, 'That password is too long.'));

const RemindersForm = v.object({ emailReminders: checkbox });
const NameForm = v.object({ name: text('Your name', 120) });
const EmailForm = v.object({ email, emailPassword: password('Enter your current password.') });
const PasswordForm = v.object({
	currentPassword: password('Enter your current password.'),
	newPassword
});
const SharedForm = v.object({ sharedDevice: v.picklist(['on', 'off'], 'Choose on or off.') });

const TimeZoneForm = v.object({
	timeZone: v.pipe(
		v.string('Choose a time zone.'),
		v.check((zone: string) => isTimeZone(zone), 'Choose a time zone from the list.')
	)
});
const PASSWORDS = ['emailPassword', 'currentPassword', 'newPassword'];

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

function who(event: RequestEvent) {
	const { user, session } = requirePartner(event.locals);
	return { user, session, ip: event.getClientAddress() };
}

/** A refused form: which one, what to fix, and what was typed (never a password). */
function refuse(
	form: string,
	status: 400 | 429,
	parsed: { errors: Record<string, string>; values: Record<string, string>; message?: string }
) {
	return fail(status, {
		form,
		message: parsed.message ?? 'Please fix the fields marked below.',
		errors: parsed.errors,
		values: parsed.values
	});
}

export const actions = {
	name: async (event) => {
		const { user, ip } = who(event);
		const parsed = await readForm(event.request, NameForm);
		if (!parsed.ok) return refuse('name', 400, parsed);
		await account.changeName(db(), { userId: user.id, email: user.email, ip }, parsed.data.name);
		return { form: 'name', saved: 'Your name is saved.' };
	},
	timeZone: async (event) => {
		const { user, ip } = who(event);
		const parsed = await readForm(event.request, TimeZoneForm);
		if (!parsed.ok) return refuse('timeZone', 400, parsed);
		await account.setTimeZone(
			db(),
			{ userId: user.id, email: user.email, ip },
			parsed.data.timeZone
		);
		return {
			form: 'timeZone',
			saved: `Dates are now shown in ${parsed.data.timeZone.replaceAll('_', ' ')} time.`
		};
	},
	email: async (event) => {
		const { user, ip } = who(event);
		const parsed = await readForm(event.request, EmailForm, { omit: PASSWORDS });
		if (!parsed.ok) return refuse('email', 400, parsed);
		const result = await account.changeEmail(
			db(),
			{ userId: user.id, email: user.email, ip },
			{ email: parsed.data.email, password: parsed.data.emailPassword, name: user.display_name }
		);
		if (!result.ok) {
			return refuse('email', result.status, {
				message: result.message,
				errors: { [result.field]: result.message },
				values: { email: parsed.data.email }
			});
		}
		if (result.emailId) outbox.wake();
		return { form: 'email', saved: `You now sign in with ${parsed.data.email}.` };
	},
	password: async (event) => {
		const { user, session, ip } = who(event);
		const parsed = await readForm(event.request, PasswordForm, { omit: PASSWORDS });
		if (!parsed.ok) return refuse('password', 400, parsed);
		const result = await account.changePassword(
			db(),
			{
				userId: user.id,
				email: user.email,
				ip,
				sessionId: session.id,
				name: user.display_name,
				origin: event.url.origin
			},
			parsed.data
		);
		if (!result.ok) {
			return refuse('password', result.status, {
				message: result.message,
				errors: { [result.field]: result.message },
				values: {}
			});
		}
		disconnectSessions(result.endedSessionIds);
		if (result.emailId) outbox.wake();
		return {
			form: 'password',
			saved:
				result.endedSessionIds.length === 0
					? 'Your new password is saved.'
					: 'Your new password is saved, and your other devices are signed out.'
		};
	},
	sharedDevice: async (event) => {
		const { user, session } = who(event);
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
	},
	signOutOthers: async (event) => {
		const { user, session, ip } = who(event);
		const ended = await account.signOut(
			db(),
			{ userId: user.id, email: user.email, ip, sessionId: session.id },
			'others'
		);
		disconnectSessions(ended);
		return {
			form: 'sessions',
			saved:
				ended.length === 0
					? 'There were no other devices to sign out.'
					: `Signed out of ${ended.length} other device${ended.length === 1 ? '' : 's'}.`
		};
	},
	signOutEverywhere: async (event) => {
		const { user, session, ip } = who(event);
		const ended = await account.signOut(
			db(),
			{ userId: user.id, email: user.email, ip, sessionId: session.id },
			'everywhere'
		);
		disconnectSessions(ended);
		deleteSessionCookie(event.cookies, event.url.protocol === 'https:');
		redirect(303, '/login?reason=signed-out-everywhere');
	}
} satisfies Actions;
