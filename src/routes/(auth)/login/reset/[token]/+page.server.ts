// The page a reset link opens: choose a new password (the sign-up rules). Every session of the account
// ends; then the person signs in with it (a therapist with her authenticator code as always).
import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm, refuseForm } from '$lib/server/forms';
import { newPassword } from '$lib/server/auth/password';
import * as passwordReset from '$lib/server/auth/password-reset';
import * as outbox from '$lib/server/outbox';
import { disconnectSessions } from '$lib/server/realtime/server';
import type { Actions, PageServerLoad } from './$types';

const ResetForm = v.object({ password: newPassword });

export const load = (async ({ params, setHeaders }) => {
	setHeaders({ 'cache-control': 'no-store' });
	return { status: await passwordReset.lookup(db(), params.token) };
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ params, request, getClientAddress, url }) => {
		const parsed = await readForm(request, ResetForm);
		if (!parsed.ok) return refuseForm(parsed);
		const result = await passwordReset.complete(db(), {
			token: params.token,
			password: parsed.data.password,
			ip: getClientAddress(),
			origin: url.origin
		});
		if (!result.ok) return fail(410, { status: result.status });
		disconnectSessions(result.endedSessionIds);
		if (result.emailId) outbox.wake();
		redirect(303, '/login?reason=password-reset');
	}
} satisfies Actions;
