import { redirect } from '@sveltejs/kit';
import { requireTherapist } from '$lib/server/auth/guards';
import { sessionPolicy } from '$lib/server/auth/session';
import { db } from '$lib/server/db';
import * as safety from '$lib/server/safety';
import type { LayoutServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user, session } = requireTherapist(locals);
	// A therapist who signed in with the recovery code has no authenticator until she sets a new one up.
	if (!user.hasTotp) redirect(303, '/login/totp/setup');
	return {
		user: { name: user.display_name, email: user.email },
		// The Safety tab's count, on every therapist page (re-read on each navigation).
		openFlags: await safety.openCount(db(), user.id),
		sessionExpiresAt: session.expires_at.toISOString(),
		idleMs: sessionPolicy.therapist.idleMs,
		absoluteExpiresAt: new Date(
			session.created_at.getTime() + sessionPolicy.therapist.absoluteMs
		).toISOString()
	};
}) satisfies LayoutServerLoad;
