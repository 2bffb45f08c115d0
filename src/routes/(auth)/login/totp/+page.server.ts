import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import { verifySecondFactor } from '$lib/server/auth/two-factor';
import { requestContext } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

const ENTER_CODE = 'Enter the 6-digit code from your authenticator app.';

const CodeForm = v.object({
	code: v.pipe(
		v.string(ENTER_CODE),
		v.check((code) => code.trim() !== '', ENTER_CODE),
		v.maxLength(64, ENTER_CODE)
	)
});

export const load = (({ locals }) => {
	if (!locals.user || !locals.session) redirect(303, '/login');
	if (locals.user.role !== 'therapist' || locals.session.two_factor_verified) redirect(303, '/');
	if (!locals.user.hasTotp) redirect(303, '/login/totp/setup');
	return {};
}) satisfies PageServerLoad;

export const actions = {
	default: async (event) => {
		const { locals } = event;
		if (!locals.user || !locals.session) redirect(303, '/login');
		const parsed = await readForm(event.request, CodeForm);
		if (!parsed.ok) return fail(400, { message: parsed.message });
		const result = await verifySecondFactor(db(), {
			user: locals.user,
			session: locals.session,
			code: parsed.data.code,
			...requestContext(event)
		});
		if (!result.ok) return fail(result.status, { message: result.message });
		redirect(303, '/app');
	}
} satisfies Actions;
