import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { verifySecondFactor } from '$lib/server/auth/two-factor';
import type { Actions, PageServerLoad } from './$types';

export const load = (({ locals }) => {
	if (!locals.user || !locals.session) redirect(303, '/login');
	if (locals.user.role !== 'therapist' || locals.session.two_factor_verified) redirect(303, '/');
	if (!locals.user.hasTotp) redirect(303, '/login/totp/setup');
	return {};
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ request, locals, cookies, url, getClientAddress }) => {
		if (!locals.user || !locals.session) redirect(303, '/login');
		const formData = await request.formData().catch(() => null);
		const code = formData?.get('code');
		if (typeof code !== 'string' || !code.trim()) {
			return fail(400, { message: 'Enter the 6-digit code from your authenticator app.' });
		}
		const result = await verifySecondFactor(db(), {
			user: locals.user,
			session: locals.session,
			code,
			ip: getClientAddress(),
			cookies,
			secure: url.protocol === 'https:'
		});
		if (!result.ok) return fail(result.status, { message: result.message });
		redirect(303, '/app');
	}
} satisfies Actions;
