// The therapist's account page: name, email (behind the password), password (the current one first;
// other devices are signed out), where she is signed in, and her two-factor sign-in (replacing the
// authenticator asks for the password again on the set-up page).
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as account from '$lib/server/auth/account';
import { accountActions } from '$lib/server/account-actions';
import { hasRecoveryCode as hasRecoveryCodeFor } from '$lib/server/auth/two-factor';
import { formatDateTime, timeZones } from '$lib/dates';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user, session } = requireTherapist(locals);
	const [sessions, hasRecoveryCode] = await Promise.all([
		account.sessionsFor(db(), user.id, session.id),
		hasRecoveryCodeFor(db(), user.id)
	]);
	return {
		account: {
			name: user.display_name,
			email: user.email,
			hasRecoveryCode,
			timeZone: user.timeZone
		},
		timeZones: timeZones(),
		sessions: sessions.map((s) => ({
			...s,
			createdAt: formatDateTime(s.createdAt, user.timeZone),
			lastSeenAt: formatDateTime(s.lastSeenAt, user.timeZone)
		}))
	};
}) satisfies PageServerLoad;

export const actions = accountActions(requireTherapist) satisfies Actions;
