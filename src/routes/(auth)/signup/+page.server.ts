import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { email, readForm, text, refuseForm } from '$lib/server/forms';
import { newPassword } from '$lib/server/auth/password';
import { signUpTherapist } from '$lib/server/auth/sign-up';
import { requestContext } from '$lib/server/auth/session';
import * as timeZones from '$lib/server/auth/time-zone';
import type { Actions, PageServerLoad } from './$types';

const SignUpForm = v.object({
	name: text('Your name', 120),
	email,
	password: newPassword,
	timeZone: timeZones.detectedField
});

export const load = (({ locals }) => {
	if (locals.user) redirect(303, '/');
	return {};
}) satisfies PageServerLoad;

export const actions = {
	default: async (event) => {
		const parsed = await readForm(event.request, SignUpForm);
		if (!parsed.ok) return refuseForm(parsed);
		const result = await signUpTherapist(db(), { ...parsed.data, ...requestContext(event) });
		if (!result.ok) {
			return fail(result.status, {
				message: result.message,
				errors: (result.field ? { [result.field]: result.message } : {}) as Record<string, string>,
				values: { name: parsed.data.name, email: parsed.data.email }
			});
		}
		redirect(303, '/login/totp/setup');
	}
} satisfies Actions;
