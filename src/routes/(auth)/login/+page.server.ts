import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { checkbox, email, readForm } from '$lib/server/forms';
import { signIn } from '$lib/server/auth/sign-in';
import { requestContext } from '$lib/server/auth/session';
import * as timeZones from '$lib/server/auth/time-zone';
import type { Actions, PageServerLoad } from './$types';

const SignInForm = v.object({
	email,
	password: v.pipe(
		v.string('Password is required.'),
		v.nonEmpty('Password is required.'),
		v.maxLength(256, 'Password is too long.')
	),
	sharedDevice: checkbox,
	timeZone: timeZones.detectedField
});

const notices: Record<string, string> = {
	idle: 'You were signed out after 15 quiet minutes, to keep your clients’ work private.',
	'signed-out-everywhere': 'You are signed out on every device.',
	'tab-closed': 'This shared-device session ended when its tab was closed. Sign in again.',
	'password-reset':
		'Your new password is saved, and every device that was signed in has been signed out. Sign in with your new password.'
};

export const load = (({ locals, url }) => {
	if (locals.user && locals.session) {
		if (locals.user.role === 'partner') redirect(303, '/c');
		if (locals.session.two_factor_verified) redirect(303, '/app');
	}
	return { notice: notices[url.searchParams.get('reason') ?? ''] ?? null };
}) satisfies PageServerLoad;

export const actions = {
	default: async (event) => {
		const parsed = await readForm(event.request, SignInForm);
		if (!parsed.ok) {
			return fail(400, {
				message: parsed.errors.form as string | undefined,
				errors: parsed.errors,
				values: parsed.values
			});
		}

		const result = await signIn(db(), { ...parsed.data, ...requestContext(event) });
		if (!result.ok) {
			return fail(result.status, {
				message: result.message,
				values: { email: parsed.data.email, sharedDevice: parsed.data.sharedDevice ? 'on' : '' }
			});
		}
		redirect(303, result.next);
	}
} satisfies Actions;
