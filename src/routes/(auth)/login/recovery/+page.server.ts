import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { signInWithRecoveryCode } from '$lib/server/auth/two-factor';
import { disconnectSessions } from '$lib/server/realtime';
import type { Actions, PageServerLoad } from './$types';

function allowed(locals: App.Locals) {
	const { user, session } = locals;
	if (!user || !session) redirect(303, '/login');
	if (user.role !== 'therapist' || session.two_factor_verified) redirect(303, '/');
	if (!user.hasTotp) redirect(303, '/login/totp/setup');
	return { user, session };
}

export const load = (({ locals }) => {
	allowed(locals);
	return {};
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ request, locals, cookies, url, getClientAddress }) => {
		const { user, session } = allowed(locals);
		const formData = await request.formData().catch(() => null);
		const code = formData?.get('code');
		if (typeof code !== 'string' || !code.trim()) {
			return fail(400, { message: 'Enter the recovery code you saved when you set up Trellis.' });
		}
		if (code.length > 64) {
			return fail(400, { message: 'A recovery code looks like ABCD-EFGH-IJKL-MNOP.' });
		}
		const result = await signInWithRecoveryCode(db(), {
			user,
			session,
			code,
			ip: getClientAddress(),
			cookies,
			secure: url.protocol === 'https:'
		});
		if (!result.ok) return fail(result.status, { message: result.message });
		disconnectSessions(result.signedOutSessionIds);
		redirect(303, '/login/totp/setup');
	}
} satisfies Actions;
