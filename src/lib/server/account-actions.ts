// What both account pages (the therapist's /app/account and the partner's /c/account) let a person
// change about themselves: name, time zone, email (behind the password), password (the current one
// first; other devices are signed out), and where they are signed in. Each page passes its guard and
// adds its own actions (two-factor for therapists; the shared-device and reminder switches for
// partners).
import { fail, redirect, type Action, type RequestEvent } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from './db';
import * as account from './auth/account';
import { newPassword } from './auth/password';
import { deleteSessionCookie, type SessionUser } from './auth/session';
import type { Session } from './db/schema';
import { email, readForm, text } from './forms';
import * as outbox from './outbox';
import { disconnectSessions } from './realtime/server';
import { isTimeZone } from '$lib/dates';

const password = (message: string) =>
	v.pipe(v.string(message), v.nonEmpty(message), v.maxLength(256, 'That password is too long.'));

const NameForm = v.object({ name: text('Your name', 120) });
const EmailForm = v.object({ email, emailPassword: password('Enter your current password.') });
const PasswordForm = v.object({
	currentPassword: password('Enter your current password.'),
	newPassword
});
const TimeZoneForm = v.object({
	timeZone: v.pipe(
		v.string('Choose a time zone.'),
		v.check((zone: string) => isTimeZone(zone), 'Choose a time zone from the list.')
	)
});
/** Never echoed back into a refused form. */
const PASSWORDS = ['emailPassword', 'currentPassword', 'newPassword'];

/** A refused form: which one, what to fix, and what was typed (never a password). */
export function refuse(
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

type Guard = (locals: App.Locals) => { user: SessionUser; session: Session };

/** The actions every account page shares, behind that page's guard. */
export function accountActions(guard: Guard) {
	/** The signed-in person, their session, and the actor their changes are audited as. */
	function who(event: RequestEvent) {
		const { user, session } = guard(event.locals);
		return {
			user,
			session,
			actor: { userId: user.id, email: user.email, ip: event.getClientAddress() }
		};
	}

	/** Ends this account's sessions (`others`: all but this one) and closes their live connections. */
	async function signOut(event: RequestEvent, scope: 'everywhere' | 'others') {
		const { session, actor } = who(event);
		const ended = await account.signOut(db(), { ...actor, sessionId: session.id }, scope);
		disconnectSessions(ended);
		return ended;
	}

	return {
		name: async (event) => {
			const { actor } = who(event);
			const parsed = await readForm(event.request, NameForm);
			if (!parsed.ok) return refuse('name', 400, parsed);
			await account.changeName(db(), actor, parsed.data.name);
			return { form: 'name', saved: 'Your name is saved.' };
		},
		timeZone: async (event) => {
			const { actor } = who(event);
			const parsed = await readForm(event.request, TimeZoneForm);
			if (!parsed.ok) return refuse('timeZone', 400, parsed);
			await account.setTimeZone(db(), actor, parsed.data.timeZone);
			return {
				form: 'timeZone',
				saved: `Dates are now shown in ${parsed.data.timeZone.replaceAll('_', ' ')} time.`
			};
		},
		email: async (event) => {
			const { user, actor } = who(event);
			const parsed = await readForm(event.request, EmailForm, { omit: PASSWORDS });
			if (!parsed.ok) return refuse('email', 400, parsed);
			const result = await account.changeEmail(db(), actor, {
				email: parsed.data.email,
				password: parsed.data.emailPassword,
				name: user.display_name
			});
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
			const { user, session, actor } = who(event);
			const parsed = await readForm(event.request, PasswordForm, { omit: PASSWORDS });
			if (!parsed.ok) return refuse('password', 400, parsed);
			const result = await account.changePassword(
				db(),
				{
					...actor,
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
		/** Ends every session of this account, this one included. */
		signOutEverywhere: async (event) => {
			await signOut(event, 'everywhere');
			deleteSessionCookie(event.cookies, event.url.protocol === 'https:');
			redirect(303, '/login?reason=signed-out-everywhere');
		},
		/** Ends every session but this one. */
		signOutOthers: async (event) => {
			const ended = await signOut(event, 'others');
			return {
				form: 'sessions',
				saved:
					ended.length === 0
						? 'There were no other devices to sign out.'
						: `Signed out of ${ended.length} other device${ended.length === 1 ? '' : 's'}.`
			};
		}
	} satisfies Record<string, Action>;
}
