import { requireTherapist } from '$lib/server/guards';
import type { LayoutServerLoad } from './$types';

export const load = (({ locals }) => {
	const { user, session } = requireTherapist(locals);
	return {
		user: { name: user.display_name, email: user.email },
		sessionExpiresAt: session.expires_at.toISOString()
	};
}) satisfies LayoutServerLoad;
