import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import { signInWithRecoveryCode } from '$lib/server/auth/two-factor';
import { requestContext } from '$lib/server/auth/session';
import { disconnectSessions } from '$lib/server/realtime/server';
import type { Actions, PageServerLoad } from './$types';

const ENTER_CODE = 'Enter the recovery code you saved when you set up Trellis.';

const RecoveryForm = v.object({
	code: v.pipe(
		v.string(ENTER_CODE),
		v.check((code) => code.trim() !== '', ENTER_CODE),
		v.maxLength(64, 'A recovery code looks like ABCD-EFGH-IJKL-MNOP.')
	)
});

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
	default: async (event) => {
		const { user, session } = allowed(event.locals);
		const parsed = await readForm(event.request, RecoveryForm);
		if (!parsed.ok) return fail(400, { message: parsed.message });
		const result = await signInWithRecoveryCode(db(), {
			user,
			session,
			code: parsed.data.code,
			...requestContext(event)
		});
		if (!result.ok) return fail(result.status, { message: result.message });
		disconnectSessions(result.signedOutSessionIds);
		redirect(303, '/login/totp/setup');
	}
} satisfies Actions;
