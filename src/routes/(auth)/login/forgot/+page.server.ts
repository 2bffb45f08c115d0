// "Forgot your password?": one answer whether or not the address has an account.
import { fail } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { email, readForm, refuseForm } from '$lib/server/forms';
import { isEmailConfigured } from '$lib/server/email';
import * as outbox from '$lib/server/outbox';
import * as passwordReset from '$lib/server/auth/password-reset';
import { describeWait } from '$lib/server/auth/rate-limit';
import type { Actions, PageServerLoad } from './$types';

const ForgotForm = v.object({ email });

const NO_EMAIL =
	'This Trellis cannot send email, so a reset link cannot be emailed to you. If you are a partner, ask your therapist: they can make a reset link for you from your couple’s page. If you are a therapist, ask whoever runs Trellis for your practice.';

export const load = (() => ({
	emailConfigured: isEmailConfigured(),
	noEmail: NO_EMAIL
})) satisfies PageServerLoad;

export const actions = {
	default: async ({ request, getClientAddress, url }) => {
		const parsed = await readForm(request, ForgotForm);
		if (!parsed.ok) return refuseForm(parsed);
		const result = await passwordReset.request(db(), {
			email: parsed.data.email,
			ip: getClientAddress(),
			linkFor: (token) => `${url.origin}/login/reset/${token}`
		});
		const values = { email: parsed.data.email };
		if (!result.ok && result.reason === 'not-configured') {
			return fail(400, { message: NO_EMAIL, values });
		}
		if (!result.ok) {
			return fail(429, {
				message: `Too many reset requests from this network. Try again ${describeWait(result.retryAfterSeconds)}.`,
				values
			});
		}
		if (result.emailId) outbox.wake();
		return { sent: true, email: parsed.data.email };
	}
} satisfies Actions;
