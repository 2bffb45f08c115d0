// "Stay signed in": slides the therapist's idle limit forward (never past the 12-hour absolute limit).
import { json } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { extendSession } from '$lib/server/auth/session';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals }) => {
	const { user, session } = locals;
	if (!user || !session || (user.role === 'therapist' && !session.two_factor_verified)) {
		return json({ ok: false, signedOut: true }, { status: 401 });
	}
	// Partners' sessions slide on every page; this button is the therapist area's.
	if (user.role !== 'therapist') return json({ ok: false }, { status: 403 });
	const expiresAt = await extendSession(db(), session, user.role);
	return json({ ok: true, expiresAt: expiresAt.toISOString() });
};
